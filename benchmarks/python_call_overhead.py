"""Per-call overhead of VSLA from Python on tiny inputs, next to NumPy's ufunc call
overhead (and PyTorch / JAX when installed), measured in one process.

Run: .venv/bin/python benchmarks/python_call_overhead.py [--write]
With --write the table also goes to benchmarks/results/python-call-overhead.md.
"""

import argparse
import os
import platform
import tempfile
import timeit

import numpy as np

import vsla


def best_per_call(fn, number=20000, repeat=7) -> float:
    fn()  # warm: compile, allocate
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the results table")
    args = parser.parse_args()

    x = np.ones(4, np.float32)
    y = np.ones(3, np.float32)
    tx, ty = vsla.asarray(x), vsla.asarray(y)
    add1 = vsla.jit(lambda a, b: a + b)
    chain = vsla.jit(lambda a, b: vsla.tanh(a * 1.5 + b) * vsla.sigmoid(a))

    rows = [
        ("NumPy ufunc `np.add(x, x)` (4 f32)", best_per_call(lambda: np.add(x, x))),
        ("NumPy `np.tanh(x*1.5+x)*x` (4 f32)",
         best_per_call(lambda: np.tanh(x * 1.5 + x) * x)),
        ("vsla eager `tx + ty` (4 and 3 f32)", best_per_call(lambda: tx + ty)),
        ("vsla @jit `a + b`, NumPy arguments", best_per_call(lambda: add1(x, y))),
        ("vsla @jit `a + b`, vsla tensors", best_per_call(lambda: add1(tx, ty))),
        ("vsla @jit 4-op chain, NumPy arguments", best_per_call(lambda: chain(x, x))),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "add.vsla")
        vsla.export(lambda a, b: a + b, x, y, path=path)
        loaded = vsla.load(path)
        rows.append(("vsla.load'ed artifact `a + b`, NumPy arguments",
                     best_per_call(lambda: loaded(x, y))))
    try:
        import torch

        t = torch.ones(4)
        rows.append(("PyTorch eager `t + t` (4 f32)", best_per_call(lambda: t + t)))
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp

        jx = jnp.ones(4)
        jadd = jax.jit(lambda a, b: a + b)
        rows.append(("JAX @jit `a + b` (4 f32)",
                     best_per_call(lambda: jadd(jx, jx).block_until_ready(), number=5000)))
    except ImportError:
        pass

    base = rows[0][1]
    lines = ["| call | time per call | vs NumPy ufunc |", "|---|---|---|"]
    for name, seconds in rows:
        lines.append(f"| {name} | {seconds * 1e6:.2f} µs | {seconds / base:.1f}x |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = os.path.join(os.path.dirname(__file__), "results", "python-call-overhead.md")
        with open(path, "w") as f:
            f.write("# Per-call overhead from Python (tiny inputs)\n\n")
            f.write("Best of 7 repeats, `.venv/bin/python benchmarks/python_call_overhead.py "
                    f"--write`, on {platform.processor() or platform.machine()}, "
                    f"Python {platform.python_version()}, NumPy {np.__version__}.\n\n")
            f.write(table + "\n")


if __name__ == "__main__":
    main()
