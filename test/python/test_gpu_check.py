"""scripts/gpu-check.sh's build half runs here (no GPU): it exports every case of
scripts/gpu-check/cases.py for the cuda target and packs small cases' inputs and CPU
results, vsla-run and libomp; the run half says there is no GPU."""

import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_gpu_check_builds_here_and_needs_a_gpu_to_run(tmp_path):
    out = tmp_path / "check"
    built = subprocess.run([os.path.join(ROOT, "scripts", "gpu-check.sh"), "build", str(out)],
                           capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((out / "cases" / "manifest.json").read_text())
    files = {p.name for p in (out / "cases").iterdir()}
    for case in ("chain", "ambient", "reductions", "softmax", "layout", "math", "matmul",
                 "conv", "conv_grad", "cross_entropy", "bad_labels", "mlp_step", "chain_16m",
                 "matmul_4096"):
        assert f"{case}.cuda.vsla" in files
        assert manifest[case]["results"] >= 1
    assert manifest["mlp_step"]["results"] == 7  # six parameters and the loss
    # Ragged batches: each a pair of inputs (packed values, shapes table).
    for case, results in (("ragged_pool", 1), ("ragged_pool_grad", 1),
                          ("ragged_conv_grad", 2), ("plaid_step", 7)):
        assert f"{case}.cuda.vsla" in files and manifest[case]["results"] == results
    shapes = np.load(out / "cases" / "plaid_step.in7.npy")
    assert shapes.dtype == np.int64 and shapes.shape == (32, 3) and (shapes[:, :2] == 1).all()
    assert manifest["reductions"]["results"] == 4
    # Small cases ship the CPU's results: check one against NumPy.
    a, b = np.load(out / "cases" / "chain.in0.npy"), np.load(out / "cases" / "chain.in1.npy")
    expected = np.tanh(a * 1.5 + b) / (1 + np.exp(-a))
    np.testing.assert_allclose(np.load(out / "cases" / "chain.expected0.npy"), expected,
                               rtol=2e-5, atol=2e-6)
    assert "chain_16m.in0.npy" not in files  # made on the GPU machine
    # The case whose check must fail ships its inputs (a label out of range), no results.
    labels = np.load(out / "cases" / "bad_labels.in1.npy")
    assert labels.max() == 10 and "bad_labels.expected0.npy" not in files
    for tool in ("vsla-run", "libomp.so.5", "libvsla_runtime.so"):
        assert (out / "bin" / tool).exists()
    assert (out / "vsla_runtime" / "__init__.py").exists()
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 48 << 20
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    ran = subprocess.run(["bash", str(out / "run.sh")], capture_output=True, text=True,
                         timeout=300,
                         env=dict(os.environ, VSLA_CUDA_DRIVER="/nonexistent", PATH=path))
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "unavailable" in ran.stdout
