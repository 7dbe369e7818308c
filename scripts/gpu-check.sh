#!/usr/bin/env bash
# The GPU check: compile here, run there (the GPU machine has no LLVM/MLIR).
#
#   scripts/gpu-check.sh build [DIR]   # here: DIR (default build-gpu-check) gets a
#                                      # cuda artifact per case of scripts/gpu-check/,
#                                      # its inputs, the cpu results, vsla-run, libomp
#   bash DIR/run.sh                    # there: runs every case on the GPU, compares
#
# The package is a few MiB; send it with the device tool's `carry`. See docs/gpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
dir="${2:-build-gpu-check}"
if [ "$mode" != build ]; then
  echo "usage: scripts/gpu-check.sh build [DIR]; then bash DIR/run.sh on the GPU machine" >&2
  exit 2
fi
[ -x build/bin/vsla-compile ] || { echo "gpu-check: build first (scripts/build.sh)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/cases"
cp build/bin/vsla-run "$dir/bin/"
cp -L /usr/lib/llvm-22/lib/libomp.so.5 "$dir/bin/"
cp scripts/gpu-check/run.sh "$dir/run.sh"
.venv/bin/python scripts/gpu-check/make_cases.py scripts/gpu-check "$dir/cases"
for mlir in scripts/gpu-check/*.mlir; do
  case=$(basename "$mlir" .mlir)
  build/bin/vsla-compile "$mlir" -o "$dir/cases/$case.cuda.vsla" --target cuda
  build/bin/vsla-compile "$mlir" -o "$dir/cases/$case.cpu.vsla"
  inputs=()
  for input in "$dir/cases/$case".in*.npy; do inputs+=(-i "$input"); done
  results=$(build/bin/vsla-run "$dir/cases/$case.cpu.vsla" --describe | sed 's/.*-> (//' | tr -cd ',' | wc -c)
  outputs=()
  for k in $(seq 0 "$results"); do outputs+=(-o "$dir/cases/$case.expected$k.npy"); done
  build/bin/vsla-run "$dir/cases/$case.cpu.vsla" "${inputs[@]}" "${outputs[@]}"
  rm "$dir/cases/$case.cpu.vsla"
done
echo "gpu-check: $(ls "$dir"/cases/*.cuda.vsla | wc -l) cases in $dir ($(du -sh "$dir" | cut -f1)); run: bash $dir/run.sh"
