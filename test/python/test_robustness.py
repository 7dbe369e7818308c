"""Random (often invalid) calls of every op: each returns a result or raises one of
the documented errors. A crash or any other exception is a bug."""

import os

import numpy as np
import pytest

import vsla

OPS = [
    (vsla.add, 2), (vsla.sub, 2), (vsla.mul, 2), (vsla.div, 2), (vsla.maximum, 2),
    (vsla.minimum, 2), (vsla.power, 2), (vsla.neg, 1), (vsla.abs, 1), (vsla.exp, 1),
    (vsla.log, 1), (vsla.sqrt, 1), (vsla.tanh, 1), (vsla.relu, 1), (vsla.gelu, 1),
    (vsla.broadcast_to, 2), (vsla.promote, 2), (vsla.reshape, 2), (vsla.conv, 2),
    (vsla.kron, 2), (vsla.matmul, 2), (vsla.sum, 1), (vsla.mean, 1), (vsla.max, 1),
    (vsla.softmax, 1), (vsla.transpose, 1), (vsla.stack, 1), (vsla.concat, 1),
    (vsla.shrink, 1), (vsla.cast, 2), (vsla.window_stack, 2),
]
ALLOWED = (vsla.VslaError, TypeError, ValueError)
# More seeds for a longer run: VSLA_FUZZ_SEEDS=200 pytest test/python/test_robustness.py
SEEDS = int(os.environ.get("VSLA_FUZZ_SEEDS", "4"))


def random_value(rng):
    kind = rng.integers(0, 10)
    if kind < 6:
        rank = int(rng.integers(0, 3))
        shape = tuple(int(d) for d in rng.integers(0, 4, size=rank))
        dtype = [np.float32, np.float64, np.int64, np.bool_][int(rng.integers(0, 4))]
        return (rng.standard_normal(shape) * 3).astype(dtype)
    return [None, "text", 2.5, 3, -1, (2, 3), (-2,), [1.0, [2.0]], np.ones(2, np.complex64),
            {"a": 1}][int(rng.integers(0, 10))]


@pytest.mark.parametrize("seed", range(SEEDS))
def test_random_calls_never_crash(seed):
    rng = np.random.default_rng(seed)
    unexpected = []
    for _ in range(60):
        op, arity = OPS[int(rng.integers(0, len(OPS)))]
        args = [random_value(rng) for _ in range(arity)]
        if op in (vsla.stack, vsla.concat):
            args = [[random_value(rng) for _ in range(int(rng.integers(0, 3)))]]
        kwargs = {}
        if op in (vsla.sum, vsla.mean, vsla.max, vsla.softmax) and rng.random() < 0.7:
            kwargs["axis"] = [0, 1, -1, 5, (0, 1), 1.5, None][int(rng.integers(0, 7))]
        try:
            op(*args, **kwargs)
        except ALLOWED:
            pass
        except Exception as e:  # noqa: BLE001 (collected and reported)
            unexpected.append(f"{op.__name__}{tuple(args)} {kwargs}: {type(e).__name__}: {e}")
    assert not unexpected, "\n".join(unexpected)


UNARY_CHAIN = [vsla.exp, vsla.tanh, vsla.sigmoid, vsla.relu, vsla.gelu, vsla.sin, vsla.abs,
               vsla.neg, vsla.sign, vsla.erf, lambda x: x * 2.0, lambda x: 1.0 - x,
               lambda x: x ** 2, vsla.reverse, lambda x: x.T, vsla.shrink,
               lambda x: vsla.softmax(x, -1) if x.ndim else x,
               lambda x: vsla.max(x, axis=0, keepdims=True) if x.ndim else x]
BINARY_CHAIN = [vsla.add, vsla.sub, vsla.mul, vsla.maximum, vsla.minimum, vsla.kron,
                lambda a, b: vsla.conv(a, b) if a.ndim else a * b,
                lambda a, b: vsla.matmul(a, b) if a.ndim == 2 else a + b,
                lambda a, b: vsla.stack([a, b])[0]]


@pytest.mark.parametrize("seed", range(SEEDS))
def test_random_gradients_never_crash(seed):
    """Gradients of random op chains on random shapes (rank 0 to 2, empty extents):
    a result or a documented error (shrink is not differentiable), never a crash."""
    rng = np.random.default_rng(1000 + seed)
    unexpected = []
    for _ in range(12):
        rank = int(rng.integers(0, 3))
        a = rng.standard_normal(tuple(int(d) for d in rng.integers(0, 4, rank)))
        b = rng.standard_normal(tuple(int(d) for d in rng.integers(0, 4, rank)))
        chain = [(int(rng.integers(0, 2)), int(rng.integers(0, 100)))
                 for _ in range(int(rng.integers(1, 5)))]

        def f(x, y, chain=chain):
            for kind, k in chain:
                x = UNARY_CHAIN[k % len(UNARY_CHAIN)](x) if kind == 0 else \
                    BINARY_CHAIN[k % len(BINARY_CHAIN)](x, y)
            return vsla.sum(x)

        try:
            vsla.grad(f, argnums=(0, 1))(a, b)
        except ALLOWED:
            pass
        except Exception as e:  # noqa: BLE001 (collected and reported)
            unexpected.append(f"{a.shape} {b.shape} {chain}: {type(e).__name__}: {e}")
    assert not unexpected, "\n".join(unexpected)
