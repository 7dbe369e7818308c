"""Shared helpers: NumPy references for VSLA's semantics and tolerances."""

import math

import numpy as np
import pytest

import vsla

DTYPES = [np.float32, np.float64]


def tolerance(dtype):
    return dict(rtol=2e-5, atol=2e-6) if np.dtype(dtype) == np.float32 else \
        dict(rtol=1e-12, atol=1e-12)


def assert_close(actual, expected, dtype=None):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    if dtype is not None:
        assert actual.dtype == np.dtype(dtype), f"dtype {actual.dtype} != {dtype}"
    np.testing.assert_allclose(actual, expected, equal_nan=True,
                               **tolerance(dtype or actual.dtype))


def pad_to(x, shape):
    """Zero-extension (VSLA's promote) of x to shape."""
    x = np.asarray(x)
    out = np.zeros(shape, dtype=x.dtype)
    out[tuple(slice(0, d) for d in x.shape)] = x
    return out


def ambient(f, a, b):
    """f applied after zero-extending both operands to the per-axis maximum shape."""
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape))
    with np.errstate(all="ignore"):
        return f(pad_to(a, shape), pad_to(b, shape))


def ref_conv(a, b, mode="full"):
    batch = tuple(max(p, q) for p, q in zip(a.shape[:-1], b.shape[:-1]))
    a = pad_to(a, batch + a.shape[-1:])
    b = pad_to(b, batch + b.shape[-1:])
    m, n = a.shape[-1], b.shape[-1]
    if m == 0 or n == 0:
        return np.zeros(batch + (0,), a.dtype)
    length = {"full": m + n - 1, "valid": max(m, n) - min(m, n) + 1, "same": max(m, n)}[mode]
    out = np.zeros(batch + (length,), a.dtype)
    for idx in np.ndindex(*batch):
        out[idx] = np.convolve(a[idx], b[idx], mode)
    return out


def ref_matmul(a, b):
    k = max(a.shape[-1], b.shape[-2])
    batch = tuple(max(p, q) for p, q in zip(a.shape[:-2], b.shape[:-2]))
    a = pad_to(a, batch + (a.shape[-2], k))
    b = pad_to(b, batch + (k, b.shape[-1]))
    return np.matmul(a, b)


def ref_stack(xs):
    shape = tuple(max(s) for s in zip(*[x.shape for x in xs]))
    return np.stack([pad_to(x, shape) for x in xs])


def ref_shrink(x):
    x = np.asarray(x)
    for axis in reversed(range(x.ndim)):
        n = x.shape[axis]
        while n > 0 and not np.any(np.take(x, [n - 1], axis=axis)):
            n -= 1
        x = np.take(x, range(n), axis=axis)
    if not np.any(x):
        return np.zeros((0,) * x.ndim, x.dtype)
    return x


def ref_gelu(x):
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return (x * 0.5 * (1.0 + erf(x / math.sqrt(2.0)))).astype(x.dtype)


def ref_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def random_shape(rng, rank, low=0, high=5):
    return tuple(int(d) for d in rng.integers(low, high + 1, size=rank))


def random_array(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# Each op runs eagerly and inside @vsla.jit; both must match the reference.
def eager_and_jit(fn):
    jitted = vsla.jit(fn)
    return [("eager", fn), ("jit", jitted)]
