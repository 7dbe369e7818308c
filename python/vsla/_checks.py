"""Run-time checks that library code (layers, losses, optimizers) states about its
inputs. Eager, a check runs at once and raises. Inside a traced function it becomes
an op of the compiled code: `vsla.check_shape` for facts about extents (evaluated by
the compiled shape function before any data is touched) and `vsla.check_zero` for
facts about values (labels and indices in range). A failed check raises the named
error with the message, the user's source line included."""

from __future__ import annotations

import numpy as np

from ._errors import ShapeError
from ._trace import Dim, current_trace


def _string_attr(text: str) -> str:
    """`text` as an MLIR string attribute."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\' or code < 0x20 or code > 0x7E:
            out.extend(f"\\{b:02X}" for b in ch.encode("utf-8"))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def expect_extent(value, expected, message: str) -> None:
    """Checks value == expected, where each is an int or a traced Dim.

    Eager (both ints): raises ShapeError(message) now. Traced: records a
    `vsla.check_shape` that raises ShapeError(message) when the compiled function
    is called with extents that break it, before any data is read.

    >>> expect_extent(x.shape[-1], 3, "Linear: x has the wrong feature count")  # doctest: +SKIP
    """
    if not isinstance(value, Dim) and not isinstance(expected, Dim):
        if int(value) != int(expected):
            raise ShapeError(message)
        return
    trace = (value if isinstance(value, Dim) else expected)._trace
    holds = trace.create("arith.cmpi", [trace.index(value), trace.index(expected)],
                         [("predicate", "0 : i64")])[0]  # eq
    trace.create("vsla.check_shape", [holds], [("message", _string_attr(message))])


def expect_zero(t, message: str) -> None:
    """Checks every element of tensor t is 0 (NaN is not).

    Eager: raises ShapeError(message) now. Traced: records a `vsla.check_zero` on
    sum(|t|), which raises ShapeError(message) when the compiled code finds a
    nonzero element. Express a value fact as a tensor of zeros, e.g. for one-hot
    rows of labels, 1 - sum(one_hot, axis=-1) is 0 exactly when a label is in range.
    """
    from . import _ops
    from ._tensor import Tracer

    if current_trace() is None and not isinstance(t, Tracer):
        values = np.asarray(t)
        if values.size and not np.all(values == 0):
            raise ShapeError(message)
        return
    total = _ops.sum(_ops.abs(t))
    trace = current_trace()
    from ._trace import traced_value, user_location

    trace.builder.create("vsla.check_zero", [traced_value(trace, total)],
                         [("message", _string_attr(message))], user_location())
