"""VSLA quickstart: variable-length signals filtered under @vsla.jit (one compile
for every length), ambient-promotion arithmetic and a gradient, each checked
against NumPy.

Run with: .venv/bin/python examples/quickstart.py   (after scripts/setup.sh)
"""

import os

import numpy as np

import vsla

# 1. Ambient promotion: tensors of different lengths combine by zero-extension,
#    and tensors that differ by trailing zeros are the same value.
a = vsla.tensor([1.0, 2.0, 3.0])
b = vsla.tensor([4.0, 5.0])
print("[1,2,3] + [4,5]      =", (a + b).numpy(), " (NumPy needs padding: [5,7,3])")
print("[2,3] * [4,5,6]      =", (vsla.tensor([2.0, 3.0]) * vsla.tensor([4.0, 5.0, 6.0])).numpy())
print("conv([1,2],[3,4])    =", vsla.conv([1.0, 2.0], [3.0, 4.0]).numpy())
print("stack([10,20],[30,40,50],[60]) =")
print(vsla.stack([[10.0, 20.0], [30.0, 40.0, 50.0], [60.0]]).numpy())
print("shrink([5,3,2]-[2,1,2]) =", vsla.shrink(vsla.tensor([5.0, 3.0, 2.0]) -
                                              vsla.tensor([2.0, 1.0, 2.0])).numpy())
expected = np.array([5.0, 7.0, 3.0], np.float32)
assert np.array_equal((a + b).numpy(), expected)


# 2. A filter bank under @vsla.jit: compiled once, run on signals of any length.
@vsla.jit
def denoise(signal, taps):
    """Low-pass filter (a 'same' convolution), then a soft limiter."""
    smoothed = vsla.conv(signal, taps, mode="same")
    return vsla.tanh(smoothed * 0.8), smoothed.mean()


taps = np.array([0.1, 0.2, 0.4, 0.2, 0.1], np.float32)
rng = np.random.default_rng(0)
print("\nfiltering signals of different lengths with one compiled function:")
for n in (5, 17, 64, 1000, 4096):
    t = np.linspace(0, 1, n, dtype=np.float32)
    signal = (np.sin(8 * np.pi * t) + 0.3 * rng.standard_normal(n)).astype(np.float32)
    out, mean = denoise(signal, taps)
    reference = np.tanh(np.convolve(signal, taps, "same") * 0.8)
    error = np.max(np.abs(out.numpy() - reference))
    assert error < 1e-5, error
    print(f"  length {n:5d}: output {out.shape}, mean {float(mean):+.4f}, "
          f"max |error| vs NumPy {error:.1e}")
print(f"compiled versions of denoise: {denoise.cache_size()}")
assert denoise.cache_size() == 1


# 3. Mismatched shapes inside a jitted function: no padded copies, no recompiles.
@vsla.jit
def mix(x, y):
    return x * 2.0 + y, vsla.sum(x * y)


for m, n in ((3, 5), (6, 2), (4, 4)):
    x = rng.standard_normal(m).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    z, dot = mix(x, y)
    k = max(m, n)
    xp, yp = np.pad(x, (0, k - m)), np.pad(y, (0, k - n))
    assert np.allclose(z.numpy(), xp * 2.0 + yp, atol=1e-6)
    assert np.allclose(dot.item(), np.dot(xp, yp), atol=1e-5)
    print(f"mix(len {m}, len {n}) -> len {z.shape[0]}, sum(x*y) = {dot.item():+.4f}")
print(f"compiled versions of mix: {mix.cache_size()}")

# 4. Gradients differentiate the compiled graph: the adjoint of conv is a correlation.
da, db = vsla.grad(lambda a, b: vsla.sum(vsla.conv(a, b)), argnums=(0, 1))(
    np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5]))
print("\ngrad of sum(conv(a, b)) at a=[1,2,3], b=[0.5,1.5]:", da.numpy(), db.numpy())
assert np.allclose(da.numpy(), [2, 2, 2]) and np.allclose(db.numpy(), [6, 6])

# 5. Errors say what went wrong and how to fix it.
try:
    vsla.add(vsla.zeros(3), vsla.zeros(2, 3))
except vsla.ShapeError as e:
    print("\nvsla.ShapeError:", e)

print("\nall results match NumPy" + ("" if os.environ.get("VSLA_LOG_COMPILES") else
                                     " (set VSLA_LOG_COMPILES=1 to see every compile)"))
