"""Making tensors: from data (zero-copy from NumPy and DLPack), filled, ranges
and seeded random values."""

from __future__ import annotations

import builtins
import math

import numpy as np

from . import _devices, _dtypes
from ._devices import parse_device
from ._errors import DTypeError, RuntimeError, ShapeError, TracingError
from ._ops import as_tensor, broadcast_to
from ._tensor import Tensor
from ._trace import Dim, current_trace

_generator = np.random.default_rng(0)


def tensor(data, dtype=None, device=None) -> Tensor:
    """A new tensor holding a copy of `data` (a tensor, array, nested list or number),
    on `device` ("cpu", the default, or "cuda[:N]"). Python floats become float32 and
    ints int64 unless dtype says otherwise.

    >>> vsla.tensor([[1, 2], [3, 4]], dtype="float64").shape
    (2, 2)
    """
    ordinal = parse_device(device)
    if isinstance(data, Tensor):
        data = data.cpu().numpy()
    t = as_tensor(data, "data")
    array = np.array(t._array, dtype=None if dtype is None else _dtypes.canonicalize(dtype),
                     copy=True)
    return Tensor(array) if ordinal is None else Tensor(array).to(device)


def asarray(data, dtype=None) -> Tensor:
    """A tensor over `data` without copying when it already is a tensor or a NumPy array
    of a supported dtype (contiguous or strided); other data is converted.

    >>> a = np.arange(6.0).reshape(2, 3)
    >>> vsla.asarray(a[:, ::2]).numpy().base is not None
    True
    """
    t = as_tensor(data, "data")
    if dtype is not None and _dtypes.canonicalize(dtype) != t.dtype:
        return t.astype(_dtypes.canonicalize(dtype))
    return t


def from_dlpack(x) -> Tensor:
    """A tensor sharing the memory of any DLPack producer: on the CPU (NumPy, PyTorch,
    JAX) or in CUDA memory (PyTorch, CuPy), without a copy."""
    kind = getattr(x, "__dlpack_device__", lambda: (1, 0))()[0]
    if kind == 2:  # DLPack's kDLCUDA
        return Tensor(_devices.from_dlpack(x))
    try:
        array = np.from_dlpack(x)
    except (TypeError, AttributeError, BufferError, ValueError, builtins.RuntimeError) as e:
        raise DTypeError(f"cannot import {type(x).__name__} through DLPack: {e}") from None
    return Tensor(_dtypes.check_array(array, "the DLPack tensor"))


def _shape(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for d in shape:
        if not isinstance(d, (int, np.integer, Dim)) or isinstance(d, bool):
            raise ShapeError(f"shape entry {d!r} is not an int")
        if not isinstance(d, Dim) and d < 0:
            raise ShapeError(f"shape {tuple(shape)} has a negative extent")
        if not isinstance(d, Dim) and d >= 2**63:
            raise ShapeError(f"shape {tuple(shape)} has an extent of 2**63 or more, beyond any "
                             "memory; check the sizes")
    return tuple(shape)


def _allocating(what: str, shape, dtype, make):
    """make() (a NumPy allocation); a size NumPy refuses or memory that is not there
    is a vsla.RuntimeError that names the size."""
    try:
        return make()
    except (MemoryError, ValueError) as e:
        count = 1
        for d in shape:
            count *= int(d)
        raise RuntimeError(f"{what}: cannot allocate {count} x {np.dtype(dtype).itemsize} "
                           f"bytes for shape {tuple(int(d) for d in shape)} ({e})") from None


def full(shape, fill_value, dtype=None, device=None) -> Tensor:
    """A tensor of `shape` filled with fill_value, on `device` (default "cpu"). Inside
    @vsla.jit the shape may use traced dims (x.shape[0])."""
    shape = _shape((shape,) if isinstance(shape, (int, np.integer, Dim)) else (shape,))
    if not isinstance(fill_value, (bool, int, float, np.bool_, np.integer, np.floating)):
        raise DTypeError(f"vsla.full: fill_value {fill_value!r} is a "
                         f"{type(fill_value).__name__}; pass a Python or NumPy number")
    if dtype is None:
        dtype = _dtypes.float32 if isinstance(fill_value, float) else \
            _dtypes.canonicalize(type(fill_value))
    dtype = _dtypes.canonicalize(dtype)
    try:
        value = np.full((), fill_value, dtype=dtype)
    except OverflowError:
        raise DTypeError(f"vsla.full: fill_value {fill_value} does not fit {dtype.name}; pass "
                         "dtype='float64' or a smaller value") from None
    if current_trace() is None:
        return _on(_allocating("vsla.full", shape, dtype,
                               lambda: Tensor(np.full(shape, value, dtype=dtype))), device)
    return broadcast_to(Tensor(value), shape)


def _on(t: Tensor, device) -> Tensor:
    return t if device is None else t.to(device)


def zeros(*shape, dtype="float32", device=None) -> Tensor:
    """A tensor of zeros: vsla.zeros(2, 3) or vsla.zeros((2, 3)); device="cuda" puts it
    on the GPU."""
    return full(_shape(shape), 0, dtype, device)


def ones(*shape, dtype="float32", device=None) -> Tensor:
    """A tensor of ones."""
    return full(_shape(shape), 1, dtype, device)


def arange(start, stop=None, step=1, dtype=None, device=None) -> Tensor:
    """Evenly spaced values, as numpy.arange (int64 for int arguments, else float32), on
    `device` (default "cpu").
    Inside @vsla.jit the bounds may be traced dims: vsla.arange(x.shape[0])."""
    if stop is None:
        start, stop = 0, start
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if not isinstance(v, (int, float, np.bool_, np.integer, np.floating, Dim)):
            raise DTypeError(f"vsla.arange: {name} {v!r} is not a number")
        if isinstance(v, (float, np.floating)) and not np.isfinite(v):
            raise ShapeError(f"vsla.arange: {name} {v} is not finite")
    if not isinstance(step, Dim) and step == 0:
        raise ShapeError("vsla.arange: step 0 gives no range; use a nonzero step")
    if dtype is None:
        dtype = _dtypes.int64 if all(isinstance(v, (int, np.integer, Dim))
                                     for v in (start, stop, step)) else _dtypes.float32
    dtype = _dtypes.canonicalize(dtype)
    trace = current_trace()
    if trace is None:
        if any(isinstance(v, Dim) for v in (start, stop, step)):
            raise TracingError("vsla.arange got a traced dim outside the function that traced it")
        if all(isinstance(v, (int, np.integer)) for v in (start, stop, step)):
            length = max(0, -(-(int(stop) - int(start)) // int(step)))
        else:
            length = max(0, math.ceil((float(stop) - float(start)) / float(step)))
        if length >= 2**63:
            raise ShapeError(f"vsla.arange({start}, {stop}, {step}) has {length} elements, "
                             "beyond any memory")
        return _on(_allocating("vsla.arange", (length,), dtype,
                               lambda: Tensor(np.arange(start, stop, step, dtype=dtype))),
                   device)
    if dtype == _dtypes.bool_:
        raise DTypeError("vsla.arange counts in float32, float64, int32 or int64")
    if not isinstance(step, (int, np.integer)) or step < 1 or \
            not isinstance(start, (int, np.integer)):
        raise TracingError("inside @vsla.jit, vsla.arange takes an int start, an int or "
                           "dim stop (x.shape[0]) and an int step >= 1")
    length = stop - start
    if isinstance(length, Dim):
        # An empty range (stop <= start) is empty, as in NumPy, not a negative extent.
        length = Dim._arith(length, "arith.maxsi", 0)
    if step != 1:
        length = (length + (step - 1)) // step
    if not isinstance(length, Dim):
        length = max(int(length), 0)
    values = trace.iota(length, dtype)
    if step != 1:
        values = values * step
    if start != 0:
        values = values + start
    return values


def _seed(seed, what: str) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise DTypeError(f"{what}: seed {seed!r} is a {type(seed).__name__}; pass an int")
    return int(seed) % 2**64  # negative seeds work, as in PyTorch


def manual_seed(seed: int) -> None:
    """Seeds vsla.rand and vsla.randn (the default seed is 0, so runs repeat)."""
    global _generator
    _generator = np.random.default_rng(_seed(seed, "vsla.manual_seed"))


def _random(kind: str, shape, dtype, seed, device) -> Tensor:
    if current_trace() is not None:
        raise TracingError(f"vsla.{kind} inside @vsla.jit would bake one draw into the compiled "
                           "function; draw outside and pass the values as an argument")
    dtype = _dtypes.canonicalize(dtype)
    if dtype not in _dtypes.FLOATS:
        raise DTypeError(f"vsla.{kind} draws floats; dtype must be float32 or float64")
    gen = _generator if seed is None else np.random.default_rng(_seed(seed, f"vsla.{kind}"))
    shape = _shape(shape)
    values = _allocating(f"vsla.{kind}", shape, dtype,
                         lambda: gen.random(shape, dtype=dtype) if kind == "rand" else
                         gen.standard_normal(shape, dtype=dtype))
    return _on(Tensor(values), device)


def rand(*shape, dtype="float32", seed=None, device=None) -> Tensor:
    """Uniform values in [0, 1), from the seeded generator (or from `seed`); drawn on
    the host, then copied to `device`."""
    return _random("rand", shape, dtype, seed, device)


def randn(*shape, dtype="float32", seed=None, device=None) -> Tensor:
    """Standard normal values, from the seeded generator (or from `seed`)."""
    return _random("randn", shape, dtype, seed, device)
