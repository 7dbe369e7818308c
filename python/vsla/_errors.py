"""The errors VSLA raises. Each names what was wrong and how to fix it."""

import builtins


class VslaError(Exception):
    """Base class of every error VSLA raises on purpose."""


class ShapeError(VslaError, ValueError):
    """Shapes or ranks that an op cannot take (rank mismatch, bad axis, extents)."""


class DTypeError(VslaError, TypeError):
    """An element type VSLA does not support, or one an op cannot take."""


class CompileError(VslaError, builtins.RuntimeError):
    """The compiler could not compile a traced function."""


class RuntimeError(VslaError, builtins.RuntimeError):  # noqa: A001 (DESIGN names it)
    """Compiled code could not run (out of memory, a failed run-time check)."""


class TracingError(VslaError, TypeError):
    """A traced value was used where a concrete Python value is needed."""


def from_status(message: str, default: type = None) -> VslaError:
    """Turns a C++ status text ("<code>: <message>") into the named error."""
    code, _, text = message.partition(": ")
    text = _strip_mlir_location(text)
    if code == "invalid_argument":
        return (default or ShapeError)(text)
    if code == "out_of_memory":
        return RuntimeError("out of memory: " + text)
    return (default or RuntimeError)(text if text else message)


def _strip_mlir_location(text: str) -> str:
    # loc("file.py":12:5): 'vsla.add' op ... -> file.py:12: vsla.add: ...
    lines = []
    for line in text.splitlines():
        if line.startswith('loc("'):
            head, sep, rest = line.partition("): ")
            if sep:
                file, _, pos = head[len('loc("'):].partition('":')
                line_no = pos.split(":")[0]
                rest = rest.replace("' op ", ": ", 1).lstrip("'")
                line = f"{file}:{line_no}: {rest}"
        elif line.startswith("loc(unknown): "):
            line = line[len("loc(unknown): "):].replace("' op ", ": ", 1).lstrip("'")
        lines.append(line)
    return "\n".join(lines)
