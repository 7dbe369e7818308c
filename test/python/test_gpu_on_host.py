"""The GPU pipeline's kernels, run on the host (VSLA_GPU_ON_HOST=1: blocks of one
thread, launches as loops, device memory as host memory; docs/gpu.md) against the
CPU pipeline. This machine may have no GPU: what the kernels compute (their indexing,
the buffers handed between host and device, a ragged batch's workspaces and offsets,
block reductions, copies, checks) is checked here; what only parallel threads do is
left to scripts/gpu-check.sh on a GPU."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

PRELUDE = """
import numpy as np, vsla
from vsla import nn, optim
results = {}
rng = np.random.default_rng(0)

def batch(lengths, item=lambda n: (n,)):
    return vsla.ragged([rng.standard_normal(item(n)).astype(np.float32) for n in lengths])

def keep(name, value):
    if isinstance(value, vsla.Ragged):
        results[name + ".values"] = np.asarray(value.values)
        results[name + ".shapes"] = value.shapes
    elif isinstance(value, (tuple, list)):
        for k, v in enumerate(value):
            keep(f"{name}.{k}", v)
    else:
        results[name] = np.asarray(value)
"""


def run_both(tmp_path, code: str):
    """`code` (which fills `results`) run by the CPU pipeline and by the GPU
    pipeline on the host; returns both sets of results."""
    out = {}
    for mode in ("cpu", "gpu"):
        path = tmp_path / f"{mode}.npz"
        env = dict(os.environ, VSLA_GPU_ON_HOST="1" if mode == "gpu" else "0")
        script = PRELUDE + textwrap.dedent(code) + f"\nnp.savez({str(path)!r}, **results)\n"
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, f"{mode}:\n" + done.stdout + done.stderr
        with np.load(path) as data:
            out[mode] = {k: data[k] for k in data.files}
    assert out["cpu"].keys() == out["gpu"].keys()
    return out["cpu"], out["gpu"]


def assert_same(cpu, gpu, rtol=2e-5, atol=2e-5):
    for name in cpu:
        assert cpu[name].shape == gpu[name].shape, name
        np.testing.assert_allclose(gpu[name], cpu[name], rtol=rtol, atol=atol, err_msg=name)


def test_ragged_maps_run_a_block_per_item_as_the_cpu_does(tmp_path):
    cpu, gpu = run_both(tmp_path, """
        pool = vsla.vmap(lambda x: vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x)))
        for k, lengths in enumerate([(5, 3, 8), (1,), (700, 2, 33, 1, 260), (4,) * 9]):
            keep(f"pool{k}", pool(batch(lengths)))
        # Ragged results (each item its own extents), a mapped tensor, a shared one.
        keep("scaled", vsla.vmap(lambda x: vsla.tanh(x) * 2 + 1)(batch((3, 7, 1))))
        keep("conv", vsla.vmap(lambda x, h: vsla.conv(x, h), in_axes=(0, None))(
            batch((9, 1, 30)), np.array([0.5, -1.0, 2.0], np.float32)))
        keep("rows", vsla.vmap(lambda x: vsla.sum(x, axis=1), out="stack")(
            batch((2, 5, 3), lambda n: (n, 4))))
        keep("matmul", vsla.vmap(lambda x, w: vsla.matmul(x, w), in_axes=(0, None))(
            batch((2, 6), lambda n: (n, 3)), rng.standard_normal((3, 5)).astype(np.float32)))
        keep("dense", vsla.vmap(lambda x: vsla.max(x))(rng.standard_normal((6, 10)).astype(
            np.float32)))
        # An empty batch and an empty item.
        keep("empty", vsla.vmap(lambda x: vsla.sum(x * 2))(vsla.ragged(
            [np.zeros(0, np.float32)] * 0, dtype=np.float32)))
        keep("hole", vsla.vmap(lambda x: vsla.sum(vsla.tanh(x)))(
            vsla.ragged([np.ones(3, np.float32), np.zeros(0, np.float32)])))
    """)
    assert_same(cpu, gpu)
    assert cpu["pool2"].shape == (5,) and cpu["scaled.shapes"].tolist() == [[3], [7], [1]]


def test_gradients_of_ragged_maps_match_the_cpu(tmp_path):
    cpu, gpu = run_both(tmp_path, """
        xs = batch((40, 1, 7, 200))
        w = rng.standard_normal(5).astype(np.float32)
        def loss(w, r):
            item = lambda x, w: vsla.sum(vsla.tanh(vsla.conv(x, w)) ** 2)
            return vsla.sum(vsla.vmap(item, in_axes=(0, None))(r, w))
        keep("both", vsla.grad(loss, argnums=(0, 1))(w, xs))
        pool = lambda r: vsla.sum(vsla.vmap(
            lambda x: vsla.sum(vsla.softmax(x, axis=0) * vsla.tanh(x)))(r))
        keep("pool", vsla.value_and_grad(pool)(xs))
    """)
    assert_same(cpu, gpu, rtol=1e-4, atol=1e-4)


def test_a_model_mapped_over_ragged_series_trains_as_on_the_cpu(tmp_path):
    cpu, gpu = run_both(tmp_path, """
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv1d(1, 8, 5)
                self.conv2 = nn.Conv1d(8, 8, 5)
                self.head = nn.Linear(8, 4)

            def forward(self, series):
                def one(x):
                    h = vsla.relu(self.conv2(vsla.relu(self.conv1(x))))
                    return self.head(vsla.mean(h, axis=2))
                return vsla.reshape(vsla.vmap(one, out="stack")(series), (-1, 4))

        vsla.manual_seed(0)
        model = Net()
        step = optim.train_step(model, nn.cross_entropy, optim.Adam(model, lr=1e-2))
        series = batch((60, 9, 130, 33), lambda n: (1, 1, n))
        labels = np.array([0, 3, 1, 2], np.int32)
        keep("losses", [step(series, labels) for _ in range(3)])
        keep("params", [p for p in model.parameters()])
        keep("compiles", np.array(step.cache_size()))
    """)
    assert_same(cpu, gpu, rtol=1e-4, atol=1e-5)


def test_dense_kernels_of_the_gpu_pipeline_match_the_cpu(tmp_path):
    cpu, gpu = run_both(tmp_path, """
        a = rng.standard_normal((37, 301)).astype(np.float32)
        b = rng.standard_normal((37, 301)).astype(np.float32)
        f = vsla.jit(lambda a, b: (vsla.tanh(1.5 * a + b) * vsla.sigmoid(a),
                                   vsla.softmax(a, axis=1), vsla.sum(a, axis=0),
                                   vsla.max(a, axis=1), vsla.sum(a)))
        keep("dense", f(a, b))
        keep("ambient", vsla.jit(lambda x, y: x + y)(np.ones(1000, np.float32),
                                                     np.arange(37, dtype=np.float32)))
        keep("matmul", vsla.jit(vsla.matmul)(a[:, :40], a[:40, :9]))
        keep("conv", vsla.jit(vsla.conv)(b[0], a[0, :17]))
        keep("shrink", vsla.jit(vsla.shrink)(np.array([1, 2, 0, 0], np.float32)))
        keep("grad", vsla.grad(lambda a: vsla.sum(vsla.log_softmax(a, axis=1) * a))(a))
        keep("wide", vsla.jit(lambda i, d: (vsla.sum(i), vsla.max(d, axis=0)))(
            np.arange(-20, 20, dtype=np.int64), a.astype(np.float64)))
        try:
            vsla.jit(nn.cross_entropy)(a[:4, :10], np.array([0, 1, 10, 2], np.int32))
        except vsla.VslaError as e:
            results["bad_label"] = np.array(type(e).__name__ + ": " + str(e).splitlines()[0])
    """)
    assert str(cpu["bad_label"]) == str(gpu["bad_label"])
    assert "out of range" in str(cpu["bad_label"])
    del cpu["bad_label"], gpu["bad_label"]
    assert_same(cpu, gpu, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("lengths", [(3, 5000), (1,) * 300])
def test_skewed_and_many_small_items(tmp_path, lengths):
    cpu, gpu = run_both(tmp_path, f"""
        keep("pool", vsla.vmap(lambda x: vsla.sum(vsla.softmax(x, axis=0) * x))(
            batch({lengths!r})))
    """)
    assert_same(cpu, gpu, rtol=1e-5, atol=1e-5)


def test_the_gpu_pipeline_is_what_runs(tmp_path):
    # A map nested in a map's items compiles for the CPU; the GPU pipeline names it
    # (each item is one thread block), so VSLA_GPU_ON_HOST=1 really goes through it.
    code = PRELUDE + textwrap.dedent("""
        inner = vsla.vmap(lambda x: vsla.sum(x))
        outer = vsla.vmap(lambda x: vsla.sum(inner(x)))
        try:
            print(outer(batch((3, 4), lambda n: (n, 2))))
        except vsla.CompileError as e:
            print("CompileError", e)
    """)
    outputs = {}
    for mode in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=dict(os.environ, VSLA_GPU_ON_HOST=mode), timeout=600)
        assert done.returncode == 0, done.stderr
        outputs[mode] = done.stdout
    assert "CompileError" not in outputs["0"]
    assert "maps over a nested batch" in outputs["1"]
