#!/usr/bin/env bash
# Regenerates the op and pass references in docs/reference/ from the ODS
# descriptions (the lit test test/docs checks they are current).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh mlir-doc >/dev/null
cp build/docs/reference/VslaDialect.md build/docs/reference/VslaPasses.md docs/reference/
echo "updated docs/reference/VslaDialect.md and docs/reference/VslaPasses.md"
