"""Tracing: a Python function runs on Tracers, and each op it calls is recorded
into a `vsla` function through the C++ FunctionBuilder, with the user's
file:line as its location. Dims of traced tensors are symbolic (`Dim`) unless
the trace specializes on shapes."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

import numpy as np

from . import _vsla
from ._errors import ShapeError, TracingError, from_status

if TYPE_CHECKING:
    from ._tensor import Tracer

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_state = threading.local()
KDYNAMIC = -(2**63)  # MLIR's ShapedType::kDynamic in static shape lists


def current_trace() -> "Trace | None":
    return getattr(_state, "trace", None)


def user_location() -> tuple:
    """(file, line, column) of the innermost frame outside the vsla package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return ()
    return (frame.f_code.co_filename, frame.f_lineno, 1)


class Trace:
    """One function being recorded. Use as a context manager on one thread."""

    def __init__(self, name: str, parent: "Trace | None" = None):
        self.name = name
        self.builder = _vsla.FunctionBuilder(name)
        self._constants: dict = {}
        self.captured: list = []  # eager Tensors used inside, passed as extra arguments
        self._captured_ids: dict = {}
        self._previous = None
        # A body traced inside another function (vsla.vmap): values of the
        # enclosing traces (and eager tensors) it uses become arguments, and
        # these are their ids in `parent`.
        self.parent = parent
        self._shared_outer: list = []

    def __enter__(self) -> "Trace":
        self._previous = current_trace()
        _state.trace = self
        return self

    def __exit__(self, *exc) -> None:
        _state.trace = self._previous

    # -- values ---------------------------------------------------------------

    def argument(self, dtype: np.dtype, shape) -> "Tracer":
        """A tensor argument; `shape` entries are ints or None (dynamic)."""
        dims = [-1 if d is None else int(d) for d in shape]
        return self._tracer(self.builder.add_argument(dtype.name, dims))

    def capture(self, tensor) -> int:
        """The value id of an eager tensor used inside the trace (a hidden argument)."""
        from ._tensor import Tracer

        # A value of an enclosing trace is keyed by its id there: Tracer
        # objects for it may be made more than once (see Dim.value_id).
        key = ("outer", id(tensor._trace), tensor._id) if isinstance(tensor, Tracer) \
            else id(tensor)
        if key not in self._captured_ids:
            if self.parent is not None:
                outer = traced_value(self.parent, tensor)
                self._shared_outer.append(outer)
                dtype, shape = self.parent.builder.type(outer)
                value = self.builder.add_argument(dtype, list(shape))
            else:
                array = tensor._array
                value = self.builder.add_argument(array.dtype.name, [-1] * array.ndim)
            self._captured_ids[key] = value
            self.captured.append(tensor)
        return self._captured_ids[key]

    def encloses(self, other: "Trace") -> bool:
        """Whether `other` is this trace or one it was started inside."""
        trace = self
        while trace is not None:
            if trace is other:
                return True
            trace = trace.parent
        return False

    def scalar(self, value, dtype: np.dtype) -> int:
        # Integers stay integers (exact beyond 2**53); floats are keyed by their
        # bits, so 0.0 and -0.0 are different constants.
        value = int(value) if dtype.kind in "iub" else float(value)
        key = (dtype.name, value if isinstance(value, int) else
               np.float64(value).tobytes())
        if key not in self._constants:
            self._constants[key] = self.builder.scalar_constant(dtype.name, value)
        return self._constants[key]

    def index(self, value) -> int:
        if isinstance(value, Dim):
            return value.value_id(self)
        key = ("index", int(value))
        if key not in self._constants:
            if not -2**63 <= int(value) < 2**63:
                raise ShapeError(f"the extent or index {int(value)} does not fit in 64 bits")
            self._constants[key] = self.builder.index_constant(int(value))
        return self._constants[key]

    def iota(self, length, dtype: np.dtype) -> "Tracer":
        """vsla.iota: 0, 1, ..., length - 1 (length an int or a Dim)."""
        try:
            value = self.builder.iota(self.index(length), dtype.name, user_location())
        except _vsla.StatusError as e:
            raise from_status(str(e), ShapeError) from None
        return self._tracer(value)

    def create(self, op: str, operands: list, attrs: list, nresults: int = 1) -> list:
        try:
            return self.builder.create(op, operands, attrs, user_location())
        except _vsla.StatusError as e:
            raise from_status(str(e), ShapeError) from None

    def _tracer(self, value_id: int) -> "Tracer":
        from ._tensor import Tracer

        dtype, shape = self.builder.type(value_id)
        return Tracer(self, value_id, np.dtype(dtype), shape)


class Dim:
    """The extent of an axis of a traced tensor, known only when the function runs.

    Supports + - * // with ints and other Dims, so shapes can be computed
    (``x.reshape(x.shape[0] * 2, -1)``); Python cannot branch on it.
    """

    __slots__ = ("_trace", "_source", "_axis", "_value")

    def __init__(self, trace: Trace, source: int = None, axis: int = None, value: int = None):
        self._trace = trace
        self._source = source
        self._axis = axis
        self._value = value

    def value_id(self, trace: Trace) -> int:
        if trace is not self._trace and self._source is not None and \
                trace.encloses(self._trace):
            # An extent of an enclosing function's tensor, in a mapped body:
            # the dim of that tensor, which the body takes as an argument.
            source = trace.capture(self._trace._tracer(self._source))
            return trace.create("tensor.dim", [source, trace.index(self._axis)], [])[0]
        if trace is not self._trace:
            raise TracingError("a Dim from another traced function was used here; "
                               "compute shapes inside the function that uses them")
        if self._value is None:
            axis = trace.index(self._axis)
            self._value = trace.create("tensor.dim", [self._source, axis], [])[0]
        return self._value

    def _arith(self, op: str, other, reverse: bool = False) -> "Dim":
        if not isinstance(other, (int, np.integer, Dim)):
            return NotImplemented
        trace = _where_used(self._trace)
        a, b = self.value_id(trace), trace.index(other)
        if reverse:
            a, b = b, a
        return Dim(trace, value=trace.create(op, [a, b], [])[0])

    def __add__(self, other):
        return self._arith("arith.addi", other)

    def __radd__(self, other):
        return self._arith("arith.addi", other, True)

    def __sub__(self, other):
        return self._arith("arith.subi", other)

    def __rsub__(self, other):
        return self._arith("arith.subi", other, True)

    def __mul__(self, other):
        return self._arith("arith.muli", other)

    def __rmul__(self, other):
        return self._arith("arith.muli", other, True)

    def __floordiv__(self, other):
        if isinstance(other, (int, np.integer)) and not isinstance(other, Dim):
            if other == 0:
                raise ShapeError("integer division of a traced extent by zero")
            return self._arith("arith.floordivsi", other)
        return _divide(self, other, "arith.floordivsi")

    def __rfloordiv__(self, other):
        if not isinstance(other, (int, np.integer)):
            return NotImplemented
        return _divide(other, self, "arith.floordivsi")

    def _concrete(self, *args):
        raise TracingError(
            "the extent of a traced tensor's axis is not known while tracing, so Python "
            "cannot branch on it or turn it into an int. Compute with it instead "
            "(x.shape[0] - 1 and friends work), pass the value with static_argnums, or "
            "use @vsla.jit(static_shapes=True) to compile one version per shape")

    __bool__ = __int__ = __index__ = __float__ = _concrete
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _concrete
    __hash__ = None

    def __repr__(self) -> str:
        return "Dim(?)"


def _where_used(trace: Trace) -> Trace:
    """Where arithmetic on an extent of `trace` is recorded: the current trace when
    it is a body traced inside `trace` (vsla.vmap), so that the result is a value of
    the body, else `trace`."""
    current = current_trace()
    if current is not None and current is not trace and current.encloses(trace):
        return current
    return trace


def _divide(numerator, divisor: "Dim", op: str) -> "Dim":
    """numerator // divisor for a traced divisor: a run-time check that it is not 0
    (a ShapeError when the compiled function runs, before any data is read), and a
    division that cannot trap while the check is pending."""
    trace = _where_used(divisor._trace)
    zero = trace.index(0)
    d = divisor.value_id(trace)
    is_zero = trace.create("arith.cmpi", [d, zero], [("predicate", "0 : i64")])[0]
    from ._checks import _string_attr

    nonzero = trace.create("arith.cmpi", [d, zero], [("predicate", "1 : i64")])[0]
    trace.create("vsla.check_shape", [nonzero],
                 [("message", _string_attr("integer division of an extent by an extent "
                                           "that is 0"))])
    safe = trace.create("arith.select", [is_zero, trace.index(1), d], [])[0]
    return Dim(trace, value=trace.create(op, [trace.index(numerator), safe], [])[0])


def traced_value(trace: Trace, x) -> int:
    """The value id of tensor `x` inside `trace` (capturing eager tensors)."""
    from ._tensor import Tracer

    if isinstance(x, Tracer):
        if x._trace is not trace and trace.encloses(x._trace):
            return trace.capture(x)  # a value of an enclosing function, in a mapped body
        if x._trace is not trace:
            raise TracingError(
                "a traced value escaped the function that traced it (stored in a global "
                "or returned through a side channel?); return it from the jitted "
                "function instead")
        return x._id
    return trace.capture(x)
