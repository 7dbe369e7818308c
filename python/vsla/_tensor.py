"""vsla.Tensor (an eager value over a NumPy array, zero-copy) and Tracer (a
value inside a traced function). Both carry the same operators and methods."""

from __future__ import annotations

import numpy as np

from . import _devices
from ._errors import TracingError
from ._trace import Dim, Trace


class Tensor:
    """A VSLA tensor. Eager tensors live in host memory and convert to and from
    NumPy without copying.

    >>> import vsla
    >>> vsla.tensor([1.0, 2.0, 3.0]) + vsla.tensor([4.0, 5.0])
    vsla.tensor([5., 7., 3.], dtype=float32)
    """

    __slots__ = ("_array",)
    __array_ufunc__ = None  # numpy_array + tensor -> Tensor.__radd__
    __hash__ = object.__hash__

    def __init__(self, array: np.ndarray):
        self._array = array

    # -- what it is -----------------------------------------------------------

    @property
    def shape(self) -> tuple:
        return self._array.shape

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def ndim(self) -> int:
        return self._array.ndim

    @property
    def size(self) -> int:
        return self._array.size

    @property
    def device(self) -> str:
        """Where the values live: "cpu" or "cuda:N"."""
        return "cpu" if type(self._array) is np.ndarray else _devices.device_of(self._array)

    def to(self, device) -> "Tensor":
        """This tensor on `device` ("cpu", "cuda", "cuda:N"): itself when it is there
        already, else a copy (docs/gpu.md).

        >>> vsla.tensor([1.0]).to("cpu").device
        'cpu'
        """
        array = _devices.move(self._array, device)
        return self if array is self._array else Tensor(array)

    def cpu(self) -> "Tensor":
        """This tensor in host memory (itself when it is there)."""
        return self.to("cpu")

    def cuda(self, device: int = 0) -> "Tensor":
        """This tensor on GPU `device` (a copy unless it is there already)."""
        return self.to(f"cuda:{int(device)}")

    def _host(self) -> np.ndarray:
        """The values in host memory: the array itself, or a copy from a GPU."""
        array = self._array
        return array if type(array) is np.ndarray else _devices.host_copy(array)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a rank-0 tensor")
        return self.shape[0]

    # -- data -------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array sharing this tensor's memory (host tensors; a
        tensor on a GPU copies to the host with .cpu() first)."""
        if type(self._array) is not np.ndarray:
            raise _devices.not_on_host(self._array, "numpy()")
        return self._array

    def __array__(self, dtype=None, copy=None):
        if type(self._array) is not np.ndarray:
            raise _devices.not_on_host(self._array, "conversion to a NumPy array")
        if copy:
            return np.array(self._array, dtype=dtype, copy=True)
        if dtype is not None and np.dtype(dtype) != self.dtype:
            return self._array.astype(dtype)
        return self._array

    def __dlpack__(self, **kwargs):
        return self._array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()

    def item(self):
        if self._array.size != 1:
            from ._errors import ShapeError

            raise ShapeError(f"item() needs a tensor of one element, got shape {self.shape}; "
                             "index it first (t[0].item()) or use tolist()")
        return self._host().item()

    def tolist(self):
        return self._host().tolist()

    def __bool__(self) -> bool:
        return bool(self._host())

    def __float__(self) -> float:
        return float(self._host())

    def __int__(self) -> int:
        return int(self._host())

    def __index__(self) -> int:
        return self._host().__index__()

    def __repr__(self) -> str:
        body = np.array2string(self._host(), separator=", ", prefix="vsla.tensor(")
        where = "" if type(self._array) is np.ndarray else f", device='{self.device}'"
        return f"vsla.tensor({body}, dtype={self.dtype.name}{where})"

    def __str__(self) -> str:
        return str(self._host())

    def __eq__(self, other):
        raise TypeError(
            "vsla tensors have no elementwise comparisons yet; compare their values "
            "in NumPy (np.asarray(a) > 0) or test identity with 'is'")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # -- operators (the functions live in vsla._ops) ------------------------------

    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # -- methods --------------------------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops.min(self, axis, keepdims)

    def reshape(self, *shape):
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return _ops.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    @property
    def T(self):
        return _ops.transpose(self)

    def astype(self, dtype):
        return _ops.cast(self, dtype)

    def softmax(self, axis=-1):
        return _ops.softmax(self, axis)

    def log_softmax(self, axis=-1):
        return _ops.log_softmax(self, axis)

    def broadcast_to(self, shape):
        return _ops.broadcast_to(self, shape)

    def promote(self, shape):
        return _ops.promote(self, shape)


class Tracer(Tensor):
    """A tensor inside a function being traced by @vsla.jit. Its dims may be
    symbolic (Dim); its values do not exist yet."""

    __slots__ = ("_trace", "_id", "_dtype", "_shape")

    def __init__(self, trace: Trace, value_id: int, dtype: np.dtype, shape: tuple):
        self._trace = trace
        self._id = value_id
        self._dtype = dtype
        self._shape = tuple(
            Dim(trace, value_id, axis) if d < 0 else d for axis, d in enumerate(shape))

    @property
    def _array(self):
        raise self._concrete("its values")

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self):
        n = 1
        for d in self._shape:
            n = n * d
        return n

    def __len__(self) -> int:
        if isinstance(self._shape[0] if self._shape else 0, Dim):
            raise self._concrete("len()")
        return super().__len__()

    def _concrete(self, what: str) -> TracingError:
        return TracingError(
            f"{what} of a traced tensor ({self.dtype.name}, rank {self.ndim}) is not "
            "available while @vsla.jit traces the function: its values exist only when "
            "the compiled code runs. Use vsla ops instead of Python control flow on "
            "values, compute outside the jitted function, or mark the argument static "
            "with static_argnums")

    def numpy(self):
        raise self._concrete("numpy()")

    def __array__(self, dtype=None, copy=None):
        raise self._concrete("conversion to a NumPy array")

    def __dlpack__(self, **kwargs):
        raise self._concrete("DLPack export")

    def item(self):
        raise self._concrete("item()")

    def tolist(self):
        raise self._concrete("tolist()")

    def __bool__(self):
        raise self._concrete("the truth value (if/while on a tensor)")

    def __float__(self):
        raise self._concrete("float()")

    def __int__(self):
        raise self._concrete("int()")

    def __index__(self):
        raise self._concrete("use as an index")

    def __iter__(self):
        raise self._concrete("iteration")

    def __eq__(self, other):
        raise self._concrete("comparison (for if/while)")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __repr__(self) -> str:
        dims = ", ".join("?" if isinstance(d, Dim) else str(d) for d in self._shape)
        return f"vsla.Tracer({self.dtype.name}[{dims}])"

    __str__ = __repr__


# The operators' functions; vsla._ops sets this when it is imported (it imports
# this module, so this module cannot import it).
_ops = None


def _method(name: str):
    def method(self):
        return getattr(_ops, name)(self)  # looked up late: _ops imports this module

    method.__name__ = name
    method.__doc__ = f"vsla.{name}(self)"
    return method


# The elementwise ops and shrink are also methods: t.exp(), t.relu(), t.shrink(), ...
for _name in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "gelu", "sin", "cos", "abs",
              "shrink"):
    setattr(Tensor, _name, _method(_name))
