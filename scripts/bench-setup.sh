#!/usr/bin/env bash
# Installs the benchmark peers into their own environment, .venv-bench:
# NumPy, PyTorch (eager and torch.compile), JAX, matplotlib for the plot, and
# sktime without its dependencies (only for the PLAID data set its wheel
# ships). VSLA never depends on any of them: .venv-bench also sees the vsla
# package of .venv, so benchmarks/run.py measures VSLA and its peers in one
# process. Idempotent.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh

python="${PYTHON:-python3}"
if [ ! -x .venv-bench/bin/python ]; then
  echo "bench-setup: creating .venv-bench ($("$python" --version))"
  "$python" -m venv .venv-bench
fi
pip=(.venv-bench/bin/python -m pip install -q --disable-pip-version-check)

if ! .venv-bench/bin/python -c "import numpy, pybind11, scikit_build_core, matplotlib, psutil" 2>/dev/null; then
  echo "bench-setup: installing numpy, matplotlib, psutil and the build tools"
  "${pip[@]}" numpy pybind11 scikit-build-core matplotlib psutil
fi
if ! .venv-bench/bin/python -c "import torch" 2>/dev/null; then
  echo "bench-setup: installing PyTorch (a large download)"
  "${pip[@]}" torch
fi
if ! .venv-bench/bin/python -c "import jax" 2>/dev/null; then
  echo "bench-setup: installing JAX"
  "${pip[@]}" jax
fi
if ! .venv-bench/bin/python -m pip show -q sktime >/dev/null 2>&1; then
  echo "bench-setup: installing sktime (data only, no dependencies)"
  "${pip[@]}" --no-deps sktime
fi
# vsla itself: .venv's editable install (the same build tree and the same
# interpreter), so both environments import one build and neither
# reconfigures it for the other.
bench_site="$(.venv-bench/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
dev_site="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp "$dev_site"/_editable_skbc_vsla.py "$dev_site"/_editable_skbc_vsla.pth "$bench_site"/
echo "bench-setup: .venv-bench has vsla, numpy, torch, jax, matplotlib and sktime's data"
