#!/usr/bin/env bash
# Builds the self-contained VS Code extension: torch-notes-<version>.vsix (target linux-x64).
#
#   bundled/libs/torch_notes          the server, copied from server/torch_notes
#   bundled/libs/torch_notes/_corpus  the built-in notes, copied from snippets/ (as in the wheel)
#   bundled/libs/<deps>               the server's dependencies from pyproject.toml, installed
#                                     with `pip install --target` for CPython 3.10 on manylinux2014
#                                     x86_64, plus the compiled modules of every package that has
#                                     per-version wheels (tree-sitter: cp310 … cp314), so any
#                                     CPython 3.10–3.14 runs it. tree-sitter-python is abi3.
#   client/dist/extension.js          the extension, bundled by esbuild (vscode:prepublish)
#
# Needs: npm dependencies installed (npm ci), a Python ≥ 3.11 with pip ($PYTHON, default:
# .venv/bin/python, else python3), and PyPI. Output path: $VSIX_OUT or ./torch-notes-<version>.vsix.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET=${VSIX_TARGET:-linux-x64}
PLATFORM=manylinux2014_x86_64
BASE_PY=3.10
EXTRA_PYS=(3.11 3.12 3.13 3.14)
if [[ -z ${PYTHON:-} ]]; then
  if [[ -x $ROOT/.venv/bin/python ]]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi
VERSION=$(node -p "require('./package.json').version")
OUT=${VSIX_OUT:-$ROOT/torch-notes-$VERSION.vsix}
LIBS=$ROOT/bundled/libs
log() { printf '[build-vsix] %s\n' "$*" >&2; }
SECONDS=0

# The Python package's version and the extension's must agree.
PY_VERSION=$("$PYTHON" -c "import re,sys; print(re.search(r'__version__ = \"(.+?)\"', open('server/torch_notes/__init__.py').read()).group(1))")
[[ $PY_VERSION == "$VERSION" ]] || { log "package.json $VERSION != torch_notes $PY_VERSION"; exit 1; }

rm -rf "$ROOT/bundled"
mkdir -p "$LIBS"

# 1. The server and its corpus, laid out as in the wheel.
log "copying server/torch_notes and snippets/ -> bundled/libs/torch_notes{,/_corpus}"
cp -r server/torch_notes "$LIBS/torch_notes"
cp -r snippets "$LIBS/torch_notes/_corpus"
find "$LIBS/torch_notes" -name __pycache__ -prune -exec rm -rf {} +

# 2. Its dependencies, exactly as pyproject.toml declares them.
mapfile -t REQS < <("$PYTHON" -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))")
log "pip install --target (CPython $BASE_PY, $PLATFORM): ${REQS[*]}"
PIP=("$PYTHON" -m pip --disable-pip-version-check --no-input --quiet)
"${PIP[@]}" install --target "$LIBS" --only-binary=:all: --platform "$PLATFORM" \
  --implementation cp --python-version "$BASE_PY" --no-compile "${REQS[@]}"

# pip evaluates environment markers against the interpreter running it, not --python-version:
# add what the oldest supported Python needs on top (exceptiongroup for cattrs on 3.10, ...).
for _ in 1 2 3 4 5; do
  mapfile -t MISSING < <("$PYTHON" - "$LIBS" "$BASE_PY" <<'PY'
import pathlib, sys
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
libs, py = pathlib.Path(sys.argv[1]), sys.argv[2]
env = {"python_version": py, "python_full_version": py + ".0", "sys_platform": "linux",
       "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
       "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}
installed, wanted = set(), []
for meta in libs.glob("*.dist-info/METADATA"):
    lines = meta.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if line.startswith("Name:"):
            installed.add(canonicalize_name(line.split(":", 1)[1].strip()))
    for line in lines:
        if line.startswith("Requires-Dist:"):
            req = Requirement(line.split(":", 1)[1].strip())
            if req.marker is None or req.marker.evaluate(env):
                wanted.append(req)
for req in wanted:
    if canonicalize_name(req.name) not in installed:
        print(f"{req.name}{req.specifier}")
PY
  )
  ((${#MISSING[@]})) || break
  log "adding for CPython $BASE_PY: ${MISSING[*]}"
  "${PIP[@]}" install --target "$LIBS" --only-binary=:all: --platform "$PLATFORM" \
    --implementation cp --python-version "$BASE_PY" --no-compile --no-deps "${MISSING[@]}"
done

# 3. Compiled modules for the other CPython versions, from each version-specific wheel.
WHEEL_DIR=$(mktemp -d)
trap 'rm -rf "$WHEEL_DIR"' EXIT
tag=cp${BASE_PY/./}
for wheel_file in "$LIBS"/*.dist-info/WHEEL; do
  grep -q "^Tag: $tag-$tag-" "$wheel_file" || continue
  dist_info=$(basename "$(dirname "$wheel_file")")          # tree_sitter-0.26.1.dist-info
  name_version=${dist_info%.dist-info}
  name=${name_version%-*}
  version=${name_version##*-}
  for py in "${EXTRA_PYS[@]}"; do
    log "adding $name $version compiled for CPython $py"
    "${PIP[@]}" download --no-deps --only-binary=:all: --platform "$PLATFORM" --implementation cp \
      --python-version "$py" -d "$WHEEL_DIR/$py" "$name==$version"
    "$PYTHON" - "$WHEEL_DIR/$py" "$LIBS" <<'PY'
import pathlib, sys, zipfile
src, dest = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in src.glob("*.whl"):
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.endswith(".so") and ".cpython-" in member and ".dist-info/" not in member:
                zf.extract(member, dest)
PY
    rm -rf "${WHEEL_DIR:?}/$py"
  done
done
rm -rf "$LIBS/bin"
find "$LIBS" -name __pycache__ -prune -exec rm -rf {} +

# 4. Smoke test: the bundle alone serves the server's imports (no site-packages).
for py in /usr/bin/python3 "$PYTHON" "$HOME"/.pyenv/versions/3.1[0-9]*/bin/python3; do
  command -v "$py" >/dev/null || continue
  env -i PATH="$PATH" PYTHONPATH="$LIBS" PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 "$py" -c "
import sys
import torch_notes, pygls, lsprotocol, yaml, tree_sitter, tree_sitter_python
from torch_notes.corpus.paths import builtin_corpus_dir
assert builtin_corpus_dir().name == '_corpus', builtin_corpus_dir()
for mod in (torch_notes, pygls, tree_sitter):
    assert mod.__file__.startswith('$LIBS'), mod.__file__
tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
" || { log "the bundle does not import with $py"; exit 1; }
  log "bundle imports with $("$py" --version 2>&1) ($py)"
done
log "bundled/libs: $(du -sh "$LIBS" | cut -f1)"

# 5. The extension bundle (vscode:prepublish runs esbuild --production) and the vsix.
log "vsce package --target $TARGET -> $OUT"
npx --no-install vsce package --target "$TARGET" --no-dependencies --allow-missing-repository \
  --skip-license --readme-path client/README.md --no-rewrite-relative-links --out "$OUT" >&2
log "$(du -h "$OUT" | cut -f1) in ${SECONDS}s: $OUT"
