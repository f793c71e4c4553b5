#!/usr/bin/env bash
# Run every check of the project: lint, the Python suite (unit, LSP end-to-end, full-corpus
# validation, real editors) and the extension's own checks and packages (all targets).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> ruff"
.venv/bin/ruff check server tests benchmarks examples scripts
.venv/bin/ruff format --check server tests benchmarks examples scripts

if [ -f package.json ]; then
  echo "==> extension: typecheck, lint, unit tests, one package per VS Code target"
  npm run --silent check
  npm run --silent package:all
fi

echo "==> pytest"
.venv/bin/python -m pytest -p no:cacheprovider "$@"
