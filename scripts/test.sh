#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite:
#   lit      FileCheck tests of the dialect, passes and tools
#   gtest    vsla-unit (runtime and compiler driver) and vsla-runtime-unit
#            (the runtime alone running an artifact; its CUDA tests again on
#            the fake driver, test/FakeCuda)
#   gtest    both again, built with AddressSanitizer + UBSan
#            (the `asan` preset, scripts/build-asan.sh)
#   fuzz     the artifact loader's libFuzzer target, 60 s
#            (scripts/fuzz-loader.sh)
#   pytest   the robustness tests and a short differential fuzz of random
#            programs under guarded memory (VSLA_POOL_GUARD=1: every pool
#            block ends at an inaccessible page)
#   pytest   the Python package, test/python (the fuzz ran above)
# Each runner's own summary is the last thing it prints.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || exit 1
scripts/build.sh || exit 1

# The persistent compile cache: a fresh one for this run, so no entry of
# another build is read, and the tests after the first that compiles a
# module run it from the cache (the loader's path).
VSLA_CACHE_DIR=$(mktemp -d)
export VSLA_CACHE_DIR
trap 'rm -rf "$VSLA_CACHE_DIR"' EXIT

status=0
echo
echo "== lit =="
/usr/lib/llvm-22/bin/lit -sv build/test || status=1
echo
echo "== gtest =="
build/bin/vsla-unit --gtest_brief=1 || status=1
build/bin/vsla-runtime-unit --gtest_brief=1 || status=1
# The CUDA device's tests once more on the fake driver (host memory, no
# kernels: test/FakeCuda), so the device pool's round trip runs without a GPU.
VSLA_CUDA_DRIVER=build/lib/libvsla_fake_cuda.so \
  build/bin/vsla-runtime-unit --gtest_brief=1 --gtest_filter='Cuda*' || status=1
echo
echo "== gtest: AddressSanitizer + UndefinedBehaviorSanitizer =="
asan_log=$(mktemp)
if scripts/build-asan.sh >"$asan_log" 2>&1; then
  # Leaks are not checked: LLVM's JIT keeps global state until exit. Some
  # tests ask for more memory than exists and expect a Status, not an abort.
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build-asan/bin/vsla-unit --gtest_brief=1 || status=1
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build-asan/bin/vsla-runtime-unit --gtest_brief=1 || status=1
else
  tail -40 "$asan_log"
  echo "building build-asan/bin/vsla-unit failed"
  status=1
fi
rm -f "$asan_log"
echo
echo "== fuzz: the artifact loader (60 s) =="
scripts/fuzz-loader.sh 60 || status=1
echo
echo "== pytest: guarded memory (VSLA_POOL_GUARD=1) =="
VSLA_POOL_GUARD=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
  test/python/test_robustness.py test/python/test_robustness_jit.py \
  test/python/test_run_time_checks.py test/python/test_compiler_regressions.py \
  test/python/test_errors.py test/python/test_program_fuzz.py || status=1
echo
echo "== pytest =="
.venv/bin/python -m pytest -q test/python \
  --ignore=test/python/test_program_fuzz.py || status=1
exit $status
