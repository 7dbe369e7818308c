"""Bad input raises the named errors with messages that say what to do; nothing
crashes the interpreter."""

import numpy as np
import pytest

import vsla


def test_error_hierarchy():
    assert issubclass(vsla.ShapeError, ValueError)
    assert issubclass(vsla.DTypeError, TypeError)
    assert issubclass(vsla.CompileError, RuntimeError)
    assert issubclass(vsla.TracingError, TypeError)


@pytest.mark.parametrize("jit", [False, True])
def test_rank_mismatch(jit):
    f = vsla.jit(vsla.add) if jit else vsla.add
    with pytest.raises(vsla.ShapeError, match=r"ranks differ.*broadcast_to.*promote"):
        f(np.ones(3, np.float32), np.ones((2, 3), np.float32))


@pytest.mark.parametrize("op", [vsla.sum, vsla.mean, vsla.max, vsla.min])
def test_bad_axes(op):
    x = np.ones((2, 3), np.float32)
    with pytest.raises(vsla.ShapeError, match="out of range"):
        op(x, axis=2)
    with pytest.raises(vsla.ShapeError, match="repeat"):
        op(x, axis=(0, -2))
    with pytest.raises(vsla.ShapeError, match="not an int"):
        op(x, axis=1.5)


def test_bad_axis_for_softmax_concat_transpose():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(vsla.ShapeError):
        vsla.softmax(x, axis=5)
    with pytest.raises(vsla.ShapeError):
        vsla.concat([x, x], axis=-3)
    with pytest.raises(vsla.ShapeError, match="permutation"):
        vsla.transpose(x, (0, 0))


@pytest.mark.parametrize("bad", [
    np.ones(3, np.complex64), np.array(["a", "b"]), np.array([object(), 1]),
    np.ones(3, np.float16), np.ones(3, np.uint8)])
def test_unsupported_dtypes_are_rejected_at_the_boundary(bad):
    with pytest.raises(vsla.DTypeError, match="not supported"):
        vsla.asarray(bad)
    with pytest.raises(vsla.DTypeError):
        vsla.exp(bad)
    with pytest.raises(vsla.DTypeError):
        vsla.jit(lambda x: x * 2.0)(bad)


@pytest.mark.parametrize("bad", ["text", object(), {"a": 1}, 1 + 2j])
def test_non_numeric_input(bad):
    with pytest.raises(vsla.DTypeError):
        vsla.add(bad, np.ones(2, np.float32))


def test_bad_dtype_names():
    with pytest.raises(vsla.DTypeError):
        vsla.zeros(3, dtype="complex64")
    with pytest.raises(vsla.DTypeError):
        vsla.tensor([1.0], dtype="not-a-dtype")


def test_ragged_nested_lists_point_to_stack():
    with pytest.raises(vsla.ShapeError, match="vsla.stack"):
        vsla.tensor([[1.0, 2.0], [3.0]])


def test_shape_arguments():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(vsla.ShapeError, match="promote keeps the rank"):
        vsla.promote(x, (4,))
    with pytest.raises(vsla.ShapeError):
        vsla.promote(x, (1, 3))  # smaller than the input: a run-time check
    with pytest.raises(vsla.ShapeError):
        vsla.broadcast_to(x, (4, 3))
    with pytest.raises(vsla.ShapeError, match="cannot reshape"):
        vsla.reshape(x, (4, 2))
    with pytest.raises(vsla.ShapeError, match="negative"):
        vsla.zeros(-1)
    with pytest.raises(vsla.ShapeError, match="mode"):
        vsla.conv(x, x, mode="circular")
    with pytest.raises(vsla.ShapeError, match="window"):
        vsla.window_stack([x], 0)


def test_concat_extent_mismatch_is_a_shape_error():
    with pytest.raises(vsla.ShapeError):
        vsla.concat([np.ones((2, 3), np.float32), np.ones((2, 4), np.float32)], axis=0)
    f = vsla.jit(lambda a, b: vsla.concat([a, b], axis=0))
    with pytest.raises(vsla.ShapeError, match="concat"):
        f(np.ones((2, 3), np.float32), np.ones((2, 4), np.float32))


def test_indexing_errors():
    t = vsla.tensor([1.0, 2.0, 3.0])
    with pytest.raises(vsla.ShapeError):
        t[5]
    with pytest.raises(vsla.ShapeError, match="gather"):
        t[np.array([0, 1])]
    f = vsla.jit(lambda x: x[::0])
    with pytest.raises(vsla.ShapeError, match="step"):
        f(np.ones(3, np.float32))


def test_comparisons_are_not_silently_wrong():
    t = vsla.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="comparisons"):
        t == 1.0  # noqa: B015
    with pytest.raises(TypeError):
        t > 0  # noqa: B015


def test_escaped_tracer():
    leaked = []

    @vsla.jit
    def f(x):
        leaked.append(x)
        return x * 2.0

    f(np.ones(2, np.float32))
    with pytest.raises(vsla.TracingError, match="escaped|outside"):
        vsla.exp(leaked[0])


def test_unhashable_static_argument():
    f = vsla.jit(lambda x, opts: x, static_argnums=1)
    with pytest.raises(TypeError, match="hashable"):
        f(np.ones(2, np.float32), [1, 2])


def test_random_inside_jit_is_refused():
    f = vsla.jit(lambda x: x + vsla.rand(3))
    with pytest.raises(vsla.TracingError, match="argument"):
        f(np.ones(3, np.float32))
