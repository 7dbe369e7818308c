"""Long 1-D float convolutions run through the FFT (both lengths >= 64); they must
agree with the direct sum (short lengths, NumPy) within float tolerance, in every
mode, forward and backward, and keep the direct sum's handling of inf and NaN."""

import numpy as np
import pytest

import vsla

LENGTHS = [(64, 64), (63, 64), (64, 63), (100, 1000), (1000, 100), (2047, 513), (1, 5000)]


def tolerance(a, b):
    # The FFT's error is relative to the signals' energy, not to each output.
    return 1e-5 * np.sqrt(len(a) * len(b)) * np.abs(a).max() * np.abs(b).max()


@pytest.mark.parametrize("m,n", LENGTHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fft_matches_direct(m, n, dtype, mode):
    rng = np.random.default_rng(m * 7919 + n)
    a = rng.standard_normal(m).astype(dtype)
    b = rng.standard_normal(n).astype(dtype)
    got = np.asarray(vsla.jit(lambda a, b: vsla.conv(a, b, mode=mode))(a, b))
    want = np.convolve(a.astype(np.float64), b.astype(np.float64), mode=mode)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=tolerance(a, b), rtol=0)


def test_one_compile_serves_short_and_long():
    f = vsla.jit(vsla.conv)
    rng = np.random.default_rng(0)
    for m, n in [(5, 3), (500, 300), (70, 2)]:
        a, b = rng.standard_normal(m), rng.standard_normal(n)
        np.testing.assert_allclose(np.asarray(f(a.astype(np.float32), b.astype(np.float32))),
                                   np.convolve(a, b), atol=1e-3)
    assert f.cache_size() == 1


def test_nonfinite_values_stay_local():
    a = np.ones(300, np.float32)
    a[10] = np.inf
    b = np.ones(200, np.float32)
    got = np.asarray(vsla.jit(vsla.conv)(a, b))
    want = np.convolve(a, b)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], atol=1e-3)


def test_gradient_of_long_conv():
    rng = np.random.default_rng(3)
    a = rng.standard_normal(300).astype(np.float64)
    b = rng.standard_normal(150).astype(np.float64)
    w = rng.standard_normal(449).astype(np.float64)
    loss = vsla.jit(vsla.grad(lambda a, b: vsla.sum(vsla.conv(a, b) * w), argnums=(0, 1)))
    ga, gb = (np.asarray(g) for g in loss(a, b))
    # d/da sum(conv(a, b) * w) = correlate(w, b) over a's positions.
    np.testing.assert_allclose(ga, np.correlate(w, b, mode="valid"), atol=1e-9)
    np.testing.assert_allclose(gb, np.correlate(w, a, mode="valid"), atol=1e-9)
