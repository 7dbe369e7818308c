#!/usr/bin/env bash
# The GPU check: compile here, run there (the GPU machine has no LLVM/MLIR).
#
#   scripts/gpu-check.sh build [DIR]   # here: DIR (default build-gpu-check) gets a
#                                      # cuda artifact per case of
#                                      # scripts/gpu-check/cases.py, small cases'
#                                      # inputs and CPU results, vsla-run, libomp
#   bash DIR/run.sh [--report F]       # there: every case against PyTorch on the
#                                      # GPU, benchmark rows into a Markdown report
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
cp build/bin/vsla-run build/lib/libvsla_runtime.so "$dir/bin/"
cp -r python/vsla_runtime "$dir/"
cp -L /usr/lib/llvm-22/lib/libomp.so.5 "$dir/bin/"
cp scripts/gpu-check/run.sh scripts/gpu-check/run.py scripts/gpu-check/cases.py "$dir/"
.venv/bin/python scripts/gpu-check/build.py "$dir/cases"
echo "gpu-check: $(ls "$dir"/cases/*.cuda.vsla | wc -l) cases in $dir ($(du -sh "$dir" | cut -f1)); run: bash $dir/run.sh"
