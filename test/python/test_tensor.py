"""Tensors: creation, attributes, zero-copy NumPy and DLPack exchange, repr."""

import numpy as np
import pytest

import vsla
from conftest import assert_close


def test_creation_functions():
    assert vsla.tensor([1.0, 2.0]).dtype == np.float32
    assert vsla.tensor([1, 2]).dtype == np.int64
    assert vsla.tensor([1, 2], dtype="float64").dtype == np.float64
    assert_close(vsla.zeros(2, 3), np.zeros((2, 3)))
    assert_close(vsla.ones((2,)), np.ones(2))
    assert_close(vsla.full((2, 2), 7.5), np.full((2, 2), 7.5))
    assert_close(vsla.arange(5), np.arange(5))
    assert_close(vsla.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25, dtype=np.float32))
    assert vsla.zeros(3, dtype="int32").dtype == np.int32


def test_random_is_seeded():
    vsla.manual_seed(7)
    a = vsla.rand(4)
    vsla.manual_seed(7)
    b = vsla.rand(4)
    assert_close(a, b)
    assert_close(vsla.randn(3, seed=1), vsla.randn(3, seed=1))
    assert vsla.randn(2, 2, dtype="float64").dtype == np.float64
    x = vsla.rand(1000).numpy()
    assert 0.0 <= x.min() and x.max() < 1.0


def test_attributes():
    t = vsla.zeros(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and t.device == "cpu"
    assert len(t) == 2
    assert vsla.tensor(3.0).item() == 3.0


def test_numpy_round_trips_without_copies():
    a = np.arange(6, dtype=np.float32)
    t = vsla.asarray(a)
    assert t.numpy() is a
    assert np.asarray(t) is a
    strided = np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2]
    s = vsla.asarray(strided)
    assert s.numpy() is strided
    assert_close(s * 2.0, strided * 2.0)
    reversed_view = np.arange(5, dtype=np.float32)[::-1]
    assert_close(vsla.asarray(reversed_view) + 1.0, reversed_view + 1.0)


def test_results_are_numpy_arrays_over_pooled_memory():
    r = vsla.tensor([1.0, 2.0]) + vsla.tensor([3.0])
    array = r.numpy()
    assert isinstance(array, np.ndarray)
    assert np.shares_memory(array, np.asarray(r))


def test_tensor_copies_and_asarray_does_not():
    a = np.ones(3, np.float32)
    assert not np.shares_memory(vsla.tensor(a).numpy(), a)
    assert np.shares_memory(vsla.asarray(a).numpy(), a)


def test_dlpack_both_ways():
    a = np.arange(4, dtype=np.float32)
    t = vsla.from_dlpack(a)
    assert np.shares_memory(t.numpy(), a)
    back = np.from_dlpack(t)
    assert np.shares_memory(back, a)
    assert t.__dlpack_device__() == (1, 0)


def test_dlpack_from_torch_if_available():
    torch = pytest.importorskip("torch")
    x = torch.arange(5, dtype=torch.float32)
    t = vsla.from_dlpack(x)
    assert_close(t * 2.0, np.arange(5) * 2.0)


def test_repr_shows_values():
    assert repr(vsla.tensor([1.0, 2.5])) == "vsla.tensor([1. , 2.5], dtype=float32)"
    assert "dtype=int64" in repr(vsla.tensor([[1, 2], [3, 4]]))
    assert str(vsla.tensor([1.0])) == "[1.]"


def test_numpy_on_the_left_gives_a_tensor():
    r = np.ones(2, np.float32) + vsla.tensor([1.0, 2.0, 3.0])
    assert isinstance(r, vsla.Tensor)
    assert_close(r, [2, 3, 3])


def test_methods():
    t = vsla.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert_close(t.T, [[1, 3], [-2, 4]])
    assert_close(t.reshape(4), [1, -2, 3, 4])
    assert_close(t.relu(), [[1, 0], [3, 4]])
    assert_close(t.astype("float64").exp(), np.exp(np.array([[1, -2], [3, 4]], np.float64)))
    assert_close(abs(t), [[1, 2], [3, 4]])
    assert_close(t[1], [3, 4])
    assert_close(t[:, 1], [-2, 4])
    assert [r.shape for r in t] == [(2,), (2,)]


def test_eager_kernels_are_shared_across_shapes():
    before = vsla.kernel_count()
    for n in range(1, 30):
        vsla.tensor(np.ones(n)) * vsla.tensor(np.ones(n + 1))
    assert vsla.kernel_count() - before <= 1
