#!/usr/bin/env bash
# Sets everything up, builds, and runs the whole test suite: lit (FileCheck
# tests of the dialect, passes and tools), GoogleTest (vsla-unit), then
# pytest (the Python package, test/python).
# Each runner's own summary is the last thing it prints.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || exit 1
scripts/build.sh || exit 1

status=0
echo
echo "== lit =="
/usr/lib/llvm-22/bin/lit -sv build/test || status=1
echo
echo "== gtest =="
build/bin/vsla-unit --gtest_brief=1 || status=1
echo
echo "== pytest =="
.venv/bin/python -m pytest -q test/python || status=1
exit $status
