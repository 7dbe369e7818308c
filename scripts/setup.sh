#!/usr/bin/env bash
# Installs everything VSLA needs on a fresh Debian 12 machine: LLVM/MLIR 22,
# the build tools and GoogleTest, and the libraries compiled code calls
# (OpenBLAS for products, LLVM's OpenMP runtime for parallel loops, FFTW for
# long convolutions), clang with libFuzzer (the artifact loader's fuzz
# target) (apt); a Python virtual environment in .venv
# with NumPy, pybind11, scikit-build-core, pytest and scikit-learn (its bundled
# digits dataset trains the example model) from PyPI; and the vsla
# package itself, installed editable into .venv from the build tree (build/),
# so `import vsla` rebuilds the extension when its C++ changed. Idempotent:
# when everything is present it installs nothing.
set -euo pipefail

APT_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  cmake ninja-build ccache g++ libgtest-dev python3 python3-dev python3-venv
  libopenblas0-pthread libomp-22-dev libfftw3-single3 libfftw3-double3
  clang-14 libclang-rt-14-dev
)
PYTHON_PACKAGES=(numpy pybind11 scikit-build-core pytest scikit-learn)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

for tool in /usr/lib/llvm-22/bin/mlir-tblgen /usr/lib/llvm-22/bin/lit /usr/lib/llvm-22/bin/FileCheck; do
  [ -x "$tool" ] || { echo "setup: $tool is missing after installing LLVM 22" >&2; exit 1; }
done
echo "setup: LLVM/MLIR 22, cmake, ninja, ccache and GoogleTest are installed"

cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the Python environment .venv ($("$python" --version))"
  "$python" -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, pybind11, scikit_build_core, pytest, sklearn" 2>/dev/null; then
  echo "setup: installing ${PYTHON_PACKAGES[*]} into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check "${PYTHON_PACKAGES[@]}"
fi

# The package: configure and build the extension with the dev preset, then
# install it editable from that build tree (no second build).
scripts/build.sh _vsla >/dev/null
if ! .venv/bin/python -c "import vsla" 2>/dev/null; then
  echo "setup: installing the vsla package into .venv (editable)"
  CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/vsla-ccache}" CCACHE_BASEDIR="$PWD" \
    .venv/bin/python -m pip install -q \
    --disable-pip-version-check --no-build-isolation -e . \
    -Cbuild-dir=build -Ceditable.rebuild=true
fi
echo "setup: .venv has numpy, pybind11, scikit-build-core, pytest, scikit-learn and vsla"
