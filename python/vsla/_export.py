"""vsla.export and vsla.load: a traced function or model as one artifact file that the
runtime runs without the compiler (docs/artifact.md)."""

from __future__ import annotations

import json
import os

import numpy as np

from . import _pytree, _vsla
from ._devices import DeviceArray, host_copy
from ._dispatch import compile_builder, compile_lock, place_arrays
from ._errors import DTypeError, RuntimeError, ShapeError, TracingError, VslaError, from_status
from ._jit import JitFunction, _Compiled, _describe
from ._ragged import Ragged
from ._tensor import Tensor

_FORMAT = 1


def export(fun, *example_args, path: str | os.PathLike, cpu: str = "host",
           target: str = "cpu", chip: str = "", **example_kwargs) -> None:
    """Traces `fun` on example arguments, compiles it and writes one artifact to `path`.

    `fun` is a function, a @vsla.jit function or an nn.Module. The artifact is
    shape-polymorphic like @vsla.jit: it runs on any extents of the example's ranks
    and dtypes (static_shapes=True fixes them). Tensors the function reads but does not
    take (a model's parameters) are stored in the file with their current values.
    Python numbers among the arguments and static arguments are baked in. Run it with
    vsla.load, vsla-run or the C++ runtime.

    `target="cuda"` compiles for NVIDIA GPUs instead (kernels as PTX for `chip`,
    default sm_90, with host code that launches them; docs/gpu.md): such an artifact
    runs on a machine with a GPU (vsla.load, vsla-run, vsla_runtime, the C++ runtime),
    its arguments and results in device memory.

    >>> model = vsla.nn.Linear(4, 2)
    >>> vsla.export(model, np.ones((3, 4), np.float32), path="/tmp/linear.vsla")
    >>> vsla.load("/tmp/linear.vsla")(np.ones((5, 4), np.float32)).shape
    (5, 2)
    """
    from . import nn

    if target not in ("cpu", "cuda"):
        raise ValueError(f"vsla.export: target must be 'cpu' or 'cuda', got {target!r}")
    names: dict = {}
    if isinstance(fun, nn.Module):
        module = fun
        names = {id(p): name for name, p in module.named_parameters()}
        jitted = JitFunction(lambda *a, **k: module(*a, **k))
        jitted.__name__ = type(module).__name__
        jitted._symbol = "forward"
    elif isinstance(fun, JitFunction):
        jitted = fun
    elif callable(fun):
        jitted = JitFunction(fun)
    else:
        raise TypeError(f"vsla.export takes a function or an nn.Module, got "
                        f"{type(fun).__name__}")
    with compile_lock:
        key, arrays = jitted._key(example_args, example_kwargs)
        trace, out_treedef, out_slots, result_ids = jitted._trace(key, example_args,
                                                                  example_kwargs)
        if not result_ids:
            raise TracingError(f"{jitted.__name__} computes no tensor from its inputs; "
                               "there is nothing to export")
        executable = compile_builder(trace.builder, jitted._symbol,
                                     f"{jitted.__name__} for export", "vsla.export", cpu,
                                     target, chip)
    treedef, entries, *_ = key
    user_count = len(arrays)
    for kind, value in out_slots:
        parts = value if kind == "ragged" else ((kind, value),)
        if any(k == "argument" and v >= user_count for k, v in parts):
            raise TracingError(f"{jitted.__name__} returns a captured tensor (a parameter) "
                               "unchanged; return a computed value, e.g. p * 1.0")
    constants = [(names.get(id(t), f"captured{i}"), host_copy(t._array))
                 for i, t in enumerate(trace.captured)]
    bound = [-1] * user_count + list(range(len(constants))) if constants else []
    metadata = {
        "format": _FORMAT,
        "name": jitted.__name__,
        "function": jitted._symbol,
        "in_treedef": _encode_treedef(treedef, "argument"),
        "entries": [_encode_entry(e) for e in entries],
        "out_treedef": _encode_treedef(out_treedef, "result"),
        "out_slots": [_encode_slot(s) for s in out_slots],
    }
    try:
        executable.write_artifact(os.fspath(path), constants, bound,
                                  json.dumps(metadata).encode())
    except _vsla.StatusError as e:
        raise from_status(str(e), VslaError) from None


def load(path: str | os.PathLike) -> "Exported":
    """Loads an artifact written by vsla.export: a callable taking the same (non-static)
    arguments as the exported function and returning the same structure.

    >>> f = vsla.load("/tmp/linear.vsla")  # doctest: +SKIP
    >>> f(np.ones((5, 4), np.float32)).shape  # doctest: +SKIP
    (5, 2)
    """
    try:
        module = _vsla.load_artifact(os.fspath(path))
    except _vsla.StatusError as e:
        raise from_status(str(e), VslaError) from None
    try:
        metadata = json.loads(module.user_metadata.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        metadata = None
    if not isinstance(metadata, dict) or metadata.get("format") != _FORMAT:
        raise VslaError(f"{os.fspath(path)} was not written by vsla.export (it has no "
                        "Python signature); run it with vsla-run or the C++ runtime")
    try:
        return Exported(module, metadata, os.fspath(path))
    except (KeyError, TypeError, ValueError, IndexError, _vsla.StatusError) as e:
        raise VslaError(f"{os.fspath(path)} holds a malformed Python signature ({e}); "
                        "export the function again") from None


class Exported:
    """A function loaded from an artifact. Call it like the exported function."""

    def __init__(self, module, metadata: dict, path: str = ""):
        self._module = module
        self._path = path
        self._device = module.device(metadata["function"])
        self.__name__ = metadata["name"]
        self._symbol = metadata["function"]
        self._treedef = _decode(metadata["in_treedef"])
        self._entries = [_decode(e) for e in metadata["entries"]]
        out_treedef = _decode(metadata["out_treedef"])
        out_slots = [_decode(s) for s in metadata["out_slots"]]
        # The Python signature must describe the function the code has.
        user_arguments, results = module.arity(self._symbol)
        _check_treedef(self._treedef)
        _check_treedef(out_treedef)
        passed = 0
        for entry in self._entries:
            if entry[0] not in ("tensor", "ragged", "static") or len(entry) != 3:
                raise ValueError(f"unknown argument entry {entry!r}")
            if entry[0] != "static":
                np.dtype(entry[1])
            passed += {"tensor": 1, "ragged": 2, "static": 0}[entry[0]]
        if passed != user_arguments:
            raise ValueError(f"{passed} arrays for {user_arguments} arguments")
        for kind, value in out_slots:
            parts = value if kind == "ragged" else ((kind, value),)
            for part, index in parts:
                if part == "result" and not 0 <= index < results or \
                        part == "argument" and not 0 <= index < user_arguments:
                    raise ValueError(f"result slot {(kind, value)!r} is out of range")
        self._compiled = _Compiled(module, self._symbol, out_treedef, out_slots, [],
                                   None if self._device == "host" else "cuda:0")
        # Positional tensor arguments only (the common case), on the host: what each
        # must be, so that a call on such arguments skips the pytree walk.
        self._flat = None
        tensors = [e for e in self._entries if e[0] == "tensor"]
        if self._device == "host" and len(tensors) == len(self._entries) and \
                _pytree.flatten((tuple(range(len(tensors))), {}))[1] == self._treedef:
            self._flat = [(np.dtype(e[1]), e[2]) for e in tensors]

    def __repr__(self) -> str:
        args = ", ".join(_describe(_as_key_entry(e)) for e in self._entries)
        return f"<vsla.Exported {self.__name__}({args})>"

    def __call__(self, *args, **kwargs):
        flat = self._flat
        if flat is not None and not kwargs and len(args) == len(flat):
            arrays = []
            for a, (dtype, dims) in zip(args, flat):
                if type(a) is Tensor:
                    a = a._array
                if type(a) is not np.ndarray or a.dtype != dtype or \
                        (a.ndim != dims if type(dims) is int else a.shape != dims):
                    break  # the full path below says what is wrong
                arrays.append(a)
            else:
                return self._compiled(arrays)
        leaves, treedef = _pytree.flatten((tuple(args), {k: kwargs[k] for k in sorted(kwargs)}))
        if treedef != self._treedef:
            raise TypeError(f"{self.__name__} was exported for arguments structured as "
                            f"{_show_treedef(self._treedef)}, got {_show_treedef(treedef)}")
        arrays = []
        for n, (leaf, entry) in enumerate(zip(leaves, self._entries)):
            kind = entry[0]
            what = f"argument leaf {n} of {self.__name__}"
            if kind == "static":
                if leaf != entry[2] or type(leaf).__name__ != entry[1]:
                    raise ValueError(f"{what} was {entry[2]!r} when exported, and is baked "
                                     f"into the artifact; got {leaf!r}")
                continue
            if kind == "ragged":
                if not isinstance(leaf, Ragged):
                    raise DTypeError(f"{what} is a ragged batch, got {type(leaf).__name__}")
                if leaf.dtype != np.dtype(entry[1]) or leaf.ndim != entry[2]:
                    raise DTypeError(f"{what} is {_describe(_as_key_entry(entry))}, got "
                                     f"{leaf.dtype} items of rank {leaf.ndim}")
                arrays += leaf._call_arguments()
                continue
            array = leaf._array if isinstance(leaf, Tensor) else leaf
            if not isinstance(array, (np.ndarray, DeviceArray)):
                if hasattr(leaf, "__dlpack_device__") and leaf.__dlpack_device__()[0] == 2:
                    from ._creation import from_dlpack

                    array = from_dlpack(leaf)._array  # PyTorch, CuPy: no copy
                elif hasattr(leaf, "__dlpack__") or isinstance(leaf, (list, tuple, int, float)):
                    array = np.asarray(leaf)
                else:
                    raise DTypeError(f"{what} is a tensor, got {type(leaf).__name__}")
            if array.dtype != np.dtype(entry[1]):
                raise DTypeError(f"{what} is {_describe(_as_key_entry(entry))}, got "
                                 f"{array.dtype}; cast it with x.astype({entry[1]!r})")
            shape = entry[2]
            if (array.ndim != (len(shape) if isinstance(shape, tuple) else shape)
                    or (isinstance(shape, tuple) and array.shape != shape)):
                raise ShapeError(f"{what} is {_describe(_as_key_entry(entry))}, got shape "
                                 f"{array.shape}")
            arrays.append(array)
        if self._device != "host":
            if not any(type(a) is DeviceArray for a in arrays):
                raise RuntimeError(f"{self.__name__} was exported for cuda and got its "
                                   "tensors in host memory: pass GPU tensors (t.to('cuda'), "
                                   "torch.cuda, CuPy)")
            arrays, _ = place_arrays(arrays, self.__name__)
        elif any(type(a) is DeviceArray for a in arrays):
            raise RuntimeError(f"{self.__name__} was exported for the CPU and got tensors on a "
                               "GPU: pass host tensors (t.cpu()), or export with target='cuda'")
        return self._compiled(arrays)

def _as_key_entry(entry):
    return (entry[0], np.dtype(entry[1]) if entry[0] != "static" else entry[1], entry[2])


def _encode_entry(entry):
    kind, dtype, value = entry
    if kind == "static":
        raw = value.value
        if not isinstance(raw, (bool, int, float)) or isinstance(raw, np.generic):
            raw = raw.item() if isinstance(raw, np.generic) else raw
        return [kind, dtype, raw]
    return [kind, np.dtype(dtype).name, list(value) if isinstance(value, tuple) else value]


def _encode_treedef(treedef, what: str):
    if treedef[0] == "dict":
        for key in treedef[1]:
            if not isinstance(key, str):
                raise TypeError(f"vsla.export: a dict {what} key is {key!r}; exported "
                                "functions take and return dicts with string keys")
        return ["dict", list(treedef[1]), [_encode_treedef(t, what) for t in treedef[2]]]
    if treedef[0] in ("tuple", "list"):
        return [treedef[0], [_encode_treedef(t, what) for t in treedef[1]]]
    return list(treedef)


def _encode_slot(slot):
    kind, value = slot
    if kind == "constant":
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"vsla.export: the function returns a {type(value).__name__}, "
                            "which an artifact cannot hold; return tensors and numbers")
        return [kind, value]
    if kind == "ragged":
        return [kind, [list(part) for part in value]]
    return [kind, value]


def _decode(value):
    """JSON lists back to the tuples treedefs, entries and slots are made of."""
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _check_treedef(treedef) -> None:
    """Raises ValueError unless `treedef` is a well-formed pytree structure."""
    kind = treedef[0] if isinstance(treedef, tuple) and treedef else None
    if kind in ("leaf", "none") and len(treedef) == 1:
        return
    if kind in ("tuple", "list") and len(treedef) == 2:
        for child in treedef[1]:
            _check_treedef(child)
        return
    if kind == "dict" and len(treedef) == 3 and len(treedef[1]) == len(treedef[2]):
        for child in treedef[2]:
            _check_treedef(child)
        return
    raise ValueError(f"malformed structure {treedef!r}")


def _show_treedef(treedef) -> str:
    kind = treedef[0]
    if kind == "leaf":
        return "x"
    if kind == "none":
        return "None"
    if kind == "dict":
        return "{" + ", ".join(f"{k!r}: {_show_treedef(t)}"
                               for k, t in zip(treedef[1], treedef[2])) + "}"
    inner = ", ".join(_show_treedef(t) for t in treedef[1])
    if kind == "tuple":
        return f"({inner},)" if len(treedef[1]) == 1 else f"({inner})"
    return f"[{inner}]"
