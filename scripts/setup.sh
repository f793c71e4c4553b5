#!/usr/bin/env bash
# Set up everything torch-notes needs on a fresh Debian machine; safe to run again.
#   bash scripts/setup.sh            Python venv with torch, the package, dev tools, npm packages,
#                                    and the real editors used by the end-to-end tests
#   bash scripts/setup.sh --python   only the Python side (enough to serve, validate and run pytest)
# Both install bubblewrap (Debian package), the validator's sandbox, when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

python_only=0
[ "${1:-}" = "--python" ] && python_only=1

if ! command -v bwrap >/dev/null 2>&1; then
  echo "==> installing bubblewrap (the validator's sandbox)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1 && { [ -z "$SUDO" ] || sudo -n true 2>/dev/null; }; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
  else
    echo "warning: cannot install bubblewrap here; torch-notes validate will use its weaker" \
      "fallback sandbox (see the README's Security section)" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing torch 2.14.1 and torchvision 0.29.1 (local wheel store, ~100 s the first time)"
.venv/bin/python -m pip install -q --disable-pip-version-check torch==2.14.1 torchvision==0.29.1
echo "==> installing torch-notes with the validate and dev extras"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[validate,dev]" \
  "torch==2.14.1" "torchvision==0.29.1"

if [ "$python_only" = 1 ]; then
  exit 0
fi

echo "==> npm packages of the VS Code extension"
npm ci --no-audit --no-fund --loglevel=error
if [ -f scripts/setup-editors.sh ]; then
  echo "==> real editors for the end-to-end tests"
  bash scripts/setup-editors.sh
fi
