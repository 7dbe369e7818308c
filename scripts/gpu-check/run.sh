#!/usr/bin/env bash
# The run half of scripts/gpu-check.sh, copied into the package it builds: on
# the machine with the GPU (python3 with PyTorch, no LLVM), finds cuBLAS and
# runs run.py (every case against PyTorch on the GPU, the benchmark rows).
# Arguments go to run.py (--report PATH, --skip-compile, --only a,b).
# Exit 0: every case matches; 1: a mismatch or failure; 2: no GPU.
set -uo pipefail
cd "$(dirname "$0")"
find_cublas() {
  local candidate
  for candidate in /usr/local/cuda/lib64/libcublas.so.13 /usr/local/cuda/lib64/libcublas.so.12; do
    [ -e "$candidate" ] && { echo "$candidate"; return; }
  done
  # PyTorch's and JAX's wheels bring cuBLAS under site-packages/nvidia/.
  python3 - <<'PY' 2>/dev/null
import glob, site
for d in site.getsitepackages():
    found = sorted(glob.glob(d + "/nvidia/**/libcublas.so.1*", recursive=True))
    if found:
        print(found[-1])
        break
PY
}
[ -n "${VSLA_CUBLAS:-}" ] || VSLA_CUBLAS=$(find_cublas)
export VSLA_CUBLAS
echo "gpu-check: cuBLAS ${VSLA_CUBLAS:-as the dynamic loader finds it}"
exec python3 run.py "$@"
