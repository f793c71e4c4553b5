#!/usr/bin/env bash
# Builds the VS Code extension, one .vsix per VS Code target: dist/vsix/torch-notes-<target>-<version>.vsix
#
#   bash scripts/build-vsix.sh                 the current machine's target (npm run package)
#   bash scripts/build-vsix.sh --all           all targets of scripts/vsix/targets.py (npm run package:all)
#   bash scripts/build-vsix.sh --target win32-x64 [--target ...]
#
# Each package holds the server, the notes and the server's dependencies installed from
# requirements/bundle.lock (pip install --require-hashes --no-deps) for that target's platform
# tags and CPython 3.10-3.14; a target the table does not know is refused. Details:
# scripts/vsix/build.py. Needs: npm dependencies (npm ci), a Python >= 3.11 with pip ($PYTHON,
# default .venv/bin/python, else python3), and PyPI for wheels not yet in .tools/wheels.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi
export PYTHON
exec "$PYTHON" -m scripts.vsix.build "$@"
