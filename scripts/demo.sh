#!/usr/bin/env bash
# Sets everything up, builds, and runs the Python quickstart (variable-length
# signals filtered under @vsla.jit with one compile, ambient-promotion
# arithmetic and a gradient, all checked against NumPy). Then shows what the compiler does
# to a small filtering program: as written, after canonicalization, after
# specializing it to static shapes, and compiled through the C++ driver.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh vsla-opt vsla-example-filter >/dev/null

echo
echo "== examples/quickstart.py =="
.venv/bin/python examples/quickstart.py

example=examples/filter.mlir
opt=build/bin/vsla-opt

echo
echo "== $example, as written =="
grep -v '^ *//' "$example" | sed '/^$/d'
echo
echo "== vsla-opt $example --canonicalize =="
"$opt" "$example" --canonicalize
echo
echo "== vsla-opt $example --vsla-refine-shapes --canonicalize =="
echo "   (@specialized casts its input to a static length; the extents flow through)"
"$opt" "$example" --vsla-refine-shapes --canonicalize
echo
echo "== vsla-opt examples/ragged.mlir --canonicalize =="
echo "   (ragged inputs stacked with no padding; the window stack expands into stacks)"
"$opt" examples/ragged.mlir --canonicalize
echo
echo "== build/bin/vsla-example-filter $example =="
echo "   (compiled once through the C++ driver, run on four lengths, checked against C++)"
build/bin/vsla-example-filter "$example"
