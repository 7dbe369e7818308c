"""The examples run and check themselves against NumPy."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_quickstart():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "quickstart.py")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "compiled versions of denoise: 1" in result.stdout
    assert "all results match NumPy" in result.stdout


def test_variable_length_training_shortened():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "variable_length.py"),
                             "--epochs", "1", "--signals", "60"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "1 compile of the training step" in result.stdout
    assert "padded to the longest signal" in result.stdout


def test_ragged_plaid_shortened():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "ragged_plaid.py"),
                             "--synthetic", "--quick", "--epochs", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "compiles of the VSLA training step: 1" in result.stdout
    assert "| VSLA, ragged batches (no padding) |" in result.stdout
