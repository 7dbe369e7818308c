"""Every op of the VSLA semantics as a function (DESIGN.md §1). Each checks
its operands, applies NumPy's dtype promotion, and hands one `vsla` op to
`bind`, which records it into a trace or runs it eagerly."""

from __future__ import annotations

import builtins
import functools
import numbers
import sys

import numpy as np

from . import _dtypes, _tensor
from ._dispatch import bind, status_errors
from ._errors import DTypeError, ShapeError
from ._tensor import Tensor, Tracer
from ._trace import Dim, current_trace

__all__ = [
    "add", "sub", "mul", "div", "maximum", "minimum", "power",
    "neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "gelu", "sin", "cos",
    "erf", "sign", "reverse",
    "broadcast_to", "promote", "reshape", "conv", "kron", "matmul",
    "sum", "mean", "max", "min", "softmax", "log_softmax",
    "transpose", "concat", "stack", "window_stack", "pyramid_stack", "shrink", "cast", "unfold", "fold",
]

# -- operand conversion ----------------------------------------------------------------


_PLAIN_NUMBERS = (float, int, bool)


def _is_number(x) -> bool:
    cls = type(x)
    if cls in _PLAIN_NUMBERS:
        return True
    if cls is Tensor or cls is np.ndarray or isinstance(x, Tensor):
        return False
    return isinstance(x, (numbers.Number, np.generic))


def as_tensor(x, what: str = "operand") -> Tensor:
    """x as a Tensor: tensors pass through, NumPy arrays are wrapped without copying."""
    if type(x) is Tensor or isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(_dtypes.check_array(x, what))
    if isinstance(x, (list, tuple)) or _is_number(x):
        try:
            array = np.asarray(x)
        except ValueError as e:
            raise ShapeError(f"{what} is a ragged nested list ({e}); build each row as a "
                             "tensor and use vsla.stack, which zero-extends them") from None
        if array.dtype == np.float64 and not isinstance(x, np.generic):
            array = array.astype(np.float32)  # Python floats default to float32
        return Tensor(_dtypes.check_array(array, what))
    device = getattr(x, "__dlpack_device__", None)
    if device is not None and device()[0] == 2:  # DLPack's kDLCUDA: PyTorch, CuPy
        from ._creation import from_dlpack

        return from_dlpack(x)
    raise DTypeError(f"{what} is a {type(x).__name__}; pass a vsla tensor, a NumPy array, "
                     "a (nested) list of numbers or a Python number")


def _shape_text(t: Tensor) -> str:
    return "(" + ", ".join("?" if isinstance(d, Dim) else str(d) for d in t.shape) + \
        ("," if t.ndim == 1 else "") + ")"


def _cast_to(t: Tensor, dtype: np.dtype) -> Tensor:
    return t if t.dtype == dtype else cast(t, dtype)


def _axis(axis, ndim: int, op: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise ShapeError(f"vsla.{op}: axis {axis!r} is not an int")
    if not -ndim <= axis < ndim:
        raise ShapeError(f"vsla.{op}: axis {axis} is out of range for a rank-{ndim} tensor; "
                         f"use an axis in [{-ndim}, {ndim})")
    return int(axis) % ndim


def _axes(axis, ndim: int, op: str) -> list:
    if axis is None:
        return list(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = [_axis(a, ndim, op) for a in axis]
        if len(set(axes)) != len(axes):
            raise ShapeError(f"vsla.{op}: axes {tuple(axis)} repeat an axis; name each once")
        return sorted(axes)
    return [_axis(axis, ndim, op)]


def _same_rank(op: str, tensors: list, fix: str) -> None:
    ranks = {t.ndim for t in tensors}
    if len(ranks) > 1:
        shapes = " and ".join(_shape_text(t) for t in tensors)
        raise ShapeError(f"vsla.{op}: operand ranks differ: shapes {shapes}. {fix}")


_RANK_FIX = ("VSLA never broadcasts between tensors implicitly: use vsla.broadcast_to(x, shape) "
             "to stretch size-1 axes, vsla.promote(x, shape) to zero-extend, or x.reshape(...) "
             "to add axes")

# -- elementwise ---------------------------------------------------------------------------

_SCALAR_OPS = {
    # op: (tensor op scalar, scalar op tensor)
    "add": ("add_scalar", "add_scalar"),
    "sub": ("sub_scalar", "rsub_scalar"),
    "mul": ("mul_scalar", "mul_scalar"),
    "div": ("div_scalar", "rdiv_scalar"),
    "maximum": ("maximum_scalar", "maximum_scalar"),
    "minimum": ("minimum_scalar", "minimum_scalar"),
}
_FLOAT_ONLY = {"div", "div_scalar", "rdiv_scalar", "pow_scalar"}
_VSLA_NAMES = {op: "vsla." + op for op in _SCALAR_OPS}


def _binary(op: str, a, b) -> Tensor:
    if type(a) is Tensor and type(b) is Tensor:  # the common eager case, checked quickly
        da, db = a._array.dtype, b._array.dtype
        if da is db and da in _dtypes.FLOATS and a._array.ndim == b._array.ndim:
            return bind(_VSLA_NAMES[op], [a, b])[0]
    if _is_number(a) and _is_number(b):
        raise DTypeError(f"vsla.{op} needs at least one tensor operand, got two numbers")
    if _is_number(b):
        return _scalar_op(_SCALAR_OPS[op][0], as_tensor(a, "the left operand"), b)
    if _is_number(a):
        return _scalar_op(_SCALAR_OPS[op][1], as_tensor(b, "the right operand"), a)
    a, b = as_tensor(a, "the left operand"), as_tensor(b, "the right operand")
    _same_rank(op, [a, b], _RANK_FIX)
    dtype = _dtypes.result_type(a.dtype, b.dtype)
    if dtype == _dtypes.bool_:
        dtype = _dtypes.int64
    if op in _FLOAT_ONLY:
        dtype = _dtypes.float_result(dtype)
    return bind(f"vsla.{op}", [_cast_to(a, dtype), _cast_to(b, dtype)])[0]


_EQUAL_SHAPES = (("vsla.equal_shapes", "unit"),)


def same_shape(op: str, a: Tensor, b: Tensor) -> Tensor:
    """An ambient binary op ("add", "sub", "mul", "div") on float tensors of the same
    dtype whose shapes are equal by construction (layers and optimizers know this):
    it compiles to one fused loop with no run-time shape branch."""
    a, b = as_tensor(a), as_tensor(b)
    if current_trace() is None and not isinstance(a, Tracer) and not isinstance(b, Tracer):
        if a.shape != b.shape:
            raise ShapeError(f"vsla.{op}: shapes {a.shape} and {b.shape} were promised equal")
    if a.dtype != b.dtype or a.ndim != b.ndim:
        return _binary(op, a, b)
    return bind(_VSLA_NAMES[op], [a, b], attrs=_EQUAL_SHAPES)[0]


def _scalar_op(op: str, t: Tensor, value) -> Tensor:
    if isinstance(value, complex) or (isinstance(value, np.generic) and value.dtype.kind == "c"):
        raise DTypeError(f"vsla.{op}: complex scalars are not supported")
    dtype = _dtypes.scalar_result(t.dtype, value if not isinstance(value, np.generic)
                                  else value.item())
    if dtype == _dtypes.bool_:
        dtype = _dtypes.int64
    if op in _FLOAT_ONLY:
        dtype = _dtypes.float_result(dtype)
    if dtype in _dtypes.FLOATS:
        value = float(value)
    else:
        value = int(value)
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            # NumPy 2 (NEP 50) raises for an out-of-range Python int too.
            raise DTypeError(f"vsla.{op}: Python integer {value} is out of bounds for "
                             f"{dtype.name} (the tensor's dtype); cast the tensor to a wider "
                             "dtype first (x.astype('int64'))")
    return bind(f"vsla.{op}", [_cast_to(t, dtype)], scalar=(value, dtype))[0]


def add(a, b) -> Tensor:
    """a + b with ambient promotion: each operand reads as 0 outside its shape.

    >>> vsla.add(vsla.tensor([1., 2., 3.]), vsla.tensor([4., 5.]))
    vsla.tensor([5., 7., 3.], dtype=float32)
    """
    return _binary("add", a, b)


def sub(a, b) -> Tensor:
    """a - b with ambient promotion."""
    return _binary("sub", a, b)


def mul(a, b) -> Tensor:
    """Elementwise (Hadamard) a * b with ambient promotion: [2,3]*[4,5,6] = [8,15,0]."""
    return _binary("mul", a, b)


def div(a, b) -> Tensor:
    """a / b with ambient promotion (IEEE: dividing by an ambient 0 gives Inf or NaN)."""
    return _binary("div", a, b)


def maximum(a, b) -> Tensor:
    """Elementwise maximum with ambient promotion (NaN propagates)."""
    return _binary("maximum", a, b)


def minimum(a, b) -> Tensor:
    """Elementwise minimum with ambient promotion (NaN propagates)."""
    return _binary("minimum", a, b)


def power(x, exponent) -> Tensor:
    """x ** exponent for a Python number exponent (float result)."""
    if not _is_number(exponent):
        raise DTypeError("vsla.power takes a number as the exponent; for a tensor exponent "
                         "use vsla.exp(y * vsla.log(x))")
    if _is_number(x):
        raise DTypeError("number ** tensor is not supported; use vsla.exp(x * math.log(base))")
    return _scalar_op("pow_scalar", as_tensor(x), exponent)


def _unary(op: str, x, floats_only: bool = True) -> Tensor:
    x = as_tensor(x)
    dtype = _dtypes.float_result(x.dtype) if floats_only else x.dtype
    if dtype == _dtypes.bool_:
        dtype = _dtypes.int64
    return bind(f"vsla.{op}", [_cast_to(x, dtype)])[0]


def neg(x) -> Tensor:
    """-x."""
    return _unary("neg", x, floats_only=False)


def abs(x) -> Tensor:  # noqa: A001
    """|x|."""
    return _unary("abs", x, floats_only=False)


def relu(x) -> Tensor:
    """max(x, 0)."""
    return _unary("relu", x, floats_only=False)


def exp(x) -> Tensor:
    """e ** x."""
    return _unary("exp", x)


def log(x) -> Tensor:
    """Natural logarithm (log 0 = -Inf, log of a negative number = NaN)."""
    return _unary("log", x)


def sqrt(x) -> Tensor:
    """Square root."""
    return _unary("sqrt", x)


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return _unary("tanh", x)


def sigmoid(x) -> Tensor:
    """1 / (1 + e ** -x)."""
    return _unary("sigmoid", x)


def gelu(x) -> Tensor:
    """GELU, exact (erf) form: x * Phi(x)."""
    return _unary("gelu", x)


def sin(x) -> Tensor:
    """Sine."""
    return _unary("sin", x)


def cos(x) -> Tensor:
    """Cosine."""
    return _unary("cos", x)


def erf(x) -> Tensor:
    """The error function."""
    return _unary("erf", x)


def sign(x) -> Tensor:
    """-1, 0 or 1 by the sign of each element (NaN stays NaN)."""
    return _unary("sign", x, floats_only=False)


def reverse(x, axis=None) -> Tensor:
    """The elements in reverse order along axis (an int, a tuple, or None for all), as
    numpy.flip.

    >>> vsla.reverse(vsla.tensor([1., 2., 3.]))
    vsla.tensor([3., 2., 1.], dtype=float32)
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim, "reverse")
    if current_trace() is None and not isinstance(x, Tracer) and _on_host(x):
        return Tensor(np.flip(x._array, axes) if axes else x._array)  # a view
    return bind("vsla.reverse", [x], attrs=(("axes", f"array<i64: {', '.join(map(str, axes))}>"
                                             if axes else "array<i64>"),))[0]


# -- shapes ----------------------------------------------------------------------------------


def _shape_arg(shape, op: str) -> list:
    if isinstance(shape, (int, np.integer, Dim)):
        shape = (shape,)
    try:
        entries = list(shape)
    except TypeError:
        raise ShapeError(f"vsla.{op}: shape {shape!r} is not a sequence of ints") from None
    for e in entries:
        if isinstance(e, Dim):
            continue
        if not isinstance(e, (int, np.integer)) or isinstance(e, bool):
            raise ShapeError(f"vsla.{op}: shape entry {e!r} is not an int")
    return entries


def _check_extents(shape: list, op: str) -> None:
    for e in shape:
        if not isinstance(e, Dim) and e < 0:
            raise ShapeError(f"vsla.{op}: shape {tuple(shape)} has a negative extent")


def broadcast_to(x, shape) -> Tensor:
    """NumPy broadcasting, explicit: size-1 axes stretch and leading axes are added.

    >>> vsla.broadcast_to(vsla.tensor([[1.], [2.]]), (2, 3)).shape
    (2, 3)
    """
    x = as_tensor(x)
    shape = _shape_arg(shape, "broadcast_to")
    _check_extents(shape, "broadcast_to")
    if len(shape) < x.ndim:
        raise ShapeError(f"vsla.broadcast_to: cannot broadcast shape {_shape_text(x)} to the "
                         f"lower rank {len(shape)}; the target needs at least rank {x.ndim}")
    return bind("vsla.broadcast_to", [x], shape_lists=(("static_shape", shape),))[0]


def promote(x, shape) -> Tensor:
    """Explicit zero-extension to a larger shape of the same rank.

    >>> vsla.promote(vsla.tensor([1., 2.]), (4,))
    vsla.tensor([1., 2., 0., 0.], dtype=float32)
    """
    x = as_tensor(x)
    shape = _shape_arg(shape, "promote")
    _check_extents(shape, "promote")
    if len(shape) != x.ndim:
        raise ShapeError(f"vsla.promote: target shape {tuple(shape)} has rank {len(shape)} but "
                         f"the tensor {_shape_text(x)} has rank {x.ndim}; promote keeps the "
                         "rank (reshape first to add axes)")
    return bind("vsla.promote", [x], shape_lists=(("static_shape", shape),))[0]


def reshape(x, shape) -> Tensor:
    """As NumPy: same elements in row-major order; one entry may be -1."""
    x = as_tensor(x)
    shape = _shape_arg(shape, "reshape")
    unknown = [i for i, e in enumerate(shape) if not isinstance(e, Dim) and e == -1]
    if len(unknown) > 1:
        raise ShapeError(f"vsla.reshape: shape {tuple(shape)} has more than one -1")
    if unknown:
        known = 1
        for i, e in enumerate(shape):
            if i != unknown[0]:
                known = known * e
        if not isinstance(known, Dim) and known == 0:
            raise ShapeError(f"vsla.reshape: cannot infer the -1 in {tuple(shape)}: the other "
                             "extents multiply to 0")
        shape[unknown[0]] = x.size // known
    _check_extents(shape, "reshape")
    if current_trace() is None:
        if int(np.prod(shape)) != x.size:
            raise ShapeError(f"vsla.reshape: cannot reshape {_shape_text(x)} ({x.size} elements) "
                             f"to {tuple(shape)}")
        if not _on_host(x):
            with status_errors():
                return Tensor(x._array.reshape([int(d) for d in shape]))  # a view
        return Tensor(x._array.reshape(shape))  # a view when the layout allows it
    return bind("vsla.reshape", [x], shape_lists=(("static_shape", shape),))[0]


def transpose(x, axes=None) -> Tensor:
    """Permutes the axes (reverses them when axes is None), as NumPy."""
    x = as_tensor(x)
    perm = list(range(x.ndim))[::-1] if axes is None else [_axis(a, x.ndim, "transpose")
                                                          for a in axes]
    if sorted(perm) != list(range(x.ndim)):
        raise ShapeError(f"vsla.transpose: axes {tuple(axes)} are not a permutation of "
                         f"0..{x.ndim - 1}")
    if current_trace() is None and _on_host(x):
        return Tensor(x._array.transpose(perm))  # a view
    return bind("vsla.transpose", [x], attrs=(("perm", f"array<i64: {', '.join(map(str, perm))}>"
                                               if perm else "array<i64>"),))[0]


# -- contractions --------------------------------------------------------------------------


def _contraction_operands(op: str, a, b) -> tuple:
    a, b = as_tensor(a, "the left operand"), as_tensor(b, "the right operand")
    dtype = _dtypes.result_type(a.dtype, b.dtype)
    if dtype == _dtypes.bool_:
        dtype = _dtypes.int64
    return _cast_to(a, dtype), _cast_to(b, dtype)


_CONV_MODES = ("full", "valid", "same")


def conv(a, b, mode: str = "full") -> Tensor:
    """Full linear convolution along the last axis (a polynomial product); leading
    axes are batch axes, ambient-promoted. mode "valid"/"same" slice it as NumPy.

    >>> vsla.conv(vsla.tensor([1., 2.]), vsla.tensor([3., 4.]))
    vsla.tensor([ 3., 10.,  8.], dtype=float32)
    """
    if mode not in _CONV_MODES:
        raise ShapeError(f"vsla.conv: mode {mode!r} is not one of {', '.join(_CONV_MODES)}")
    a, b = _contraction_operands("conv", a, b)
    _same_rank("conv", [a, b], "conv takes operands of equal rank: the last axis is "
               "convolved and the leading axes are batch axes; reshape to match")
    if a.ndim == 0:
        raise ShapeError("vsla.conv: operands must have rank >= 1")
    return bind("vsla.conv", [a, b], attrs=(("mode", f"#vsla<conv_mode {mode}>"),))[0]


def kron(a, b) -> Tensor:
    """Kronecker product (order matters): kron([1,2],[3,4]) = [3,4,6,8]."""
    a, b = _contraction_operands("kron", a, b)
    _same_rank("kron", [a, b], "kron takes operands of equal rank; reshape to match")
    return bind("vsla.kron", [a, b])[0]


def matmul(a, b) -> Tensor:
    """[..., m, k] @ [..., k', n]: the inner axis is ambient-promoted (zeros beyond the
    shorter k), and so are the batch axes. 1-D operands work as in NumPy."""
    a, b = _contraction_operands("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError("vsla.matmul: operands must have rank >= 1; use * for scalars")
    squeeze = []
    if a.ndim == 1:
        a = reshape(a, (1, a.shape[0]))
        squeeze.append(-2)
    if b.ndim == 1:
        b = reshape(b, (b.shape[0], 1))
        squeeze.append(-1)
    _same_rank("matmul", [a, b], "batch axes must match in number; reshape to add them")
    r = bind("vsla.matmul", [a, b])[0]
    if squeeze:
        keep = [d for i, d in enumerate(r.shape) if i - r.ndim not in squeeze]
        r = reshape(r, keep)
    return r


# -- reductions ------------------------------------------------------------------------------


def _reduce(op: str, x, axis, keepdims: bool, floats: bool = False) -> Tensor:
    x = as_tensor(x)
    axes = _axes(axis, x.ndim, op)
    dtype = x.dtype
    if floats:
        dtype = _dtypes.float_result(dtype)
    elif dtype == _dtypes.bool_:
        dtype = _dtypes.int64
    attrs = (("axes", f"array<i64: {', '.join(map(str, axes))}>" if axes else "array<i64>"),)
    if keepdims:
        attrs += (("keepdims", "unit"),)
    return bind(f"vsla.{op}", [_cast_to(x, dtype)], attrs=attrs)[0]


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum over axis (an int, a tuple, or None for all)."""
    return _reduce("sum", x, axis, keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over axis, dividing by the logical extent."""
    return _reduce("mean", x, axis, keepdims, floats=True)


def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum over axis (NaN propagates)."""
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum over axis (NaN propagates)."""
    return _reduce("min", x, axis, keepdims)


def _softmax_like(op: str, x, axis: int) -> Tensor:
    x = as_tensor(x)
    if x.ndim == 0:
        raise ShapeError(f"vsla.{op}: the input must have rank >= 1")
    a = _axis(axis, x.ndim, op)
    return bind(f"vsla.{op}", [_cast_to(x, _dtypes.float_result(x.dtype))],
                attrs=(("axis", f"{a} : i64"),))[0]


def softmax(x, axis: int = -1) -> Tensor:
    """Numerically stable softmax along axis."""
    return _softmax_like("softmax", x, axis)


def log_softmax(x, axis: int = -1) -> Tensor:
    """Numerically stable log-softmax along axis."""
    return _softmax_like("log_softmax", x, axis)


# -- joining and splitting -------------------------------------------------------------------


def _tensor_list(xs, op: str) -> list:
    if isinstance(xs, (Tensor, np.ndarray)):
        raise ShapeError(f"vsla.{op} takes a list of tensors, got one tensor; wrap it: [x]")
    if not isinstance(xs, (list, tuple)):
        raise DTypeError(f"vsla.{op} takes a list or tuple of tensors, got a "
                         f"{type(xs).__name__}")
    ts = [as_tensor(x, f"input {i} of vsla.{op}") for i, x in enumerate(xs)]
    if not ts:
        raise ShapeError(f"vsla.{op} needs at least one tensor")
    dtype = _dtypes.result_type(*[t.dtype for t in ts])
    return [_cast_to(t, dtype) for t in ts]


def concat(xs, axis: int = 0) -> Tensor:
    """Joins tensors along an existing axis, as numpy.concatenate."""
    ts = _tensor_list(xs, "concat")
    _same_rank("concat", ts, "concatenated tensors need equal ranks")
    if ts[0].ndim == 0:
        raise ShapeError("vsla.concat: rank-0 tensors cannot be concatenated; use vsla.stack")
    a = _axis(axis, ts[0].ndim, "concat")
    return bind("vsla.concat", ts, attrs=(("axis", f"{a} : i64"),))[0]


def stack(xs) -> Tensor:
    """Stacks tensors of equal rank along a new leading axis, each zero-extended to
    the ambient (per-axis maximum) shape: stack([10,20],[30,40,50],[60])."""
    ts = _tensor_list(xs, "stack")
    _same_rank("stack", ts, "stack zero-extends extents but not ranks; reshape to match")
    return bind("vsla.stack", ts)[0]


def _window_args(xs, window, op: str) -> list:
    ts = _tensor_list(xs, op)
    _same_rank(op, ts, "windows stack tensors of equal rank")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ShapeError(f"vsla.{op}: window {window!r} must be an int >= 1")
    return ts


def _keep_partial(partial: str, keep_partial, op: str) -> bool:
    if keep_partial is not None:  # the older spelling
        return bool(keep_partial)
    if partial not in ("drop", "keep"):
        raise ValueError(f"vsla.{op}: partial must be 'drop' or 'keep', got {partial!r}")
    return partial == "keep"


def window_stack(xs, window: int, partial: str = "drop", *, keep_partial=None) -> list:
    """Stacks of each run of `window` consecutive tensors (non-overlapping), each
    zero-extended to its window's largest shape; a partial last window is dropped,
    or stacked on its own with partial="keep". vsla.Window streams the same.

    >>> [s.shape for s in vsla.window_stack([[1., 2.], [3., 4.], [5., 6.], [7., 8.]], 3)]
    [(3, 2)]
    """
    ts = _window_args(xs, window, "window_stack")
    keep = _keep_partial(partial, keep_partial, "window_stack")
    attrs = (("window", f"{int(window)} : i64"),) + ((("keep_partial", "unit"),)
                                                     if keep else ())
    if len(ts) < window and not keep:
        return []
    return bind("vsla.window_stack", ts, attrs=attrs)


def pyramid_stack(xs, window: int, levels: int, partial: str = "drop", *,
                  keep_partial=None) -> list:
    """Windows of windows: level 1 stacks `window` inputs, level 2 stacks `window`
    level-1 stacks, and so on; returns the stacks of the last level. partial="keep"
    keeps partial windows at every level. vsla.Pyramid streams the same.

    >>> [s.shape for s in vsla.pyramid_stack([[1.0]] * 4, 2, 2)]
    [(2, 2, 1)]
    """
    ts = _window_args(xs, window, "pyramid_stack")
    if not isinstance(levels, (int, np.integer)) or levels < 1:
        raise ShapeError(f"vsla.pyramid_stack: levels {levels!r} must be an int >= 1")
    keep = _keep_partial(partial, keep_partial, "pyramid_stack")
    attrs = (("window", f"{int(window)} : i64"), ("levels", f"{int(levels)} : i64")) + (
        (("keep_partial", "unit"),) if keep else ())
    if len(ts) < window ** levels and not keep:
        return []
    return bind("vsla.pyramid_stack", ts, attrs=attrs)


def unfold(x, taps: int) -> Tensor:
    """The k = taps shifted copies of a signal that a channelled convolution reads
    (im2col): for x of shape (..., C, L), row j * C + c of the (..., k * C, L + k - 1)
    result is channel c shifted right by j. Its gradient is fold.

    >>> vsla.unfold(vsla.tensor([[1.0, 2.0]]), 2).numpy().tolist()
    [[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"vsla.unfold takes (..., channels, length) tensors, got rank {x.ndim}; "
                         "reshape a signal to (1, length)")
    return bind("vsla.unfold", [x], attrs=(("taps", f"{_taps(taps, 'unfold')} : i64"),))[0]


def fold(x, taps: int) -> Tensor:
    """Sums unfold's shifted copies back: (..., k * C, L + k - 1) -> (..., C, L), the
    adjoint of unfold.

    >>> vsla.fold(vsla.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 2.0]]), 2).numpy().tolist()
    [[2.0, 4.0]]
    """
    x = as_tensor(x)
    k = _taps(taps, "fold")
    if x.ndim < 2:
        raise ShapeError(f"vsla.fold takes (..., taps * channels, length) tensors, got rank "
                         f"{x.ndim}")
    return bind("vsla.fold", [x], attrs=(("taps", f"{k} : i64"),))[0]


def _taps(taps, op: str) -> int:
    if not isinstance(taps, (int, np.integer)) or isinstance(taps, bool) or taps < 1:
        raise ShapeError(f"vsla.{op}: taps must be an int >= 1, got {taps!r}")
    return int(taps)


def shrink(x) -> Tensor:
    """The minimal representative: trailing all-zero hyperplanes removed, last axis
    first; all zeros give an empty tensor. shrink([3, 2, 0]) = [3, 2]."""
    return bind("vsla.shrink", [as_tensor(x)])[0]


def cast(x, dtype) -> Tensor:
    """Converts the element type, as NumPy's astype."""
    x = as_tensor(x)
    dtype = _dtypes.canonicalize(dtype)
    if x.dtype == dtype:
        return x
    trace = current_trace()
    if trace is None and not _on_host(x):
        return _device_cast(dtype)(x)  # a kernel on the tensor's GPU
    if trace is None:
        return Tensor(x._array.astype(dtype))
    from ._trace import traced_value, user_location

    with_loc = user_location()
    value = trace.builder.cast(traced_value(trace, x), dtype.name, with_loc)
    return trace._tracer(value)


def _on_host(x: Tensor) -> bool:
    """Whether an eager tensor's values are a NumPy array (NumPy's views and casts
    apply); a tensor on a GPU runs each op as a compiled kernel there."""
    return type(x._array) is np.ndarray


@functools.lru_cache(maxsize=None)
def _device_cast(dtype):
    from ._jit import jit

    return jit(lambda x: cast(x, dtype))


# The operators and methods of Tensor call these functions.
_tensor._ops = sys.modules[__name__]

# -- indexing --------------------------------------------------------------------------------


def _dmax(a, b):
    if isinstance(a, Dim) or isinstance(b, Dim):
        return Dim._arith(a, "arith.maxsi", b) if isinstance(a, Dim) else \
            Dim._arith(b, "arith.maxsi", a)
    return builtins.max(a, b)


def _dmin(a, b):
    if isinstance(a, Dim) or isinstance(b, Dim):
        return Dim._arith(a, "arith.minsi", b) if isinstance(a, Dim) else \
            Dim._arith(b, "arith.minsi", a)
    return builtins.min(a, b)


def _dceildiv(a, b: int):
    if isinstance(a, Dim):
        return Dim._arith(a, "arith.ceildivsi", b)
    return -(-a // b)


# Python ints beyond this magnitude are clamped in slices: no extent comes near it,
# and the compiled code takes 64-bit integers.
_BOUND_LIMIT = 2**62


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _slice_part(value, what: str, axis: int, traced: bool):
    """A slice's start, stop or step as an int (clamped to +-2**62) or a Dim."""
    if value is None or (traced and isinstance(value, Dim)):
        return value
    if not _is_int(value):
        hint = "traced tensor values cannot be slice bounds (pass them with static_argnums)" \
            if isinstance(value, Tensor) else "use an int or None"
        raise ShapeError(f"slice {what} {value!r} on axis {axis} is not an int; {hint}")
    return builtins.max(-_BOUND_LIMIT, builtins.min(int(value), _BOUND_LIMIT))


def _check_index(index: tuple, x, traced: bool) -> tuple:
    """Validates a basic index (ints, slices, ..., None), the same eager and traced."""
    out = []
    axis = 0
    for i in index:
        if isinstance(i, (Tensor, np.ndarray, list)):
            raise ShapeError("indexing with arrays (gather) is not supported; use slices, "
                             "or compute the selection in NumPy")
        if i is None or i is Ellipsis:
            out.append(i)
            continue
        if isinstance(i, slice):
            step = _slice_part(i.step, "step", axis, traced)
            if isinstance(step, Dim) or step == 0:
                raise ShapeError(f"slice step {i.step!r} on axis {axis} must be a nonzero int")
            out.append(slice(_slice_part(i.start, "start", axis, traced),
                             _slice_part(i.stop, "stop", axis, traced), step))
        elif _is_int(i):
            if not -_BOUND_LIMIT <= int(i) < _BOUND_LIMIT:
                raise ShapeError(f"index {i} is out of bounds for axis {axis} of a rank-"
                                 f"{x.ndim} tensor")
            out.append(int(i))
        elif isinstance(i, (bool, np.bool_)):
            raise ShapeError(f"index {i!r} on axis {axis} is a bool; boolean masks are not "
                             "supported (compute the selection in NumPy), and an int index "
                             "must be an int, not True/False")
        else:
            raise ShapeError(f"index {i!r} is not supported; use ints, slices, ... or None")
        axis += 1
    return tuple(out)


def _wrap_negative(value: Dim, extent):
    """value + extent where value < 0, else value: a Python index that counts from
    the end, computed when the compiled code runs."""
    trace = value._trace
    v = value.value_id(trace)
    negative = trace.create("arith.cmpi", [v, trace.index(0)], [("predicate", "2 : i64")])[0]
    wrapped = (value + extent).value_id(trace)
    return Dim(trace, value=trace.create("arith.select", [negative, wrapped, v], [])[0])


def _bound(value, extent):
    """A Python slice bound clamped to [0, extent], as NumPy does: a negative bound,
    symbolic (Dim) or not, counts from the end (x[:n - 5] on a short x as eagerly)."""
    if isinstance(value, Dim):
        return _dmin(_dmax(_wrap_negative(value, extent), 0), extent)
    if not isinstance(value, (int, np.integer)):
        raise ShapeError(f"slice bound {value!r} is not an int; traced tensor values cannot be "
                         "slice bounds (pass them with static_argnums)")
    value = int(value)
    if value < 0:
        return _dmax(extent + value, 0)
    return _dmin(value, extent)


def _backward_bound(value, extent):
    """A bound of a negative-step slice, clamped to [-1, extent - 1] as NumPy does."""
    if isinstance(value, Dim):
        return _dmin(_dmax(_wrap_negative(value, extent), -1), extent - 1)
    if not isinstance(value, (int, np.integer)):
        raise ShapeError(f"slice bound {value!r} is not an int")
    value = int(value)
    if value < 0:
        return _dmax(extent + value, -1)
    return _dmin(value, extent - 1)


def getitem(x: Tensor, index) -> Tensor:
    """Basic indexing as NumPy: ints, slices, Ellipsis and None."""
    if not isinstance(index, tuple):
        index = (index,)
    traced = current_trace() is not None or isinstance(x, Tracer)
    index = _check_index(index, x, traced)
    if not traced and _on_host(x):
        # With an Ellipsis NumPy gives a rank-0 view for a full int index, not a scalar.
        view = index if builtins.any(i is Ellipsis for i in index) else index + (Ellipsis,)
        try:
            return Tensor(x._array[view])
        except IndexError as e:
            raise ShapeError(f"index {index!r} into shape {x.shape}: {e}") from None
    ellipses = builtins.sum(1 for i in index if i is Ellipsis)
    if ellipses > 1:
        raise ShapeError("an index can only have a single ellipsis ('...')")
    used = builtins.sum(1 for i in index if i is not None and i is not Ellipsis)
    if used > x.ndim:
        raise ShapeError(f"too many indices ({used}) for a rank-{x.ndim} tensor")
    expanded = []
    for i in index:
        if i is Ellipsis:
            expanded += [slice(None)] * (x.ndim - used)
        else:
            expanded.append(i)
    expanded += [slice(None)] * (x.ndim - builtins.sum(1 for i in expanded if i is not None))

    offsets, sizes, strides, result_shape, reversed_axes = [], [], [], [], []
    axis = 0
    for i in expanded:
        if i is None:
            result_shape.append(1)
            continue
        extent = x.shape[axis]
        if isinstance(i, slice) and i.step is not None and \
                isinstance(i.step, (int, np.integer)) and i.step < 0:
            # A negative step reads the reversed axis: x index k is element
            # extent - 1 - k of vsla.reverse(x).
            first = extent - 1 if i.start is None else _backward_bound(i.start, extent)
            last = -1 if i.stop is None else _backward_bound(i.stop, extent)
            size = _dceildiv(_dmax(first - last, 0), -int(i.step))
            reversed_axes.append(axis)
            offsets.append(extent - 1 - first)
            sizes.append(size)
            strides.append(-int(i.step))
            result_shape.append(size)
        elif isinstance(i, slice):
            step = 1 if i.step is None else i.step
            if not isinstance(step, (int, np.integer)) or step == 0:
                raise ShapeError(f"slice step {step!r} on axis {axis} must be a nonzero int")
            start = 0 if i.start is None else _bound(i.start, extent)
            stop = extent if i.stop is None else _bound(i.stop, extent)
            size = _dceildiv(_dmax(stop - start, 0), int(step))
            offsets.append(start)
            sizes.append(size)
            strides.append(int(step))
            result_shape.append(size)
        elif isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            i = int(i)
            if not isinstance(extent, Dim) and not -extent <= i < extent:
                raise ShapeError(f"index {i} is out of bounds for axis {axis} with size {extent}")
            offsets.append(extent + i if i < 0 else i)
            sizes.append(1)
            strides.append(1)
        else:
            raise ShapeError(f"index {i!r} is not supported; use ints, slices, ... or None")
        axis += 1
    if reversed_axes:
        x = reverse(x, tuple(reversed_axes))
    r = bind("vsla.slice", [x], shape_lists=(("static_offsets", offsets),
                                             ("static_sizes", sizes),
                                             ("static_strides", strides)),
             segment_sizes=True)[0]
    if len(result_shape) != r.ndim or any(not isinstance(i, slice) for i in expanded):
        r = reshape(r, result_shape)
    return r
