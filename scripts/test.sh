#!/usr/bin/env bash
# Run every check of the project: lint, the Python suite (unit, LSP end-to-end, full-corpus
# validation, real editors) and the extension's own checks and packaging.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> ruff"
.venv/bin/ruff check server tests benchmarks examples
.venv/bin/ruff format --check server tests benchmarks examples

if [ -f package.json ]; then
  echo "==> extension: typecheck, lint, unit tests, package"
  npm run --silent check
  npm run --silent package
fi

echo "==> pytest"
.venv/bin/python -m pytest -p no:cacheprovider "$@"
