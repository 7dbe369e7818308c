"""Gradients: finite-difference checks (float64) of every differentiable op, with
mismatched shapes for the promoting ops, the known-good gradient of DESIGN.md §1,
higher order, and composition with @vsla.jit."""

import numpy as np
import pytest

import vsla
from conftest import assert_close

EPS = 1e-6


def check_vjp(fn, *args, seed=0):
    """vsla.vjp of fn at args against central differences of <cotangent, fn>."""
    rng = np.random.default_rng(seed)
    args = [np.asarray(a, np.float64) for a in args]
    f = vsla.jit(fn)
    out, back = vsla.vjp(fn, *args)
    ct = rng.standard_normal(np.shape(out))
    grads = back(ct)

    def objective(*xs):
        return float(np.sum(ct * np.asarray(f(*xs))))

    for i, x in enumerate(args):
        fd = np.zeros_like(x)
        for idx in np.ndindex(*x.shape):
            plus = [a.copy() for a in args]
            minus = [a.copy() for a in args]
            plus[i][idx] += EPS
            minus[i][idx] -= EPS
            fd[idx] = (objective(*plus) - objective(*minus)) / (2 * EPS)
        got = np.asarray(grads[i])
        assert got.shape == x.shape, f"argument {i}: gradient shape {got.shape} != {x.shape}"
        np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6,
                                   err_msg=f"gradient of argument {i}")


def rand(*shape, seed=0, low=None):
    rng = np.random.default_rng([seed, len(shape), *shape])
    x = rng.standard_normal(shape)
    if low is not None:
        x = np.abs(x) + low
    return x


SHAPE_PAIRS = [((3,), (5,)), ((4,), (2,)), ((2, 3), (3, 1)), ((0,), (3,))]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "maximum", "minimum"])
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_ambient_binary(op, shapes):
    check_vjp(getattr(vsla, op), rand(*shapes[0], seed=1), rand(*shapes[1], seed=2))


@pytest.mark.parametrize("shapes", [((3,), (5,)), ((2, 2), (2, 3))], ids=str)
def test_div(shapes):
    # The denominator covers the numerator (no division by an ambient zero).
    check_vjp(vsla.div, rand(*shapes[0]), rand(*shapes[1], low=0.5))


@pytest.mark.parametrize("fn", [
    lambda x: x + 2.0, lambda x: 2.0 - x, lambda x: x * 3.0, lambda x: x / 2.0,
    lambda x: 2.0 / x, lambda x: x ** 3, lambda x: vsla.maximum(x, 0.3),
    lambda x: vsla.minimum(x, 0.3)], ids=["add", "rsub", "mul", "div", "rdiv", "pow", "max",
                                           "min"])
def test_scalar_ops(fn):
    check_vjp(fn, rand(5, low=0.2) * np.array([1, -1, 1, -1, 1]))


@pytest.mark.parametrize("op", ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
                                "gelu", "sin", "cos", "erf", "sign"])
def test_unary(op):
    x = rand(2, 3, low=0.1) if op in ("log", "sqrt") else rand(2, 3)
    check_vjp(getattr(vsla, op), x)


@pytest.mark.parametrize("fn,shape", [
    (lambda x: vsla.broadcast_to(x, (2, 3)), (3,)),
    (lambda x: vsla.broadcast_to(x, (2, 4, 3)), (4, 1)),
    (lambda x: vsla.broadcast_to(x, (3, 3)), (1, 3)),
    (lambda x: vsla.broadcast_to(x, (2, 3)), (2, 3)),
    (lambda x: vsla.promote(x, (4, 5)), (2, 3)),
    (lambda x: vsla.reshape(x, (3, 2)), (2, 3)),
    (lambda x: vsla.transpose(x, (1, 0)), (2, 3)),
    (lambda x: vsla.reverse(x, 1), (2, 3)),
    (lambda x: x[1:4], (6,)),
    (lambda x: x[::2], (7,)),
    (lambda x: x[1:6:3, 1:], (7, 3)),
    (lambda x: x[2], (4, 2)),
    (lambda x: x[5:0:-2], (7,)),
], ids=["broadcast-leading", "broadcast-size1", "broadcast-row", "broadcast-same", "promote",
        "reshape", "transpose", "reverse", "slice", "slice-step", "slice-2d", "index",
        "slice-negative-step"])
def test_shape_ops(fn, shape):
    check_vjp(fn, rand(*shape))


def test_cast_passes_the_adjoint_through():
    w = np.array([1.0, 2.0, 3.0], np.float32)
    g = vsla.grad(lambda x: vsla.sum(x.astype("float32") * w))(np.ones(3))
    assert g.dtype == np.float64
    assert_close(g, w.astype(np.float64))


def test_concat_stack_windows():
    check_vjp(lambda a, b: vsla.concat([a, b], axis=0), rand(2, 3), rand(1, 3, seed=3))
    check_vjp(lambda a, b, c: vsla.stack([a, b, c]), rand(2), rand(4, seed=1), rand(3, seed=2))
    check_vjp(lambda a, b, c, d: vsla.window_stack([a, b, c, d], 2)[1] * 2.0,
              rand(2), rand(3, seed=1), rand(1, seed=2), rand(2, seed=3))


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ((0, 2), False)])
def test_reductions(op, axis, keepdims):
    check_vjp(lambda x: getattr(vsla, op)(x, axis=axis, keepdims=keepdims), rand(2, 3, 2))


def test_rank0_zero_gradients():
    # Regression: the zero adjoint of a rank-0 value crashed (an "empty" rank-0 constant).
    assert_close(vsla.grad(lambda a: vsla.sum(vsla.sign(a)))(np.array(1.5)), 0.0)
    assert_close(vsla.grad(lambda a, b: vsla.sum(a * 2.0), argnums=1)(np.array(1.0), np.array(2.0)),
                 0.0)


def test_max_splits_ties_evenly():
    g = vsla.grad(lambda x: vsla.max(x))(np.array([1.0, 3.0, 3.0, 2.0]))
    assert_close(g, [0.0, 0.5, 0.5, 0.0])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax(op, axis):
    check_vjp(lambda x: getattr(vsla, op)(x, axis=axis), rand(3, 4))


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((2, 3), (5, 2)), ((2, 4), (2, 2)),
                                    ((2, 2, 3), (1, 3, 2)), ((3,), (3, 2))], ids=str)
def test_matmul(shapes):
    check_vjp(vsla.matmul, rand(*shapes[0]), rand(*shapes[1], seed=1))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("shapes", [((3,), (2,)), ((2,), (4,)), ((2, 3), (1, 2))], ids=str)
def test_conv(mode, shapes):
    check_vjp(lambda a, b: vsla.conv(a, b, mode=mode), rand(*shapes[0]),
              rand(*shapes[1], seed=1))


@pytest.mark.parametrize("shapes", [((2,), (3,)), ((2, 1), (2, 3))], ids=str)
def test_kron(shapes):
    check_vjp(vsla.kron, rand(*shapes[0]), rand(*shapes[1], seed=1))


def test_known_good_gradient():
    da, db = vsla.grad(lambda a, b: vsla.sum(vsla.conv(a, b)), argnums=(0, 1))(
        np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5]))
    assert_close(da, [2, 2, 2])
    assert_close(db, [6, 6])


def test_second_derivatives():
    x = np.array(0.7)
    assert_close(vsla.grad(vsla.grad(lambda t: t * t * t - t * 2.0))(x), 6 * 0.7)
    t = np.tanh(0.7)
    assert_close(vsla.grad(vsla.grad(vsla.tanh))(x), -2 * t * (1 - t * t))
    assert_close(vsla.grad(vsla.grad(vsla.grad(lambda u: u ** 4)))(x), 24 * 0.7)


def test_grad_composes_with_jit():
    f = lambda w, x: vsla.sum(vsla.tanh(x @ w))  # noqa: E731
    w, x = rand(3, 2), rand(4, 3, seed=1)
    eager = vsla.grad(f)(w, x)
    jitted = vsla.jit(vsla.grad(f))
    assert_close(jitted(w, x), eager)
    assert_close(jitted(w, rand(7, 3, seed=2)), vsla.grad(f)(w, rand(7, 3, seed=2)))
    assert jitted.cache_size() == 1
    inner = vsla.jit(f)
    assert_close(vsla.grad(inner)(w, x), eager)
    assert_close(vsla.jit(vsla.grad(inner))(w, x), eager)


def test_value_and_grad_with_pytrees_and_aux():
    def loss(params, x):
        y = x @ params["w"] + vsla.broadcast_to(params["b"], (x.shape[0], 2))
        return vsla.mean(y * y), y

    params = {"w": rand(3, 2), "b": rand(2, seed=1)}
    (value, y), grads = vsla.value_and_grad(loss, has_aux=True)(params, rand(5, 3, seed=2))
    assert y.shape == (5, 2)
    assert_close(value, np.mean(np.asarray(y) ** 2))
    assert set(grads) == {"w", "b"}
    check_vjp(lambda w, b, x: loss({"w": w, "b": b}, x)[0], params["w"], params["b"],
              rand(5, 3, seed=2))


def test_grad_errors():
    with pytest.raises(vsla.ShapeError, match="rank-0 float"):
        vsla.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(vsla.DTypeError, match="Python numbers"):
        vsla.grad(lambda x, y: vsla.sum(x) * y, argnums=1)(np.ones(2), 3.0)
    with pytest.raises(vsla.TracingError, match="not differentiable"):
        vsla.grad(lambda x: vsla.sum(vsla.shrink(x)))(np.ones(3))
    with pytest.raises(vsla.DTypeError, match="float32 or float64"):
        vsla.grad(lambda k: vsla.sum(k.astype("float64")))(np.arange(3))


@pytest.mark.parametrize("shape, taps", [((2, 5), 3), ((2, 1, 4), 1), ((3, 0), 2)], ids=str)
def test_unfold_fold(shape, taps):
    check_vjp(lambda x: vsla.unfold(x, taps), rand(*shape))
    folded = (*shape[:-2], shape[-2] * taps, shape[-1] + taps - 1)
    check_vjp(lambda g: vsla.fold(g, taps), rand(*folded, seed=4))
