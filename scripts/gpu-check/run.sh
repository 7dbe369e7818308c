#!/usr/bin/env bash
# The run half of scripts/gpu-check.sh, copied into the package it builds:
# on a machine with an NVIDIA GPU (and no LLVM), runs each case's cuda
# artifact with the packaged vsla-run, compares every result with what the
# cpu artifact computed on the build machine, and times it. Needs python3
# with NumPy. Exit 0: every case matches; 1: a mismatch or failure; 2: no GPU.
set -uo pipefail
cd "$(dirname "$0")"
export VSLA_OPENMP_LIBRARY="$PWD/bin/libomp.so.5"
status=0
for artifact in cases/*.cuda.vsla; do
  case=$(basename "$artifact" .cuda.vsla)
  inputs=()
  for input in cases/"$case".in*.npy; do inputs+=(-i "$input"); done
  outputs=()
  for expected in cases/"$case".expected*.npy; do
    outputs+=(-o "cases/$case.gpu${expected#cases/$case.expected}")
  done
  if ! log=$(bin/vsla-run "$artifact" "${inputs[@]}" "${outputs[@]}" --benchmark 20 2>&1); then
    echo "$case: FAILED: $log"
    if grep -q "unavailable" <<<"$log"; then exit 2; fi
    status=1
    continue
  fi
  python3 - "$case" "$log" <<'PY' || status=1
import glob, sys
import numpy as np
case, log = sys.argv[1], sys.argv[2]
worst = 0.0
for expected in sorted(glob.glob(f"cases/{case}.expected*.npy")):
    got = np.load(expected.replace(".expected", ".gpu"))
    want = np.load(expected)
    if got.shape != want.shape:
        print(f"{case}: MISMATCH: shape {got.shape} != {want.shape}")
        sys.exit(1)
    scale = np.maximum(np.abs(want), 1.0)
    worst = max(worst, float(np.max(np.abs(got - want) / scale)) if want.size else 0.0)
ok = worst <= 1e-4
print(f"{case}: {'OK' if ok else 'MISMATCH'} (max relative error {worst:.2e}); {log.strip()}")
sys.exit(0 if ok else 1)
PY
done
exit $status
