#!/usr/bin/env bash
# Builds the artifact loader's libFuzzer target (test/fuzz) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, seeds it with artifacts
# vsla-compile writes, and fuzzes for SECONDS (default 60). A crash, a
# sanitizer report or a leak fails the run; the reproducer is left in
# build-fuzz/. Needs scripts/build.sh to have built vsla-compile.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=build-fuzz
mkdir -p "$out/corpus"
clang=$(command -v clang++-14 || command -v clang++)
sources=(runtime/lib/*.cpp test/fuzz/ArtifactLoaderFuzzer.cpp)
stamp="$out/fuzzer.stamp"
if [ ! -x "$out/artifact-loader-fuzzer" ] || [ -n "$(find "${sources[@]}" runtime/include -newer "$stamp" 2>/dev/null | head -1)" ]; then
  echo "fuzz: building $out/artifact-loader-fuzzer with $clang"
  "$clang" -std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Iruntime/include \
    -DVSLA_OPENMP_LIBRARY='"/usr/lib/llvm-22/lib/libomp.so.5"' \
    "${sources[@]}" -o "$out/artifact-loader-fuzzer" -ldl -lpthread
  touch "$stamp"
fi
# Seeds: artifacts of the examples and the tests' inputs.
for mlir in examples/filter.mlir test/Unit/Artifact/Inputs/functions.mlir; do
  seed="$out/corpus/$(basename "$mlir" .mlir).vsla"
  [ -f "$seed" ] || build/bin/vsla-compile "$mlir" -o "$seed"
done
cd "$out"
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  ./artifact-loader-fuzzer -max_total_time="$seconds" -rss_limit_mb=4096 \
  -max_len=200000 -print_final_stats=1 corpus 2>&1 | tail -12
