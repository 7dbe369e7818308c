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


def test_static_argnums_out_of_range():
    for nums in (3, (0, 1), -2):
        with pytest.raises(ValueError, match="out of range"):
            vsla.jit(lambda x: x, static_argnums=nums)
    with pytest.raises(TypeError, match="ints"):
        vsla.jit(lambda x: x, static_argnums="x")
    # A function taking *args can receive any static index.
    f = vsla.jit(lambda *xs: xs[0] * xs[1], static_argnums=1)
    np.testing.assert_allclose(f(np.ones(2, np.float32), 3.0), [3.0, 3.0])
    g = vsla.jit(lambda x, k: x * k, static_argnums=-1)
    np.testing.assert_allclose(g(np.ones(1, np.float32), 2.0), [2.0])


def test_random_inside_jit_is_refused():
    f = vsla.jit(lambda x: x + vsla.rand(3))
    with pytest.raises(vsla.TracingError, match="argument"):
        f(np.ones(3, np.float32))


@pytest.mark.parametrize("jit", [False, True])
def test_indexing_with_odd_indices(jit):
    x = np.arange(10, dtype=np.float32)
    get = (lambda i: vsla.jit(lambda t: t[i])(x)) if jit else (lambda i: vsla.tensor(x)[i])
    for step in (2**70, -2**70, 2**62):  # NumPy takes any step: one element
        np.testing.assert_array_equal(np.asarray(get(slice(None, None, step))),
                                      x[::step])
    np.testing.assert_array_equal(np.asarray(get(slice(-2**70, 2**70, 3))), x[::3])
    np.testing.assert_array_equal(np.asarray(get(slice(2**70, -2**70, -4))), x[::-4])
    with pytest.raises(vsla.ShapeError, match="out of bounds"):
        get(2**70)
    with pytest.raises(vsla.ShapeError, match="out of bounds"):
        get(-2**70)
    with pytest.raises(vsla.ShapeError, match="bool"):
        get(True)
    with pytest.raises(vsla.ShapeError, match="slice start 1.0 on axis 0 is not an int"):
        get(slice(1.0, None))
    with pytest.raises(vsla.ShapeError, match="step"):
        get(slice(None, None, 0.5))
    with pytest.raises(vsla.ShapeError, match="not supported"):
        get("a")
    assert np.asarray(get(np.int64(3))).shape == ()


def test_eager_int_index_is_a_rank0_tensor_view():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = vsla.tensor(x)[1, 2]
    assert isinstance(t.numpy(), np.ndarray) and t.shape == () and float(t) == 5.0
    assert np.asarray(t * 2.0) == 10.0


@pytest.mark.parametrize("jit", [False, True])
def test_creation_with_odd_arguments(jit):
    def call(fn):
        return vsla.jit(lambda _: fn())(np.ones(1, np.float32)) if jit else fn()

    with pytest.raises(vsla.ShapeError, match="step 0"):
        call(lambda: vsla.arange(0, 5, 0))
    with pytest.raises(vsla.DTypeError, match="not a number"):
        call(lambda: vsla.arange(None))
    with pytest.raises(vsla.DTypeError, match="not a number"):
        call(lambda: vsla.arange("3"))
    with pytest.raises(vsla.ShapeError, match="not finite"):
        call(lambda: vsla.arange(0, float("nan")))
    with pytest.raises(vsla.ShapeError, match="2\\*\\*63"):
        call(lambda: vsla.zeros(2**70))
    with pytest.raises(vsla.DTypeError, match="does not fit int64"):
        call(lambda: vsla.full(3, 2**70))
    with pytest.raises(vsla.DTypeError, match="fill_value"):
        call(lambda: vsla.full(3, "a"))
    assert np.asarray(call(lambda: vsla.arange(5, 2))).shape == (0,)
    assert np.asarray(call(lambda: vsla.arange(0, 0))).shape == (0,)


def test_jitted_arange_over_an_empty_range_of_dims():
    f = vsla.jit(lambda x, y: vsla.arange(0, x.shape[0] - y.shape[0]))
    assert np.asarray(f(np.ones(2, np.float32), np.ones(5, np.float32))).shape == (0,)
    np.testing.assert_array_equal(np.asarray(f(np.ones(5, np.float32),
                                               np.ones(2, np.float32))), [0, 1, 2])
    g = vsla.jit(lambda x: vsla.arange(0, x.shape[0], 2))
    assert np.asarray(g(np.ones(0, np.float32))).shape == (0,)


def test_huge_eager_allocations_are_runtime_errors_naming_the_size():
    with pytest.raises(vsla.RuntimeError, match="1099511627776"):
        vsla.zeros(2**40, 2**40)
    with pytest.raises(vsla.RuntimeError, match="4611686018427387904"):
        vsla.rand(2**62)


def test_seeds_devices_and_dlpack_odd_inputs():
    with pytest.raises(vsla.DTypeError, match="seed"):
        vsla.manual_seed("x")
    with pytest.raises(vsla.DTypeError, match="seed"):
        vsla.rand(3, seed=1.5)
    vsla.manual_seed(-1)  # as in PyTorch
    vsla.manual_seed(0)
    with pytest.raises(vsla.RuntimeError, match="not available"):
        vsla.tensor([1.0], device="cuda")
    with pytest.raises(vsla.DTypeError, match="DLPack"):
        vsla.from_dlpack(None)


def test_layer_sizes_are_checked():
    with pytest.raises(vsla.ShapeError, match="in_features must be >= 0"):
        vsla.nn.Linear(-1, 2)
    with pytest.raises(vsla.DTypeError, match="in_features must be an int"):
        vsla.nn.Linear(2.5, 2)
    with pytest.raises(vsla.DTypeError, match="kernel_size must be an int"):
        vsla.nn.Conv1d(2, 3, kernel_size=True)
    with pytest.raises(vsla.ShapeError, match="mode"):
        vsla.nn.Conv1d(2, 3, 3, mode="circular")
    with pytest.raises(vsla.DTypeError, match="num_embeddings"):
        vsla.nn.Embedding(None, 2)
    assert vsla.nn.Linear(0, 2)(np.ones((4, 0), np.float32)).shape == (4, 2)
