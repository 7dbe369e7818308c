"""vsla_runtime: artifacts run from Python through the runtime's C interface (ctypes),
with DLPack tensors in and out, and no compiler in the process."""

import os
import subprocess
import sys

import numpy as np
import pytest

import vsla

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON_DIR = os.path.join(ROOT, "python")
sys.path.insert(0, PYTHON_DIR)  # vsla_runtime is plain Python beside the vsla package


def _run_without_vsla(code: str, *args) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter that can import vsla_runtime but not vsla."""
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    guard = ("import sys\n"
             "class _NoVsla:\n"
             "    def find_spec(self, name, *a):\n"
             "        if name == 'vsla' or name.startswith('vsla.'):\n"
             "            raise ImportError('vsla must not be needed')\n"
             "sys.meta_path.insert(0, _NoVsla())\n")
    return subprocess.run([sys.executable, "-c", guard + code, *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    path = tmp_path_factory.mktemp("rt") / "step.vsla"

    def step(w, x):
        loss, g = vsla.value_and_grad(lambda w: vsla.sum(vsla.tanh(vsla.matmul(x, w))))(w)
        return w - 0.5 * g, loss

    vsla.export(step, np.ones((4, 3), np.float32), np.ones((5, 4), np.float32), path=path)
    return path


def _reference(w, x, lr):
    z = x @ w
    loss = np.tanh(z).sum()
    grad = x.T @ (1 - np.tanh(z) ** 2)
    return w - lr * grad, loss


def test_a_module_lists_its_functions_and_runs_numpy_arrays(artifact):
    import vsla_runtime

    m = vsla_runtime.load(artifact)
    (name,) = m.functions
    f = m.functions[name]
    assert f.device == "host" and f.results == 2
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 2)).astype(np.float32)
    x = rng.standard_normal((7, 6)).astype(np.float32)
    new_w, loss = f(w, x)
    assert new_w.shape == (6, 2) and new_w.dtype == "float32" and new_w.device == "cpu"
    want_w, want_loss = _reference(w, x, 0.5)
    np.testing.assert_allclose(np.from_dlpack(new_w), want_w, rtol=1e-5, atol=1e-5)
    assert float(np.from_dlpack(loss)) == pytest.approx(float(want_loss), rel=1e-5)
    # Strided inputs are fine on the host; the metadata of vsla.export travels.
    new_w2, _ = m(name, w, np.asfortranarray(x))
    np.testing.assert_allclose(np.from_dlpack(new_w2), want_w, rtol=1e-5, atol=1e-5)
    assert b'"format"' in m.user_metadata


def test_results_are_shared_without_copies_and_outlive_the_module(artifact):
    import gc

    import vsla_runtime

    m = vsla_runtime.load(artifact)
    f = next(iter(m.functions.values()))
    new_w, _ = f(np.ones((4, 3), np.float32), np.ones((5, 4), np.float32))
    a = np.from_dlpack(new_w)
    b = np.from_dlpack(new_w)
    assert a.ctypes.data == b.ctypes.data  # the same memory, twice exported
    del m, f, new_w
    gc.collect()
    np.testing.assert_allclose(a, b)
    assert np.isfinite(a).all()


def test_bad_calls_are_named_errors(artifact):
    import vsla_runtime

    m = vsla_runtime.load(artifact)
    f = next(iter(m.functions.values()))
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        f(np.ones((4, 3), np.float32))
    with pytest.raises(vsla_runtime.RuntimeError, match="rank-2 tensor of f32, got a rank-1"):
        f(np.ones(4, np.float32), np.ones((5, 4), np.float32))
    with pytest.raises(vsla_runtime.RuntimeError, match="f32"):
        f(np.ones((4, 3), np.float64), np.ones((5, 4), np.float32))
    with pytest.raises(TypeError, match="supports DLPack"):
        f("w", np.ones((5, 4), np.float32))
    with pytest.raises(AttributeError, match="has no function @nope"):
        _ = m.nope
    with pytest.raises(vsla_runtime.RuntimeError, match="no such file|cannot open|not found"):
        vsla_runtime.load("/nonexistent.vsla")


def test_it_runs_in_a_process_that_cannot_import_vsla(artifact):
    done = _run_without_vsla(
        "import numpy as np, vsla_runtime\n"
        "m = vsla_runtime.load(sys.argv[1])\n"
        "f = next(iter(m.functions.values()))\n"
        "w, loss = f(np.ones((4, 3), np.float32), np.ones((5, 4), np.float32))\n"
        "print(np.from_dlpack(w).shape, float(np.from_dlpack(loss)))\n", str(artifact))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("(4, 3)")


def test_gpu_functions_refuse_host_memory_by_name(tmp_path):
    import vsla_runtime

    path = tmp_path / "chain.vsla"
    vsla.export(lambda a, b: vsla.tanh(a * 1.5 + b), np.ones(4, np.float32),
                np.ones(4, np.float32), path=path, target="cuda")
    f = next(iter(vsla_runtime.load(path).functions.values()))
    assert f.device == "cuda"
    with pytest.raises(vsla_runtime.RuntimeError,
                       match="unavailable|host memory; the function runs on cuda"):
        f(np.ones(4, np.float32), np.ones(4, np.float32))


def test_torch_tensors_go_in_and_results_come_back_without_copies(artifact):
    torch = pytest.importorskip("torch")
    import vsla_runtime

    f = next(iter(vsla_runtime.load(artifact).functions.values()))
    w, x = torch.ones(4, 3), torch.ones(5, 4)
    new_w, loss = f(w, x)
    t = torch.from_dlpack(new_w)
    assert t.data_ptr() == np.from_dlpack(new_w).ctypes.data
    want_w, _ = _reference(w.numpy(), x.numpy(), 0.5)
    np.testing.assert_allclose(t.numpy(), want_w, rtol=1e-5)
