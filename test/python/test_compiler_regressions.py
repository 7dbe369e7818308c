"""Valid programs that the compiler used to crash on, reject with an internal
CompileError, or compile to wrong values. Each runs eagerly and under jit (on
several shapes, one compile) and the two must agree; gradients are compared the
same way. One test per bug, named after the program that found it."""

import numpy as np
import pytest

import vsla

f32 = np.float32
rng = np.random.default_rng(7)


def data(*shape):
    return rng.standard_normal(shape).astype(f32)


def eager(f, *args):
    return f(*(vsla.asarray(a) for a in args))


def assert_agree(f, *arg_sets):
    """f under jit agrees with eager f on every argument set, with one compile."""
    jitted = vsla.jit(f)
    for args in arg_sets:
        want = np.asarray(eager(f, *args))
        got = np.asarray(jitted(*args))
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_binary_op_with_a_kron_operand():
    # Segfaulted in expand-strided-metadata: fusion viewed x as an n x n memref.
    assert_agree(lambda x: x - vsla.kron(x, x), (data(3),), (data(1),), (data(5),))
    assert_agree(lambda x: vsla.kron(x, x) * x, (data(2, 2),), (data(1, 3),))
    got = np.asarray(vsla.jit(lambda x: x - vsla.kron(x, x))(np.array([1, 2, 3], f32)))
    np.testing.assert_allclose(got, [0, 0, 0, -2, -4, -6, -3, -6, -9])


def test_matmul_of_a_promoted_difference():
    # "memref.alloc: symbol operand count": a copy into the matmul kernel's
    # strided layout.
    assert_agree(lambda x, y: vsla.matmul(x, x - y),
                 (data(3, 3), data(3, 3)), (data(2, 4), data(4, 2)), (data(4, 4), data(2, 3)))


def test_slice_past_a_static_extent_is_empty():
    # "offset 0 is out-of-bounds: 1 >= 1"; NumPy gives an empty array.
    f = lambda x: vsla.sum(x, keepdims=True)[1:]
    assert_agree(f, (data(3),), (data(0),))
    assert np.asarray(vsla.jit(f)(data(4))).shape == (0,)
    assert_agree(lambda x: vsla.sum(x, axis=0, keepdims=True)[2:, 1:], (data(3, 4),))


def test_static_extents_that_differ_beside_dynamic_ones():
    # "tensor.cast ... cast incompatible": no run-time equal-shape branch when
    # a static 1 meets a static 2.
    f = lambda x: x[None] + vsla.broadcast_to(x, (2, x.shape[0]))
    assert_agree(f, (data(3),), (data(1),), (data(0),))
    got = np.asarray(vsla.jit(f)(np.array([1, 2, 3], f32)))
    np.testing.assert_allclose(got, [[2, 4, 6], [1, 2, 3]])  # zero-extension, not NumPy broadcasting


def _conv_of_scalars(a, b, mode="full"):
    return vsla.conv(vsla.sum(a, keepdims=True), vsla.sum(b, keepdims=True), mode=mode)


def test_broadcast_of_an_accumulation_is_not_a_running_sum():
    # Fusion put the conv's accumulator inside the broadcast's loop: [1.8, 3.6, 5.4].
    f = lambda a, b: vsla.broadcast_to(_conv_of_scalars(a, b), (3,))
    a, b = np.array([0.9], f32), np.array([2.0], f32)
    np.testing.assert_allclose(np.asarray(vsla.jit(f)(a, b)), [1.8, 1.8, 1.8], rtol=1e-6)
    assert_agree(f, (data(2), data(3)), (data(4), data(1)))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
def test_gradient_of_conv_with_static_unit_lengths(mode):
    # "vsla.concat: inferred type(s) ... incompatible": a fold replaced a value
    # by one of a more static type.
    weights = np.array([1.0, 2.0, 3.0], f32)

    def loss(a, b):
        y = vsla.broadcast_to(_conv_of_scalars(a, b, mode), (3,))
        return vsla.sum(y * vsla.asarray(weights))

    grad = vsla.grad(loss, argnums=(0, 1))
    a, b = np.array([0.5, 0.4], f32), np.array([2.0, 5.0], f32)
    want = [np.full(2, 6 * 7.0), np.full(2, 6 * 0.9)]  # d/da = 6 * sum(b), d/db = 6 * sum(a)
    for got in (eager(grad, a, b), vsla.jit(grad)(a, b)):
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), w, rtol=1e-5)
