#!/usr/bin/env bash
# Regenerates the op and pass references in docs/reference/ from the ODS
# descriptions (the lit test test/docs checks they are current).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh mlir-doc >/dev/null
cp build/docs/reference/*.md docs/reference/
echo "updated docs/reference/: $(cd docs/reference && echo *.md)"
