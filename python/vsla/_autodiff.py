"""vsla.grad, vsla.value_and_grad and vsla.vjp: reverse-mode differentiation as a
graph transform. The function is traced into a `vsla` function and the C++ side
appends the adjoint of every op (its VJP rule) to the same function, so the
gradient is again `vsla` IR: it compiles with the forward pass, composes with
@vsla.jit, and can be differentiated again (grad(grad(f)))."""

from __future__ import annotations

import functools
import weakref

import numpy as np

from . import _pytree, _vsla
from ._checks import expect_extent
from ._errors import DTypeError, ShapeError, TracingError, from_status
from ._jit import jit
from ._ragged import RaggedTracer
from ._tensor import Tensor
from ._trace import Dim, current_trace, traced_value, user_location


def _adjoints(trace, outputs: list, cotangents: list, wrt: list) -> list:
    """Tracers for the adjoints of `wrt`, appended to `trace`'s function."""
    try:
        ids = trace.builder.vjp([traced_value(trace, o) for o in outputs],
                                [traced_value(trace, c) for c in cotangents],
                                [traced_value(trace, w) for w in wrt], user_location())
    except _vsla.StatusError as e:
        raise from_status(str(e), TracingError) from None
    return [trace._tracer(i) for i in ids]


def _structured_adjoints(trace, outputs: list, cotangents: list, args: tuple,
                         argnums: tuple, name: str) -> list:
    """The adjoints of the tensors in args[i] for each i in argnums, each with its
    argument's pytree structure."""
    leaves, treedefs = [], []
    for i in argnums:
        if not -len(args) <= i < len(args):
            raise ShapeError(f"{name}: argnums has {i} but the function got {len(args)} "
                             "positional arguments; differentiate with respect to an "
                             "argument that is passed")
        arg_leaves, treedef = _pytree.flatten(args[i])
        for leaf in arg_leaves:
            if isinstance(leaf, RaggedTracer):
                if leaf.dtype not in (np.float32, np.float64):
                    raise DTypeError(f"{name}: argument {i} is a ragged batch of {leaf.dtype}; "
                                     "gradients need float32 or float64 items")
                continue
            if not isinstance(leaf, Tensor):
                raise DTypeError(
                    f"{name}: argument {i} holds a {type(leaf).__name__}; gradients are "
                    "taken with respect to float tensors (Python numbers are static "
                    "constants): pass a NumPy array or vsla.tensor")
            if leaf.dtype not in (np.float32, np.float64):
                raise DTypeError(f"{name}: argument {i} has dtype {leaf.dtype}; gradients "
                                 "need float32 or float64 inputs")
        leaves.append(arg_leaves)
        treedefs.append(treedef)
    flat = [leaf for group in leaves for leaf in group]
    # A ragged batch's gradient is ragged: the adjoint of its packed values,
    # with its shapes.
    grads = _adjoints(trace, outputs, cotangents,
                      [leaf.values if isinstance(leaf, RaggedTracer) else leaf
                       for leaf in flat]) if flat else []
    grads = [RaggedTracer(g, leaf.shapes) if isinstance(leaf, RaggedTracer) else g
             for g, leaf in zip(grads, flat)]
    structured, start = [], 0
    for group, treedef in zip(leaves, treedefs):
        structured.append(_pytree.unflatten(treedef, grads[start:start + len(group)]))
        start += len(group)
    return structured


def _normalize_argnums(argnums, name: str) -> tuple:
    """argnums as a tuple of ints; a clear error for anything else."""
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else argnums
    try:
        nums = tuple(nums)
    except TypeError:
        nums = (argnums,)
    for n in nums:
        if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)):
            raise DTypeError(f"{name}: argnums must be an int or a tuple of ints (the "
                             f"positions of the arguments to differentiate), got {argnums!r}")
    return tuple(int(n) for n in nums)


def value_and_grad(fun, argnums=0, has_aux: bool = False):
    """A function returning (fun(*args), gradient of fun at args).

    fun must return a rank-0 float tensor (or (that, aux) with has_aux=True).
    The gradient has the structure of args[argnums] (a tuple of them when
    argnums is a tuple). Called outside @vsla.jit it compiles itself once per
    argument signature, like a jitted function.

    >>> f = vsla.value_and_grad(lambda x: vsla.sum(x * x))
    >>> value, g = f(np.array([1.0, 2.0, 3.0]))
    >>> float(value), g.numpy().tolist()
    (14.0, [2.0, 4.0, 6.0])
    """
    name = f"value_and_grad({getattr(fun, '__name__', 'f')})"
    nums = _normalize_argnums(argnums, name)

    def staged(*args, **kwargs):
        trace = current_trace()
        out = fun(*args, **kwargs)
        value, aux = out if has_aux else (out, None)
        if has_aux and not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"{name}: with has_aux=True the function must return "
                            "(value, aux)")
        if not isinstance(value, Tensor) or value.ndim != 0 or \
                value.dtype not in (np.float32, np.float64):
            what = (f"a rank-{value.ndim} {value.dtype} tensor"
                    if isinstance(value, Tensor) else f"a {type(value).__name__}")
            raise ShapeError(f"{name}: the function must return a rank-0 float tensor (a "
                             f"scalar loss), got {what}; reduce it (vsla.sum, vsla.mean) "
                             "or use vsla.vjp for non-scalar outputs")
        one = Tensor(np.ones((), value.dtype))
        structured = _structured_adjoints(trace, [value], [one], args, nums, name)
        result_grads = structured[0] if isinstance(argnums, (int, np.integer)) else \
            tuple(structured)
        return ((value, aux) if has_aux else value), result_grads

    staged.__name__ = name.replace("(", "_").replace(")", "")
    compiled = jit(staged)

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        if current_trace() is not None:
            return staged(*args, **kwargs)
        return compiled(*args, **kwargs)

    wrapper.cache_size = compiled.cache_size
    return wrapper


def grad(fun, argnums=0, has_aux: bool = False):
    """The gradient of a scalar function, as a function of the same arguments.

    Composes with @vsla.jit and with itself: grad(grad(f)) differentiates the
    gradient graph again.

    >>> df = vsla.grad(lambda x: vsla.sum(vsla.tanh(x)))
    >>> np.round(df(np.array([0.0, 1.0])).numpy(), 4).tolist()
    [1.0, 0.42]
    """
    both = value_and_grad(fun, argnums, has_aux)

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        out, grads = both(*args, **kwargs)
        return (grads, out[1]) if has_aux else grads

    wrapper.cache_size = both.cache_size
    return wrapper


# (fun, has_aux) -> its compiled forward and backward functions, so repeated
# vsla.vjp calls on one function reuse their compiles.
_vjp_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _vjp_functions(fun, has_aux: bool):
    per_fun = _vjp_cache.setdefault(fun, {})
    if has_aux in per_fun:
        return per_fun[has_aux]
    name = f"vjp({getattr(fun, '__name__', 'f')})"

    def backward(primal_args, cotangent):
        result = fun(*primal_args)
        if has_aux:
            result = result[0]
        outputs, out_tree = _pytree.flatten(result)
        cotangents, ct_tree = _pytree.flatten(cotangent)
        if out_tree != ct_tree or len(outputs) != len(cotangents):
            raise ShapeError(f"{name}: the cotangent's structure differs from the "
                             "output's; pass one array per output, in the same structure")
        pairs = [(o, c if isinstance(c, Tensor) else Tensor(np.asarray(c)))
                 for o, c in zip(outputs, cotangents)
                 if isinstance(o, Tensor) and o.dtype in (np.float32, np.float64)]
        for n, (o, c) in enumerate(pairs):
            if c.ndim != o.ndim or c.dtype != o.dtype:
                raise ShapeError(f"{name}: a cotangent is a rank-{c.ndim} {c.dtype} tensor "
                                 f"but its output is a rank-{o.ndim} {o.dtype} tensor")
            for axis, (od, cd) in enumerate(zip(o.shape, c.shape)):
                expect_extent(cd, od, _cotangent_message(name, n, o.shape, c.shape))
        return tuple(_structured_adjoints(current_trace(), [o for o, _ in pairs],
                                          [c for _, c in pairs], primal_args,
                                          tuple(range(len(primal_args))), name))

    backward.__name__ = "vjp_" + getattr(fun, "__name__", "f").strip("<>")
    per_fun[has_aux] = (jit(fun), backward, jit(backward))
    return per_fun[has_aux]


def _shape_text(shape) -> str:
    return "(" + ", ".join("?" if isinstance(d, Dim) else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _cotangent_message(name: str, n: int, out_shape, ct_shape) -> str:
    return (f"{name}: cotangent {n} has shape {_shape_text(ct_shape)} but its output has "
            f"shape {_shape_text(out_shape)}; a cotangent has exactly its output's shape")


def _check_cotangent_shapes(name: str, out, cotangent) -> None:
    """Eager outputs and cotangents: the extents are known, so check them now (the
    compiled backward function checks them again when it runs)."""
    outputs, out_tree = _pytree.flatten(out)
    cotangents, ct_tree = _pytree.flatten(cotangent)
    if out_tree != ct_tree:
        return  # the backward function says what is wrong with the structure
    for n, (o, c) in enumerate(zip(outputs, cotangents)):
        if not isinstance(o, Tensor) or not hasattr(c, "shape"):
            continue
        if len(c.shape) == o.ndim and tuple(c.shape) != tuple(o.shape):
            raise ShapeError(_cotangent_message(name, n, o.shape, c.shape))


def vjp(fun, *primals, has_aux: bool = False):
    """(fun(*primals), vjp_fn): vjp_fn(cotangent) is the vector-Jacobian product,
    one adjoint per primal (a tuple). The cotangent has the structure of the
    output. As in JAX; vjp_fn recomputes the forward pass inside its compiled code,
    and both are compiled once per function and argument signature.

    >>> out, back = vsla.vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> back(np.array([1.0, 1.0]))[0].numpy().tolist()
    [2.0, 4.0]
    """
    forward, backward, compiled_backward = _vjp_functions(fun, has_aux)
    tracing = current_trace() is not None
    out = fun(*primals) if tracing else forward(*primals)
    primal_out, aux = out if has_aux else (out, None)

    def vjp_fn(cotangent):
        if current_trace() is not None:
            return backward(primals, cotangent)
        _check_cotangent_shapes(f"vjp({getattr(fun, '__name__', 'f')})", primal_out,
                                cotangent)
        return compiled_backward(primals, cotangent)

    return (primal_out, vjp_fn, aux) if has_aux else (primal_out, vjp_fn)


__all__ = ["grad", "value_and_grad", "vjp"]
