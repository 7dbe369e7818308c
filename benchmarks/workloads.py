"""The workloads of benchmarks/run.py, each written once per framework.

Every builder prepares its data outside the timed function and returns a
function that runs the workload once and waits for the result (JAX's
block_until_ready; VSLA, NumPy and PyTorch on the CPU are synchronous).
Peers are imported lazily: a framework that is not installed is skipped.
"""

from __future__ import annotations

import importlib.util
import itertools
import time

import numpy as np

from harness import Impl, Workload

import vsla
from vsla import nn, optim


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


HAVE_TORCH = installed("torch")
HAVE_JAX = installed("jax")


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _jax_ready(fn):
    def run():
        out = fn()
        import jax

        jax.block_until_ready(out)
        return out
    return run


# --- the fused elementwise chain ---------------------------------------------

def _chain_data(n: int):
    rng = _rng()
    return rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)


def chain(n: int, label: str) -> Workload:
    def build_vsla():
        a, b = map(vsla.asarray, _chain_data(n))
        f = vsla.jit(lambda a, b: vsla.tanh(a * 1.5 + b) * vsla.sigmoid(a))
        return lambda: f(a, b)

    def build_numpy():
        a, b = _chain_data(n)
        return lambda: np.tanh(a * 1.5 + b) * (1 / (1 + np.exp(-a)))

    def torch_fn(compiled):
        import torch

        def build():
            a, b = map(torch.from_numpy, _chain_data(n))

            def f(a, b):
                return torch.tanh(a * 1.5 + b) * torch.sigmoid(a)
            g = torch.compile(f) if compiled else f
            return lambda: g(a, b)
        return build

    def build_jax():
        import jax
        import jax.numpy as jnp

        a, b = map(jnp.asarray, _chain_data(n))
        f = jax.jit(lambda a, b: jnp.tanh(a * 1.5 + b) * jax.nn.sigmoid(a))
        return _jax_ready(lambda: f(a, b))

    def floor():
        # Reads a and b and writes the result: 12 bytes per element at the
        # bandwidth of a large copy on this machine.
        src = np.ones(1 << 24, np.float32)
        dst = np.empty_like(src)
        best = min(_time(lambda: np.copyto(dst, src)) for _ in range(5))
        bandwidth = 2 * src.nbytes / best
        return 12 * n / bandwidth, f"12 bytes/element at the copy bandwidth {bandwidth / 1e9:.1f} GB/s"

    return Workload(f"chain-{label}", f"`tanh(a*1.5+b)*sigmoid(a)`, {label} f32",
                    _impls(build_vsla, build_numpy, torch_fn, build_jax), floor=floor)


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _impls(build_vsla, build_numpy, torch_fn, build_jax, notes=None) -> list[Impl]:
    notes = notes or {}
    impls = [Impl("VSLA", build_vsla, notes.get("VSLA", ""))]
    if build_numpy:
        impls.append(Impl("NumPy", build_numpy, notes.get("NumPy", "")))
    if HAVE_TORCH and torch_fn:
        impls.append(Impl("PyTorch", torch_fn(False), notes.get("PyTorch", "")))
        impls.append(Impl("torch.compile", torch_fn(True), notes.get("torch.compile", "")))
    if HAVE_JAX and build_jax:
        impls.append(Impl("JAX", build_jax, notes.get("JAX", "")))
    return impls


# --- matmul ---------------------------------------------------------------

def matmul(shapes: list[tuple[int, int, int]], name: str, title: str) -> Workload:
    """f32 products cycling through `shapes` (m, k, n): one compile serves
    them all in VSLA (and in torch.compile with dynamic shapes); JAX compiles
    each shape once during warm-up."""
    def data(framework_array):
        rng = _rng()
        return [(framework_array(rng.standard_normal((m, k), dtype=np.float32)),
                 framework_array(rng.standard_normal((k, n), dtype=np.float32)))
                for m, k, n in shapes]

    def cycle(pairs, f):
        it = itertools.cycle(pairs)

        def run():
            a, b = next(it)
            return f(a, b)
        return run

    def build_vsla():
        f = vsla.jit(vsla.matmul)
        return cycle(data(vsla.asarray), f)

    def build_numpy():
        return cycle(data(np.asarray), np.matmul)

    def torch_fn(compiled):
        import torch

        def build():
            f = torch.matmul
            if compiled:
                f = torch.compile(lambda a, b: a @ b, dynamic=len(shapes) > 1)
            return cycle(data(torch.from_numpy), f)
        return build

    def build_jax():
        import jax
        import jax.numpy as jnp

        f = jax.jit(jnp.matmul)
        run = cycle(data(jnp.asarray), f)
        for _ in shapes:  # compile every shape before timing
            jax.block_until_ready(run())
        return _jax_ready(run)

    return Workload(name, title, _impls(build_vsla, build_numpy, torch_fn, build_jax))


# --- training steps ----------------------------------------------------------

def _mlp_batch(sizes, batch, seed=0):
    rng = _rng(seed)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return x, y


def _vsla_mlp(sizes, activations):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(nn.GELU() if activations[i] == "gelu" else nn.ReLU())
    return nn.Sequential(*layers)


def _torch_mlp(sizes, activations):
    import torch

    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(sizes) - 2:
            layers.append(torch.nn.GELU() if activations[i] == "gelu" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def vsla_train_step(sizes, activations, batch):
    x, y = _mlp_batch(sizes, batch)
    x, y = vsla.asarray(x), vsla.asarray(y.astype(np.int32))
    model = _vsla_mlp(sizes, activations)
    step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=1e-3))
    return lambda: step(x, y)


def torch_train_step(sizes, activations, batch, compiled):
    import torch

    x, y = _mlp_batch(sizes, batch)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model = _torch_mlp(sizes, activations)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return torch.compile(step) if compiled else step


def jax_train_step(sizes, activations, batch):
    import jax
    import jax.numpy as jnp

    x, y = _mlp_batch(sizes, batch)
    x, y = jnp.asarray(x), jnp.asarray(y)
    rng = _rng(1)
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append((jnp.asarray(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)),
                       jnp.asarray(rng.uniform(-bound, bound, fan_out).astype(np.float32))))

    def loss_fn(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = jax.nn.gelu(h, approximate=False) if activations[i] == "gelu" else \
                    jax.nn.relu(h)
        log_probs = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))

    @jax.jit
    def step(params, m, v, t, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        params = jax.tree.map(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + eps),
                              params, m, v)
        return loss, params, m, v

    state = {"params": params, "m": jax.tree.map(jnp.zeros_like, params),
             "v": jax.tree.map(jnp.zeros_like, params), "t": 0}

    def run():
        state["t"] += 1
        loss, state["params"], state["m"], state["v"] = step(
            state["params"], state["m"], state["v"], jnp.float32(state["t"]), x, y)
        jax.block_until_ready(loss)
        return loss
    return run


def train(name, title, sizes, activations, batch) -> Workload:
    return Workload(name, title, _impls(
        lambda: vsla_train_step(sizes, activations, batch), None,
        lambda compiled: (lambda: torch_train_step(sizes, activations, batch, compiled)),
        lambda: jax_train_step(sizes, activations, batch)))


def compile_time(name, title, sizes, activations, batch, warm: bool) -> Workload:
    """Time to the first training step's result. Cold: every call builds a
    model of a size not seen before (hidden width + 1), so nothing is cached.
    Warm: the same model again, built anew in a process that compiled it."""
    def sized(i):
        return (sizes[0],) + tuple(h + (0 if warm else i) for h in sizes[1:-1]) + (sizes[-1],)

    def factory(make):
        def build():
            counter = itertools.count(1)

            def run():
                return make(sized(next(counter)))()
            return run
        return build

    act = activations
    impls = [Impl("VSLA", factory(lambda s: vsla_train_step(s, act, batch)))]
    if HAVE_TORCH:
        impls.append(Impl("torch.compile",
                          factory(lambda s: torch_train_step(s, act, batch, True))))
    if HAVE_JAX:
        impls.append(Impl("JAX", factory(lambda s: jax_train_step(s, act, batch))))
    return Workload(name, title, impls, once=True, warmup=False, rounds=(3, 1), unit="s")


# --- variable-length convolution ------------------------------------------

def conv(name, title, count, signal_lengths, kernel_lengths) -> Workload:
    def data():
        rng = _rng(2)
        n = rng.integers(signal_lengths[0], signal_lengths[1] + 1, count)
        k = rng.integers(kernel_lengths[0], kernel_lengths[1] + 1, count)
        return [(rng.standard_normal(a, dtype=np.float32), rng.standard_normal(b, dtype=np.float32))
                for a, b in zip(n, k)]

    def build_vsla():
        f = vsla.jit(vsla.conv)
        pairs = [(vsla.asarray(a), vsla.asarray(b)) for a, b in data()]
        return lambda: [f(a, b) for a, b in pairs]

    def build_numpy():
        pairs = data()
        return lambda: [np.convolve(a, b) for a, b in pairs]

    def torch_fn(compiled):
        import torch

        def build():
            # conv1d is a correlation: flip the kernel, pad by its length - 1.
            pairs = [(torch.from_numpy(a)[None, None], torch.from_numpy(b[::-1].copy())[None, None])
                     for a, b in data()]

            def f(a, w):
                return torch.nn.functional.conv1d(a, w, padding=w.shape[-1] - 1)
            g = torch.compile(f, dynamic=True) if compiled else f
            return lambda: [g(a, w) for a, w in pairs]
        return build

    return Workload(name, title, _impls(build_vsla, build_numpy, torch_fn, None),
                    once=True, rounds=(5, 3),
                    skipped={"JAX": "compiles once per length (hundreds of compiles)"})


# --- a per-item pipeline over ragged sequences ------------------------------

def _ragged(count=512, low=16, high=2048):
    rng = _rng(3)
    lengths = rng.integers(low, high + 1, count)
    return [rng.standard_normal(n, dtype=np.float32) for n in lengths]


def ragged_pipeline(name, title, count) -> Workload:
    """Per sequence: attention-like pooling sum(softmax(x) * tanh(x)). VSLA maps
    it over the ragged batch in one call (vmap; every sequence at its own length,
    on every core), or calls it once per sequence; the peers pad to the longest
    and mask."""
    def pool(x):
        return vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x))

    def build_vsla():
        f = vsla.vmap(pool)
        batch = vsla.ragged(_ragged(count))
        return lambda: f(batch)

    def build_vsla_loop():
        f = vsla.jit(pool)
        xs = [vsla.asarray(x) for x in _ragged(count)]
        return lambda: [f(x) for x in xs]

    def padded():
        xs = _ragged(count)
        width = max(len(x) for x in xs)
        values = np.zeros((len(xs), width), np.float32)
        mask = np.zeros((len(xs), width), bool)
        for i, x in enumerate(xs):
            values[i, :len(x)] = x
            mask[i, :len(x)] = True
        return values, mask

    def build_numpy():
        values, mask = padded()

        def run():
            z = np.where(mask, values, -np.inf)
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            return (p * np.tanh(values)).sum(axis=1)
        return run

    def torch_fn(compiled):
        import torch

        def build():
            values, mask = map(torch.from_numpy, padded())

            def f(values, mask):
                p = torch.softmax(values.masked_fill(~mask, float("-inf")), dim=1)
                return (p * torch.tanh(values)).sum(dim=1)
            g = torch.compile(f) if compiled else f
            return lambda: g(values, mask)
        return build

    def build_jax():
        import jax
        import jax.numpy as jnp

        values, mask = map(jnp.asarray, padded())

        @jax.jit
        def f(values, mask):
            p = jax.nn.softmax(jnp.where(mask, values, -jnp.inf), axis=1)
            return (p * jnp.tanh(values)).sum(axis=1)
        return _jax_ready(lambda: f(values, mask))

    impls = _impls(build_vsla, build_numpy, torch_fn, build_jax,
                   {"VSLA": "vmap over the ragged batch, one call"})
    impls.insert(1, Impl("VSLA", build_vsla_loop, "one call per sequence", variant="per item"))
    return Workload(name, title, impls, measure_memory=True)


# --- dispatch overhead ------------------------------------------------------

def dispatch() -> Workload:
    x = np.ones(4, np.float32)

    def build_vsla():
        f = vsla.jit(lambda a, b: a + b)
        a = vsla.asarray(x)
        return lambda: f(a, a)

    def torch_fn(compiled):
        import torch

        def build():
            a = torch.from_numpy(x)
            f = torch.compile(lambda a, b: a + b) if compiled else torch.add
            return lambda: f(a, a)
        return build

    def build_jax():
        import jax
        import jax.numpy as jnp

        a = jnp.asarray(x)
        f = jax.jit(lambda a, b: a + b)
        return _jax_ready(lambda: f(a, a))

    return Workload("dispatch", "tiny call `a + b` (4 f32), per call",
                    _impls(build_vsla, lambda: (lambda: np.add(x, x)), torch_fn, build_jax),
                    unit="us", sample_seconds=(0.2, 0.05))


def all_workloads(quick: bool) -> list[Workload]:
    from plaid import plaid_workload

    conv_count = 200 if quick else 1000
    return [
        chain(1 << 20, "1M"),
        chain(1 << 24, "16M"),
        matmul([(256, 256, 256)], "matmul-256", "f32 matmul 256"),
        matmul([(1024, 1024, 1024)], "matmul-1024", "f32 matmul 1024"),
        matmul([(2048, 2048, 2048)], "matmul-2048", "f32 matmul 2048"),
        matmul([(1000, 700, 1300), (900, 800, 1200), (1100, 600, 1400)], "matmul-dyn",
               "f32 matmul, 3 non-square shapes in turn (m, k, n around 1000, 700, 1300)"),
        train("mlp-train", "MLP 784-512-512-10, batch 256, Adam train step",
              (784, 512, 512, 10), ("relu", "relu"), 256),
        train("digits-train", "digits MLP 64-128-64-10 (ReLU, GELU), batch 64, Adam step",
              (64, 128, 64, 10), ("relu", "gelu"), 64),
        compile_time("compile-cold", "cold compile + first step of the MLP train step",
                     (784, 512, 512, 10), ("relu", "relu"), 256, warm=False),
        compile_time("compile-warm", "warm start: the same train step built again",
                     (784, 512, 512, 10), ("relu", "relu"), 256, warm=True),
        conv("conv-short", f"`conv` of {conv_count} signals (lengths 100-10,000, kernels 16)",
             conv_count, (100, 10000), (16, 16)),
        conv("conv-long", f"`conv` of {conv_count // 5} signals (lengths 1,000-4,000, kernels "
             "500-2,000)", conv_count // 5, (1000, 4000), (500, 2000)),
        ragged_pipeline("ragged", "per-item `sum(softmax(x)*tanh(x))` over 512 sequences "
                        "(lengths 16-2,048); peers pad and mask", 512),
        dispatch(),
        plaid_workload(quick),
    ]
