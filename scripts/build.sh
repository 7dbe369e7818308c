#!/usr/bin/env bash
# Configures (first time) and builds VSLA with the `dev` CMake preset: Ninja,
# ccache (cache outside the repo), linked against libMLIR.so / libLLVM.so.
# Extra arguments are build targets, e.g. `scripts/build.sh vsla-opt`.
set -euo pipefail
cd "$(dirname "$0")/.."

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/vsla-ccache}"
if [ ! -f build/build.ninja ]; then
  cmake --preset dev >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build build --target "$@"
else
  cmake --build build --target all mlir-doc
fi
