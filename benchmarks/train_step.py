"""Train-step time of the digits MLP (64-128-64-10, ReLU and GELU, Adam, batch 64):
VSLA's compiled train_step against the same model in PyTorch (eager) and JAX (jit),
on the CPU, measured in one process.

Run: .venv/bin/python benchmarks/train_step.py [--write]
(PyTorch and JAX are measured when installed; they are not VSLA dependencies.)
"""

import argparse
import os
import platform
import time

import numpy as np

from vsla import nn, optim

SIZES = (64, 128, 64, 10)
BATCH = 64


def timed(step, warmup=20, repeat=7, number=100) -> float:
    for _ in range(warmup):
        step()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            step()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def batch():
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return x, y


def vsla_step():
    x, y = batch()
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.GELU(),
                          nn.Linear(64, 10))
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=1e-3))
    start = time.perf_counter()
    step(x, y)
    compile_seconds = time.perf_counter() - start
    return (lambda: step(x, y)), compile_seconds


def torch_step():
    import torch

    torch.set_num_threads(1)
    x, y = batch()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 64), torch.nn.GELU(),
                                torch.nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step, 0.0


def jax_step():
    import jax
    import jax.numpy as jnp

    x, y = batch()
    key = jax.random.PRNGKey(0)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        key, k1, k2 = jax.random.split(key, 3)
        bound = 1 / np.sqrt(fan_in)
        params.append((jax.random.uniform(k1, (fan_in, fan_out), minval=-bound, maxval=bound),
                       jax.random.uniform(k2, (fan_out,), minval=-bound, maxval=bound)))

    def loss_fn(params, x, y):
        h = jax.nn.relu(x @ params[0][0] + params[0][1])
        h = jax.nn.gelu(h @ params[1][0] + params[1][1], approximate=False)
        logits = h @ params[2][0] + params[2][1]
        return -jnp.mean(jax.nn.log_softmax(logits)[jnp.arange(x.shape[0]), y])

    @jax.jit
    def update(params, m, v, t, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        c1, c2 = 1 / (1 - 0.9 ** t), 1 / (1 - 0.999 ** t)
        params = jax.tree_util.tree_map(
            lambda p, m, v: p - 1e-3 * (m * c1) / (jnp.sqrt(v * c2) + 1e-8), params, m, v)
        return loss, params, m, v

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = {"params": params, "m": zeros, "v": zeros, "t": 0}
    xj, yj = jnp.asarray(x), jnp.asarray(y)

    def step():
        state["t"] += 1
        loss, state["params"], state["m"], state["v"] = update(
            state["params"], state["m"], state["v"], float(state["t"]), xj, yj)
        loss.block_until_ready()

    start = time.perf_counter()
    step()
    return step, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the results table")
    args = parser.parse_args()
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")

    rows = []
    for name, make in (("VSLA train_step (jit)", vsla_step), ("PyTorch eager", torch_step),
                       ("JAX jit", jax_step)):
        try:
            step, compile_seconds = make()
        except ImportError as e:
            print(f"{name}: not measured ({e.name} is not installed)")
            continue
        rows.append((name, timed(step), compile_seconds))
    base = rows[0][1]
    lines = ["| framework | time per step | vs VSLA | first call (compile) |",
             "|---|---|---|---|"]
    for name, seconds, compile_seconds in rows:
        lines.append(f"| {name} | {seconds * 1e3:.3f} ms | {seconds / base:.2f}x | "
                     f"{compile_seconds:.1f} s |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        path = os.path.join(os.path.dirname(__file__), "results", "train-step.md")
        with open(path, "w") as f:
            f.write("# Train step of the digits MLP\n\n")
            f.write("64-128-64-10 MLP (ReLU, GELU), Adam, batch 64, one CPU thread where the "
                    "framework allows; best of 7 x 100 steps, "
                    "`.venv/bin/python benchmarks/train_step.py --write` on "
                    f"{platform.machine()}, Python {platform.python_version()}.\n\n")
            f.write(table + "\n")


if __name__ == "__main__":
    main()
