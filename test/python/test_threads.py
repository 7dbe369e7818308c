"""Results do not depend on the thread count (VSLA_NUM_THREADS / vsla.set_num_threads):
products split across threads and parallel loops compute every element exactly as
one thread does."""

import numpy as np
import pytest

import vsla


@pytest.fixture
def restore_threads():
    saved = vsla.get_num_threads()
    yield
    vsla.set_num_threads(saved)


def run_with(threads, fn, *args):
    vsla.set_num_threads(threads)
    return np.asarray(fn(*args))


@pytest.mark.parametrize("shape", [(300, 200, 500), (1000, 64, 3), (2, 4096, 2)])
def test_matmul_equal_across_threads(restore_threads, shape):
    m, k, n = shape
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    f = vsla.jit(vsla.matmul)
    one = run_with(1, f, a, b)
    many = run_with(4, f, a, b)
    np.testing.assert_array_equal(one, many)
    np.testing.assert_allclose(one, a @ b, rtol=1e-4, atol=1e-3)


def test_elementwise_and_reductions_equal_across_threads(restore_threads):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((700, 900), dtype=np.float32)
    b = rng.standard_normal((700, 900), dtype=np.float32)
    f = vsla.jit(lambda a, b: (vsla.tanh(a * 1.5 + b) * vsla.sigmoid(a),
                               vsla.sum(a * b, axis=1), vsla.softmax(a, axis=1)))
    vsla.set_num_threads(1)
    one = [np.asarray(t) for t in f(a, b)]
    vsla.set_num_threads(3)
    many = [np.asarray(t) for t in f(a, b)]
    for x, y in zip(one, many):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_allclose(one[1], (a * b).sum(axis=1), rtol=1e-4, atol=1e-3)


def test_train_step_equal_across_threads(restore_threads):
    from vsla import nn, optim

    rng = np.random.default_rng(2)
    x = rng.standard_normal((512, 300), dtype=np.float32)
    y = rng.integers(0, 10, 512).astype(np.int32)
    losses = []
    for threads in (1, 2):
        vsla.set_num_threads(threads)
        vsla.manual_seed(0)
        model = nn.Sequential(nn.Linear(300, 256), nn.ReLU(), nn.Linear(256, 10))
        step = optim.train_step(model, nn.cross_entropy, optim.SGD(model, lr=0.1))
        losses.append([float(step(x, y)) for _ in range(3)])
    assert losses[0] == losses[1]


def test_set_num_threads_rejects_bad_values(restore_threads):
    with pytest.raises(ValueError, match="at least 1"):
        vsla.set_num_threads(0)
    with pytest.raises(TypeError):
        vsla.set_num_threads(2.5)
    vsla.set_num_threads(2)
    assert vsla.get_num_threads() == 2
