"""scripts/gpu-check.sh's build half runs here (no GPU): it packs cuda artifacts, their
inputs, the CPU's results, vsla-run and libomp; the run half says there is no GPU."""

import os
import subprocess

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_gpu_check_builds_here_and_needs_a_gpu_to_run(tmp_path):
    out = tmp_path / "check"
    built = subprocess.run([os.path.join(ROOT, "scripts", "gpu-check.sh"), "build", str(out)],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert built.returncode == 0, built.stdout + built.stderr
    cases = sorted(p.name for p in (out / "cases").iterdir())
    for case in ("ambient", "chain", "conv", "matmul", "rowsum"):
        assert f"{case}.cuda.vsla" in cases
        assert f"{case}.expected0.npy" in cases
    # The CPU's results are the references: check one against NumPy.
    a, b = np.load(out / "cases" / "chain.in0.npy"), np.load(out / "cases" / "chain.in1.npy")
    expected = np.tanh(a * 1.5 + b) / (1 + np.exp(-a))
    np.testing.assert_allclose(np.load(out / "cases" / "chain.expected0.npy"), expected,
                               rtol=2e-5, atol=2e-6)
    assert (out / "bin" / "vsla-run").exists() and (out / "bin" / "libomp.so.5").exists()
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 64 << 20
    ran = subprocess.run(["bash", str(out / "run.sh")], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, VSLA_CUDA_DRIVER="/nonexistent"))
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert "unavailable" in ran.stdout
