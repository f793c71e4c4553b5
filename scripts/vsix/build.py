"""Builds the VS Code extension, one package per target: dist/vsix/torch-notes-<target>-<v>.vsix.

For each target::

    bundled/libs/torch_notes          the server, copied from server/torch_notes
    bundled/libs/torch_notes/_corpus  the built-in notes, copied from snippets/ (as in the wheel)
    bundled/libs/<deps>               requirements/bundle.lock installed with pip install
                                      --require-hashes --no-deps, once per CPython version with the
                                      target's platform tags, merged: the pure-Python files are
                                      shared, the compiled modules of every version sit side by side
    bundled/bundle.json               target, version and the CPython versions it runs on
    client/dist/extension.js          the extension, bundled by esbuild (vscode:prepublish)

then ``vsce package --target``. Wheels are downloaded once into a wheelhouse (``.tools/wheels``,
or ``$VSIX_WHEELHOUSE``) and installed from there without the index.

    python -m scripts.vsix.build                  the current machine's target
    python -m scripts.vsix.build --target T ...   those targets
    python -m scripts.vsix.build --all            every target of the table
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scripts.vsix.lock import LOCK_PATH, ROOT, Lock, LockedFile, LockedPackage, LockError, load
from scripts.vsix.targets import PYTHONS, TARGETS, Target, UnknownTarget, host_target, target
from scripts.vsix.wheels import wheel_tags

BUNDLED = ROOT / "bundled"
LIBS = BUNDLED / "libs"
OUT_DIR = ROOT / "dist" / "vsix"
PIP_QUIET = ["--disable-pip-version-check", "--no-input", "--quiet"]


class BuildError(RuntimeError):
    """The build cannot go on; the message says why."""


def log(message: str) -> None:
    print(f"[build-vsix] {message}", file=sys.stderr, flush=True)


def version() -> str:
    """The extension's version, which must be the Python package's."""
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["version"]
    init = (ROOT / "server" / "torch_notes" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__ = "(.+?)"', init)
    if not match or match[1] != manifest:
        raise BuildError(f"package.json {manifest} != torch_notes {match and match[1]}")
    return manifest


def vsix_path(target_name: str, ver: str) -> Path:
    return OUT_DIR / f"torch-notes-{target_name}-{ver}.vsix"


SOURCES = ("server/torch_notes", "snippets", "client/src", "client/images", "scripts/vsix")
INPUTS = (
    "package.json",
    "pyproject.toml",
    ".vscodeignore",
    "client/README.md",
    "LICENSE",
    "CHANGELOG.md",
    "requirements/bundle.lock",
    "scripts/build-vsix.sh",
)


def newest_source_mtime() -> float:
    """When anything a package is built from last changed."""
    newest = 0.0
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    for name in INPUTS:
        newest = max(newest, (ROOT / name).stat().st_mtime)
    return newest


def is_fresh(vsix: Path) -> bool:
    """Whether ``vsix`` was built after the last change to its sources."""
    return vsix.is_file() and vsix.stat().st_mtime >= newest_source_mtime()


# ---- wheels ---------------------------------------------------------------------------------


def best_file(files: tuple[LockedFile, ...], tgt: Target, python: str) -> LockedFile | None:
    """The locked wheel pip installs for ``python`` on ``tgt``: the best-ranked tag wins."""
    rank = {tag: i for i, tag in enumerate(tgt.supported_tags(python))}
    scored = [
        (min((rank[t] for t in wheel_tags(f.filename) if t in rank), default=None), f)
        for f in files
    ]
    fitting = [(score, f) for score, f in scored if score is not None]
    return min(fitting, key=lambda sf: sf[0])[1] if fitting else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def wheelhouse() -> Path:
    path = Path(os.environ.get("VSIX_WHEELHOUSE", ROOT / ".tools" / "wheels"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def pip_platform_args(tgt: Target, python: str) -> list[str]:
    platforms = [arg for p in tgt.platforms for arg in ("--platform", p)]
    return ["--only-binary=:all:", "--implementation", "cp", "--python-version", python, *platforms]


def missing_wheels(lock: Lock, tgt: Target, python: str, house: Path) -> list[LockedPackage]:
    """The packages ``python`` on ``tgt`` needs whose locked wheel is not in the wheelhouse (or
    is there with another sha256)."""
    missing = []
    for package in lock.for_combo(tgt, python):
        chosen = best_file(package.files, tgt, python)
        if chosen is None:
            raise BuildError(f"{tgt.name} {python}: the lock has no wheel of {package.name} for it")
        have = house / chosen.filename
        if not (have.is_file() and sha256(have) == chosen.sha256):
            missing.append(package)
    return missing


def download(
    tgt: Target, python: str, packages: list[LockedPackage], house: Path, pip: list[str]
) -> None:
    """``pip download --require-hashes --no-deps`` of ``packages`` for ``python`` on ``tgt`` into
    a directory of its own, then into the wheelhouse (downloads run side by side)."""
    with tempfile.TemporaryDirectory(prefix="torch-notes-wheels-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        lines = [
            f"{p.name}=={p.version} " + " ".join(f"--hash=sha256:{f.sha256}" for f in p.files)
            for p in packages
        ]
        requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
        dest = Path(tmp) / "wheels"
        run(
            [
                *pip,
                "download",
                *PIP_QUIET,
                "--no-deps",
                "--require-hashes",
                *pip_platform_args(tgt, python),
                "-d",
                str(dest),
                "-r",
                str(requirements),
            ]
        )
        for wheel in dest.iterdir():
            target_path = house / wheel.name
            if not target_path.exists():
                shutil.move(str(wheel), target_path)


def fetch(lock: Lock, targets: list[Target], pip: list[str], jobs: int = 4) -> None:
    """Puts every locked wheel the ``targets`` use into the wheelhouse, downloading only what is
    missing (one pip run per target and CPython version that lacks something)."""
    house = wheelhouse()
    todo = []
    for tgt in targets:
        for python in lock.supported_pythons(tgt):
            if missing := missing_wheels(lock, tgt, python, house):
                todo.append((tgt, python, missing))
    if not todo:
        return
    log(f"downloading the missing locked wheels of {len(todo)} (target, CPython) pairs to {house}")
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda t: download(t[0], t[1], t[2], house, pip), todo))
    for tgt, python, _ in todo:
        if still := missing_wheels(lock, tgt, python, house):
            raise BuildError(f"{tgt.name} {python}: no wheel of {still[0].name} was downloaded")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if proc.returncode != 0:
        noise = "WARNING: Location"
        err = "\n".join(ln for ln in proc.stderr.splitlines() if noise not in ln)
        raise BuildError(f"{' '.join(cmd[:6])} ... failed:\n{err or proc.stdout}")
    return proc


def requirements_file(lock: Lock, tgt: Target, python: str, staging: Path) -> Path:
    """The lock's lines (pins and hashes) that ``python`` on ``tgt`` needs, as a file."""
    path = staging / f"requirements-{python}.txt"
    path.write_text(lock.requirements(tgt, python), encoding="utf-8")
    return path


def install_python(tgt: Target, python: str, staging: Path, house: Path, pip: list[str]) -> Path:
    """``pip install --require-hashes --no-deps -r`` of the lock's lines for ``python`` on ``tgt``
    from the wheelhouse into ``staging/<python>``."""
    requirements = staging / f"requirements-{python}.txt"
    dest = staging / python
    run(
        [
            *pip,
            "install",
            *PIP_QUIET,
            "--no-index",
            "--find-links",
            str(house),
            "--require-hashes",
            "--no-deps",
            "--no-compile",
            *pip_platform_args(tgt, python),
            "--target",
            str(dest),
            "-r",
            str(requirements),
        ]
    )
    shutil.rmtree(dest / "bin", ignore_errors=True)
    return dest


MERGED_METADATA = ("RECORD", "WHEEL")
"""dist-info files that differ between a package's per-version wheels: merged line by line."""


def merge(trees: list[Path], dest: Path) -> None:
    """Lays the per-version installs over each other: a file present in several must be the same
    (pure Python), except a dist-info's RECORD and WHEEL, whose lines are joined."""
    for tree in trees:
        for src in sorted(tree.rglob("*")):
            if src.is_dir() or "__pycache__" in src.parts:
                continue
            rel = src.relative_to(tree)
            out = dest / rel
            if not out.exists():
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, out)
            elif rel.parent.name.endswith(".dist-info") and rel.name in MERGED_METADATA:
                have = out.read_text(encoding="utf-8").splitlines()
                extra = [
                    ln for ln in src.read_text(encoding="utf-8").splitlines() if ln not in have
                ]
                out.write_text("\n".join(have + extra) + "\n", encoding="utf-8")
            elif not filecmp.cmp(src, out, shallow=False):
                raise BuildError(f"{rel} differs between CPython versions: it cannot be shared")


# ---- one target ------------------------------------------------------------------------------


def interpreters(pythons: tuple[str, ...]) -> list[str]:
    """Interpreters on this machine whose version the bundle supports (for the smoke test)."""
    found: dict[str, str] = {}
    candidates = [os.environ.get("PYTHON", ""), "/usr/bin/python3", sys.executable]
    candidates += [f"python{py}" for py in pythons]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.*/bin/python3"))
    for exe in candidates:
        path = shutil.which(exe) if exe else None
        if not path:
            continue
        proc = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        ver = proc.stdout.strip()
        if proc.returncode == 0 and ver in pythons and ver not in found:
            found[ver] = path
    return [found[v] for v in sorted(found)]


SMOKE = """
import sys
import torch_notes, pygls, lsprotocol, yaml, tree_sitter, tree_sitter_python
from torch_notes.corpus.paths import builtin_corpus_dir
assert builtin_corpus_dir().name == "_corpus", builtin_corpus_dir()
for mod in (torch_notes, pygls, tree_sitter, yaml):
    assert mod.__file__.startswith(sys.argv[1]), mod.__file__
tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
"""


def smoke_test(pythons: tuple[str, ...]) -> None:
    """The bundle alone serves the server's imports under each interpreter here (without
    site-packages)."""
    for exe in interpreters(pythons):
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(LIBS),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        proc = subprocess.run(
            [exe, "-s", "-c", SMOKE, str(LIBS)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=tempfile.gettempdir(),
        )
        if proc.returncode != 0:
            raise BuildError(f"the bundle does not import with {exe}:\n{proc.stderr}")
        log(f"bundle imports with {exe}")


def prepare(tgt: Target, lock: Lock, ver: str, pip: list[str], jobs: int) -> tuple[str, ...]:
    """Fills ``bundled/`` for ``tgt``; returns the CPython versions it supports."""
    pythons = lock.supported_pythons(tgt)
    for python in PYTHONS:
        if python not in pythons:
            why = lock.unsupported.get((tgt.name, python), "not in the lock")
            log(
                f"{tgt.name}: no CPython {python} ({why}); this vsix runs on CPython "
                f"{', '.join(pythons)}"
            )
    if not pythons:
        raise BuildError(f"{tgt.name}: no CPython version has wheels for every dependency")
    shutil.rmtree(BUNDLED, ignore_errors=True)
    LIBS.mkdir(parents=True)
    shutil.copytree(
        ROOT / "server" / "torch_notes",
        LIBS / "torch_notes",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copytree(ROOT / "snippets", LIBS / "torch_notes" / "_corpus")
    with tempfile.TemporaryDirectory(prefix="torch-notes-bundle-") as tmp:
        staging = Path(tmp)
        house = wheelhouse()
        for python in pythons:
            requirements_file(lock, tgt, python, staging)
        # Side by side, each from the wheelhouse only (fetch() filled it).
        with ThreadPoolExecutor(jobs) as pool:
            trees = list(pool.map(lambda py: install_python(tgt, py, staging, house, pip), pythons))
        merge(trees, LIBS)
    info = {
        "target": tgt.name,
        "version": ver,
        "pythons": list(pythons),
        "unsupported": {
            py: lock.unsupported[(tgt.name, py)]
            for py in PYTHONS
            if (tgt.name, py) in lock.unsupported
        },
    }
    (BUNDLED / "bundle.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return pythons


def package(tgt: Target, ver: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    npx = shutil.which("npx") or "npx"
    run(
        [
            npx,
            "--no-install",
            "vsce",
            "package",
            "--target",
            tgt.name,
            "--no-dependencies",
            "--readme-path",
            "client/README.md",
            "--out",
            str(out),
        ],
        cwd=ROOT,
    )


def build(tgt: Target, lock: Lock, ver: str, out: Path, pip: list[str], jobs: int) -> Path:
    start = time.monotonic()
    pythons = prepare(tgt, lock, ver, pip, jobs)
    if tgt == host_target():
        smoke_test(pythons)
    package(tgt, ver, out)
    size = out.stat().st_size / 1024 / 1024
    log(
        f"{tgt.name}: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
        f"({size:.1f} MiB, CPython {', '.join(pythons)}) in {time.monotonic() - start:.0f} s"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/build-vsix.sh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--target", action="append", help="a VS Code target (repeatable)")
    group.add_argument("--all", action="store_true", help="every target of the table")
    parser.add_argument("--out", type=Path, help="output file (one target only)")
    parser.add_argument("--jobs", type=int, default=2, help="CPython versions installed at once")
    args = parser.parse_args(argv)
    try:
        if args.all:
            targets = list(TARGETS)
        elif args.target:
            targets = [target(name) for name in args.target]
        elif os.environ.get("VSIX_TARGET"):
            targets = [target(os.environ["VSIX_TARGET"])]
        else:
            targets = [host_target()]
        if args.out and len(targets) != 1:
            raise BuildError("--out names one file: give one target")
        ver = version()
        lock = load(LOCK_PATH)
        unknown = [t for t in lock.targets if t not in {x.name for x in TARGETS}]
        if unknown or {t.name for t in targets} - set(lock.targets):
            raise BuildError(
                f"requirements/bundle.lock was made for {', '.join(lock.targets)}: "
                "regenerate it (python -m scripts.vsix.lock)"
            )
        pip = [os.environ.get("PYTHON") or sys.executable, "-m", "pip"]
        fetch(lock, targets, pip)
        out_default = os.environ.get("VSIX_OUT")
        try:
            for tgt in targets:
                out = args.out or (Path(out_default) if out_default and len(targets) == 1 else None)
                build(tgt, lock, ver, out or vsix_path(tgt.name, ver), pip, args.jobs)
        finally:
            # bundled/ holds one target at a time: never leave one behind for the next `vsce`.
            shutil.rmtree(BUNDLED, ignore_errors=True)
    except (BuildError, LockError, UnknownTarget) as err:
        log(f"error: {err}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
