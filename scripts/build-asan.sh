#!/usr/bin/env bash
# Configures (first time) and builds build-asan/bin/vsla-unit, the GoogleTest
# binary (runtime and compiler driver tests), with the `asan` CMake preset:
# VSLA's own code compiled with -fsanitize=address,undefined, linked against
# the same libMLIR.so / libLLVM.so as the dev build, through the same ccache.
# Extra arguments are other build targets. scripts/test.sh runs the binary;
# by hand: ASAN_OPTIONS=detect_leaks=0 build-asan/bin/vsla-unit
set -euo pipefail
cd "$(dirname "$0")/.."

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/vsla-ccache}"
# Paths under the checkout hash as relative ones, so another clone (CI's)
# reuses this cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
if [ ! -f build-asan/build.ninja ]; then
  cmake --preset asan >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build build-asan --target "$@"
else
  cmake --build --preset asan
fi
