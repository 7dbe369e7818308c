"""Every op of DESIGN.md §1 against a NumPy reference, eagerly and under @vsla.jit,
on random shapes (mismatched for the promoting ops, and empty), float32 and float64."""

import warnings

import numpy as np
import pytest

import vsla
from conftest import (
    DTYPES,
    ambient,
    assert_close,
    pad_to,
    random_array,
    random_shape,
    ref_conv,
    ref_gelu,
    ref_matmul,
    ref_shrink,
    ref_softmax,
    ref_stack,
)

MODES = ["eager", "jit"]


def run(how, fn, **static):
    """fn with its static keyword arguments bound, eager or jitted."""
    def f(*args):
        return fn(*args, **static)

    return vsla.jit(f) if how == "jit" else f


BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "maximum": np.maximum, "minimum": np.minimum,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_ambient_binary(name, dtype, mode, rank, rng):
    op = getattr(vsla, name)
    f = run(mode, op)
    for _ in range(6):
        a = random_array(rng, random_shape(rng, rank), dtype)
        b = random_array(rng, random_shape(rng, rank), dtype)
        assert_close(f(a, b), ambient(BINARY[name], a, b), dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_ambient_binary_nan_inf(name, mode):
    f = run(mode, getattr(vsla, name))
    a = np.array([np.nan, np.inf, -np.inf, 1.0, 2.0], np.float32)
    b = np.array([1.0, np.inf, 2.0], np.float32)
    assert_close(f(a, b), ambient(BINARY[name], a, b), np.float32)
    assert_close(f(b, a), ambient(BINARY[name], b, a), np.float32)


@pytest.mark.parametrize("mode", MODES)
def test_operators_and_scalars(mode, rng):
    a = random_array(rng, (5,), np.float64)
    b = random_array(rng, (3,), np.float64)

    def f(x, y):
        return (x + y, x - y, x * y, x / 2.0, 2.0 / (y * y + 1.0), x ** 2, -x, abs(x),
                3.0 - x, x + 1, 2 * x, vsla.maximum(x, 0.5), vsla.minimum(x, 0.5))

    got = run(mode, f)(vsla.asarray(a), vsla.asarray(b))
    want = (ambient(np.add, a, b), ambient(np.subtract, a, b), ambient(np.multiply, a, b),
            a / 2.0, 2.0 / (b * b + 1.0), a ** 2, -a, np.abs(a), 3.0 - a, a + 1, 2 * a,
            np.maximum(a, 0.5), np.minimum(a, 0.5))
    for g, w in zip(got, want):
        assert_close(g, w, np.float64)


@pytest.mark.parametrize("mode", MODES)
def test_matmul_operator(mode, rng):
    a = random_array(rng, (3, 4))
    b = random_array(rng, (2, 5))
    got = run(mode, lambda x, y: x @ y)(vsla.asarray(a), vsla.asarray(b))
    assert_close(got, ref_matmul(a, b), np.float32)


UNARY = {
    "neg": np.negative, "abs": np.abs, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "relu": lambda x: np.maximum(x, 0),
    "gelu": ref_gelu, "sin": np.sin, "cos": np.cos,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, dtype, mode, rng):
    f = run(mode, getattr(vsla, name))
    for shape in [(7,), (0,), (3, 4)] if mode == "eager" else [(7,), (0,), (1,), (40,)]:
        x = random_array(rng, shape, dtype) * 3
        if name in ("log", "sqrt"):
            x = np.abs(x) + 0.1
        with np.errstate(all="ignore"):
            want = UNARY[name](x).astype(dtype)
        assert_close(f(x), want, dtype)
    special = np.array([np.nan, np.inf, -np.inf, 0.0], dtype)
    with np.errstate(all="ignore"):
        want = UNARY[name](special).astype(dtype)
    assert_close(f(special), want, dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cmode", ["full", "valid", "same"])
def test_conv(cmode, dtype, mode, rng):
    f = run(mode, vsla.conv, mode=cmode)
    for _ in range(6):
        a = random_array(rng, (int(rng.integers(0, 7)),), dtype)
        b = random_array(rng, (int(rng.integers(0, 7)),), dtype)
        if cmode != "full" and (a.size == 0 or b.size == 0):
            continue
        assert_close(f(a, b), ref_conv(a, b, cmode), dtype)


@pytest.mark.parametrize("mode", MODES)
def test_conv_batched(mode, rng):
    f = run(mode, vsla.conv)
    for _ in range(4):
        a = random_array(rng, random_shape(rng, 2, 1, 4))
        b = random_array(rng, random_shape(rng, 2, 1, 4))
        assert_close(f(a, b), ref_conv(a, b), np.float32)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_kron(dtype, mode, rng):
    f = run(mode, vsla.kron)
    for rank in (1, 2):
        for _ in range(3):
            a = random_array(rng, random_shape(rng, rank, 0, 3), dtype)
            b = random_array(rng, random_shape(rng, rank, 0, 3), dtype)
            assert_close(f(a, b), np.kron(a, b), dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul(dtype, mode, rng):
    f = run(mode, vsla.matmul)
    for _ in range(5):
        m, k, k2, n = (int(v) for v in rng.integers(0, 6, size=4))
        a = random_array(rng, (m, k), dtype)
        b = random_array(rng, (k2, n), dtype)
        assert_close(f(a, b), ref_matmul(a, b), dtype)
    a = random_array(rng, (2, 3, 4), dtype)
    b = random_array(rng, (3, 2, 5), dtype)
    assert_close(f(a, b), ref_matmul(a, b), dtype)


def test_matmul_vectors(rng):
    a = random_array(rng, (4,))
    b = random_array(rng, (4, 3))
    assert_close(vsla.matmul(a, b), a @ b, np.float32)
    assert_close(vsla.matmul(b.T.copy(), a), b.T @ a, np.float32)


REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ((0, 2), False),
                                           (-1, False)])
def test_reductions(name, dtype, mode, axis, keepdims, rng):
    f = run(mode, getattr(vsla, name), axis=axis, keepdims=keepdims)
    for _ in range(3):
        x = random_array(rng, random_shape(rng, 3, 1, 4), dtype)
        want = REDUCTIONS[name](x, axis=axis, keepdims=keepdims)
        assert_close(f(x), want, dtype)


@pytest.mark.parametrize("mode", MODES)
def test_reductions_of_empty(mode):
    e = np.zeros((0, 3), np.float32)
    assert_close(run(mode, vsla.sum, axis=0)(e), np.zeros(3, np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy: mean of empty slice
        assert_close(run(mode, vsla.mean, axis=0)(e), np.mean(e, axis=0))
    assert_close(run(mode, vsla.sum)(e), np.float32(0))


def test_reduction_methods(rng):
    x = random_array(rng, (3, 4))
    t = vsla.asarray(x)
    assert_close(t.sum(axis=1), x.sum(axis=1))
    assert_close(t.mean(), x.mean())
    assert_close(t.max(axis=0, keepdims=True), x.max(axis=0, keepdims=True))
    assert_close(t.min(), x.min())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax(axis, dtype, mode, rng):
    x = random_array(rng, (3, 5), dtype) * 10
    assert_close(run(mode, vsla.softmax, axis=axis)(x), ref_softmax(x, axis), dtype)
    want = np.log(ref_softmax(x, axis))
    assert_close(run(mode, vsla.log_softmax, axis=axis)(x), want, dtype)


def test_softmax_is_stable():
    x = np.array([1000.0, 1001.0, 1002.0], np.float32)
    assert np.all(np.isfinite(vsla.softmax(x).numpy()))
    assert np.all(np.isfinite(vsla.log_softmax(x).numpy()))


@pytest.mark.parametrize("mode", MODES)
def test_broadcast_to_and_promote(mode, rng):
    x = random_array(rng, (3, 1))
    assert_close(run(mode, vsla.broadcast_to, shape=(2, 3, 4))(x), np.broadcast_to(x, (2, 3, 4)))
    y = random_array(rng, (2, 3))
    assert_close(run(mode, vsla.promote, shape=(4, 5))(y), pad_to(y, (4, 5)))
    assert_close(run(mode, vsla.promote, shape=(2, 3))(y), y)


@pytest.mark.parametrize("mode", MODES)
def test_reshape_transpose(mode, rng):
    x = random_array(rng, (2, 3, 4))
    assert_close(run(mode, vsla.reshape, shape=(6, -1))(x), x.reshape(6, -1))
    assert_close(run(mode, vsla.transpose, axes=(2, 0, 1))(x), x.transpose(2, 0, 1))
    assert_close(run(mode, lambda t: t.T)(x), x.T)
    assert_close(run(mode, lambda t: t.reshape(4, 6))(x), x.reshape(4, 6))


SLICES = [
    np.s_[1:], np.s_[:-1], np.s_[::2], np.s_[1:5:3], np.s_[-3:], np.s_[10:], np.s_[2],
    np.s_[-1], np.s_[..., 1:3], np.s_[None, 1:], np.s_[1:2, ::2], np.s_[:, 0],
    np.s_[::-1], np.s_[::-2, 1::-1], np.s_[4:0:-2], np.s_[-2::-3, :], np.s_[1:4:-1],
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("index", SLICES, ids=[repr(s) for s in SLICES])
def test_slicing(index, mode, rng):
    f = run(mode, lambda t: t[index])
    for shape in [(6, 5), (3, 4), (4, 7)]:
        x = random_array(rng, shape)
        assert_close(f(vsla.asarray(x)), x[index])


@pytest.mark.parametrize("mode", MODES)
def test_concat(mode, rng):
    a, b = random_array(rng, (2, 3)), random_array(rng, (4, 3))
    assert_close(run(mode, lambda x, y: vsla.concat([x, y], axis=0))(a, b), np.concatenate([a, b]))
    c = random_array(rng, (2, 5))
    assert_close(run(mode, lambda x, y: vsla.concat([x, y], axis=-1))(a, c),
                 np.concatenate([a, c], axis=1))


@pytest.mark.parametrize("mode", MODES)
def test_stack(mode, rng):
    f = run(mode, lambda *xs: vsla.stack(list(xs)))
    for _ in range(4):
        xs = [random_array(rng, random_shape(rng, 2)) for _ in range(3)]
        assert_close(f(*xs), ref_stack(xs))


@pytest.mark.parametrize("mode", MODES)
def test_window_and_pyramid_stack(mode, rng):
    xs = [random_array(rng, (int(rng.integers(1, 4)),)) for _ in range(7)]
    got = run(mode, lambda *ts: vsla.window_stack(list(ts), 3))(*xs)
    assert len(got) == 2
    assert_close(got[0], ref_stack(xs[0:3]))
    assert_close(got[1], ref_stack(xs[3:6]))
    got = run(mode, lambda *ts: vsla.window_stack(list(ts), 3, keep_partial=True))(*xs)
    assert len(got) == 3
    assert_close(got[2], ref_stack(xs[6:7]))
    got = run(mode, lambda *ts: vsla.pyramid_stack(list(ts), 2, 2))(*xs)
    assert len(got) == 1
    assert_close(got[0], ref_stack([ref_stack(xs[0:2]), ref_stack(xs[2:4])]))


@pytest.mark.parametrize("mode", MODES)
def test_shrink(mode, rng):
    f = run(mode, vsla.shrink)
    cases = [np.array([3.0, 2.0, 0.0, 0.0], np.float32), np.zeros(4, np.float32),
             np.array([[1, 0, 0], [0, 2, 0], [0, 0, 0]], np.float32),
             np.array([[0, 0], [0, 1]], np.float32), np.zeros((0, 2), np.float32)]
    for x in cases:
        assert_close(f(x), ref_shrink(x))
    x = random_array(rng, (3, 4))
    x[:, 2:] = 0
    assert_close(f(x), ref_shrink(x))


@pytest.mark.parametrize("mode", MODES)
def test_cast(mode, rng):
    x = random_array(rng, (5,)) * 10
    for dtype in [np.float64, np.int32, np.int64, np.bool_]:
        got = run(mode, vsla.cast, dtype=dtype)(x)
        assert_close(got, x.astype(dtype), dtype)


@pytest.mark.parametrize("mode", MODES)
def test_integer_tensors(mode):
    a = np.array([1, 2, 3], np.int64)
    b = np.array([10, 20], np.int64)
    assert_close(run(mode, vsla.add)(a, b), np.array([11, 22, 3]), np.int64)
    assert_close(run(mode, vsla.sum)(a), np.int64(6), np.int64)
    assert_close(run(mode, lambda x: x / 2)(a), a / 2, np.float64)
    assert_close(run(mode, vsla.exp)(a.astype(np.int32)), np.exp(a.astype(np.int32)), np.float64)


def test_mixed_float_dtypes_promote_as_numpy():
    a = np.ones(3, np.float32)
    b = np.ones(2, np.float64)
    assert vsla.add(a, b).dtype == np.float64
    assert (vsla.asarray(a) * 2.0).dtype == np.float32
    assert (vsla.asarray(np.ones(2, np.int32)) * 2.5).dtype == np.float64


def test_unfold_is_shifted_copies_and_fold_sums_them():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5)).astype(np.float32)
    k = 4
    cols = vsla.unfold(x, k).numpy()
    assert cols.shape == (2, 12, 8)
    ref = np.zeros((2, 12, 8), np.float32)
    for j in range(k):
        ref[:, j * 3:(j + 1) * 3, j:j + 5] = x
    np.testing.assert_array_equal(cols, ref)
    g = rng.standard_normal(ref.shape).astype(np.float32)
    back = sum(g[:, j * 3:(j + 1) * 3, j:j + 5] for j in range(k))
    np.testing.assert_allclose(vsla.fold(g, k).numpy(), back, rtol=1e-6)
    assert vsla.unfold(np.zeros((1, 0), np.float32), 3).shape == (3, 2)
    with pytest.raises(vsla.ShapeError):
        vsla.fold(np.zeros((5, 6), np.float32), 3)
    with pytest.raises(vsla.ShapeError):
        vsla.unfold(np.zeros(5, np.float32), 3)
    with pytest.raises(vsla.ShapeError):
        vsla.unfold(np.zeros((2, 5), np.float32), 0)
    # Under jit, a dynamic mismatch is a run-time check.
    with pytest.raises(vsla.ShapeError, match="not a multiple of taps"):
        vsla.jit(lambda a: vsla.fold(a, 3))(np.zeros((5, 6), np.float32))
