#!/usr/bin/env bash
# Configures (first time) and builds VSLA with the `dev` CMake preset: Ninja,
# ccache (cache outside the repo), linked against libMLIR.so / libLLVM.so,
# and the Python extension module for the interpreter in .venv (made by
# scripts/setup.sh). Extra arguments are build targets, e.g.
# `scripts/build.sh vsla-opt`.
set -euo pipefail
cd "$(dirname "$0")/.."

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/vsla-ccache}"
# Paths under the checkout hash as relative ones, so another clone (CI's)
# reuses this cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
python=.venv/bin/python
if [ ! -f build/build.ninja ] || ! grep -q '^pybind11_DIR:' build/CMakeCache.txt; then
  [ -x "$python" ] || { echo "build: $python is missing; run scripts/setup.sh" >&2; exit 1; }
  cmake --preset dev \
    -DPython_EXECUTABLE="$PWD/$python" \
    -Dpybind11_DIR="$("$python" -m pybind11 --cmakedir)" >/dev/null
fi
if [ $# -gt 0 ]; then
  cmake --build build --target "$@"
else
  cmake --build build --target all mlir-doc
fi
