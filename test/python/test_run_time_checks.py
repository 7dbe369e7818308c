"""Every fact about extents that compiled code relies on is checked when it runs:
bad input to a jitted function is a named error (vsla.ShapeError, vsla.RuntimeError,
vsla.DTypeError) that names the op and the user's line, never a crash, an abort or a
wrong answer. One test per family of what used to go wrong."""

import gc

import numpy as np
import pytest

import vsla

f32 = np.float32


def ones(*shape, dtype=f32):
    return np.ones(shape, dtype)


def _bytes_in_use():
    """Pool bytes held by live tensors, after tensors of earlier tests (kept alive
    by reference cycles through tracebacks) are collected."""
    gc.collect()
    return vsla._vsla.pool_stats()["bytes_in_use"]


# -- promises nobody checked ------------------------------------------------------------


@vsla.jit
def _loss(logits, labels):
    return vsla.nn.cross_entropy(logits, labels)


@pytest.mark.parametrize("batch", [4, 2_000_000])
def test_label_count_differs_from_the_batch(batch):
    logits = np.random.default_rng(0).random((batch, 3)).astype(f32)
    with pytest.raises(vsla.ShapeError, match="cross_entropy|promised equal shapes"):
        _loss(logits, np.array([0, 1]))
    # The same function still works on good input afterwards.
    assert np.isfinite(float(_loss(logits[:2], np.array([0, 1]))))


def test_equal_shape_promise_of_a_gradient_rule():
    # The cotangent of vjp's backward has the output's rank but other extents.
    @vsla.jit
    def backward(x, cotangent):
        _, back = vsla.vjp(lambda v: vsla.tanh(v) * 2.0, x)
        return back(cotangent)[0]

    x = np.linspace(-1, 1, 5).astype(f32)
    good = backward(x, ones(5))
    np.testing.assert_allclose(good, 2.0 * (1 - np.tanh(x) ** 2), rtol=1e-5)
    for wrong in (ones(3), ones(500_000)):
        with pytest.raises(vsla.ShapeError, match="test_run_time_checks.py"):
            backward(x, wrong)


def test_equal_shape_promise_in_a_library_update():
    @vsla.jit
    def update(p, g):
        return vsla._ops.same_shape("sub", p, g * 0.1)

    np.testing.assert_allclose(update(ones(2, 3), ones(2, 3)), np.full((2, 3), 0.9, f32))
    with pytest.raises(vsla.ShapeError, match="differ on axis 1"):
        update(ones(2, 3), ones(2, 300_000))


# -- functions whose result shape depends on data ------------------------------------------


@pytest.mark.parametrize("body, message", [
    (lambda x: vsla.broadcast_to(x[:2], (3,)), "neither 1 nor the target"),
    (lambda x: vsla.promote(x, (2,)), "smaller than the input"),
    (lambda x: vsla.reshape(x, (2, 2)), "element counts"),
    (lambda x: vsla.concat([x.reshape(1, -1), ones(1, 2)], axis=0), "not the concat axis"),
])
def test_checks_run_in_place_where_shapes_depend_on_data(body, message):
    f = vsla.jit(lambda x: (vsla.shrink(x), body(x)))
    x = ones(3)
    before = _bytes_in_use()
    with pytest.raises(vsla.ShapeError, match=message):
        f(x)
    assert _bytes_in_use() == before  # the failed call freed its memory


def test_a_data_dependent_function_still_computes():
    f = vsla.jit(lambda x: vsla.shrink(x) + vsla.promote(x[:2], (3,)))
    np.testing.assert_allclose(f(np.array([1, 2, 0], f32)), [2, 4, 0])


# -- symbolic dim arithmetic -------------------------------------------------------------


def test_dim_divided_by_a_zero_dim():
    f = vsla.jit(lambda x, y: vsla.zeros(x.shape[0] // y.shape[0]))
    assert f(ones(6), ones(3)).shape == (2,)
    with pytest.raises(vsla.ShapeError, match="division of an extent by an extent that is 0"):
        f(ones(6), ones(0))


def test_reshape_minus_one_with_a_zero_extent():
    f = vsla.jit(lambda x: x.reshape(-1, x.shape[1]))
    assert f(ones(2, 3)).shape == (2, 3)
    with pytest.raises(vsla.ShapeError):
        f(ones(2, 0))


@pytest.mark.parametrize("make", [
    lambda x: vsla.zeros(x.shape[0] - 5),
    lambda x: vsla.promote(x[:1], (x.shape[0] - 5,)),
    lambda x: vsla.broadcast_to(x[:1], (x.shape[0] - 5,)),
])
def test_negative_computed_extent(make):
    f = vsla.jit(make)
    assert f(ones(7)).shape == (2,)
    with pytest.raises(vsla.ShapeError, match="negative"):
        f(ones(3))


# -- allocation failure inside compiled code -----------------------------------------------


def test_a_huge_temporary_is_a_runtime_error_naming_its_size():
    f = vsla.jit(lambda x: vsla.sum(vsla.softmax(vsla.kron(x, x))))
    x = ones(2**22)  # kron: 2**44 floats
    before = _bytes_in_use()
    with pytest.raises(vsla.RuntimeError, match=r"allocate a temporary of 703687441777\d\d bytes"):
        f(x)
    assert _bytes_in_use() == before
    assert float(f(ones(3))) == pytest.approx(1.0)


# -- scalars cross exactly -------------------------------------------------------------------


@pytest.mark.parametrize("jit", [False, True])
def test_int64_scalars_are_exact(jit):
    big = 2**60 + 1
    x = np.array([1, -3], np.int64)
    x = x if jit else vsla.tensor(x)
    f = (vsla.jit if jit else (lambda g: g))(lambda x: x + big)
    np.testing.assert_array_equal(f(x), np.asarray(x) + big)
    g = (vsla.jit if jit else (lambda g: g))(lambda x: x * (2**53 + 1))
    np.testing.assert_array_equal(g(x), np.asarray(x) * (2**53 + 1))


@pytest.mark.parametrize("jit", [False, True])
def test_out_of_range_int_for_an_int32_tensor(jit):
    wrap = vsla.jit if jit else (lambda g: lambda x: g(vsla.tensor(x)))
    f = wrap(lambda x: x + 2**40)
    with pytest.raises(vsla.DTypeError, match="out of bounds for int32"):
        f(np.array([1], np.int32))
    # In range, as NumPy: the result wraps around in int32.
    h = wrap(lambda x: x + (-(2**31)))
    x = np.array([5, -5], np.int32)
    np.testing.assert_array_equal(h(x), x + np.int32(-(2**31)))


@pytest.mark.parametrize("k", [-5, -2, 0, 2, 5])
def test_negative_computed_slice_bounds_count_from_the_end_as_eagerly(k):
    x = np.arange(3, dtype=f32)
    for body in (lambda x: x[: x.shape[0] + k], lambda x: x[x.shape[0] + k:],
                 lambda x: x[x.shape[0] + k::-1]):
        np.testing.assert_array_equal(vsla.jit(body)(x), body(x))


def test_a_result_larger_than_the_address_space():
    f = vsla.jit(lambda x: vsla.arange(0, x.shape[0] * 2**61))
    with pytest.raises(vsla.RuntimeError, match="address space"):
        f(ones(3))


def test_extent_arithmetic_beyond_64_bits():
    with pytest.raises(vsla.ShapeError, match="does not fit in 64 bits"):
        vsla.jit(lambda x: vsla.zeros(x.shape[0] + 2**70))(ones(3))


def test_odd_arguments_are_named_errors():
    assert float(vsla.reverse(vsla.tensor(np.float32(3)))) == 3.0
    with pytest.raises(vsla.DTypeError):
        vsla.concat(None)
    with pytest.raises(vsla.ShapeError):
        vsla.tensor([1.0, 2.0]).item()
