#!/usr/bin/env bash
# Installs everything VSLA needs on a fresh Debian 12 machine: LLVM/MLIR 22,
# the build tools and GoogleTest. Idempotent: when everything is present it
# installs nothing and prints one line.
set -euo pipefail

APT_PACKAGES=(
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  cmake ninja-build ccache g++ libgtest-dev python3
)

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
