"""``requirements/bundle.lock``: the libraries bundled in the VS Code extension, pinned with hashes.

The lock is a pip requirements file (``pip install --require-hashes -r`` reads it) whose
comments carry what the build and the tests need besides: the inputs it was resolved from
(pyproject.toml's ``[project] dependencies``), each package's own requirements and the wheel
files behind its hashes, and the (target, CPython) pairs no wheel exists for.

Regenerate it (after changing the dependencies in pyproject.toml; needs PyPI)::

    .venv/bin/python -m scripts.vsix.lock

It resolves the dependencies with pip once per target and CPython version (``pip install
--dry-run --report`` with that target's platform tags), adds what environment markers ask for
there (pip evaluates markers against the interpreter running it, not the target), pins one
version per package across all targets, and writes each package with the sha256 of every wheel
a target uses. A package only some targets or versions need gets the marker that says which.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from scripts.vsix._packaging import Marker, Requirement, Version, canonicalize_name
from scripts.vsix.targets import PYTHONS, TARGETS, Target

ROOT = Path(__file__).resolve().parents[2]
LOCK_PATH = ROOT / "requirements" / "bundle.lock"
REGENERATE = ".venv/bin/python -m scripts.vsix.lock"

Combo = tuple[str, str]
"""(VS Code target name, CPython version)."""


class LockError(RuntimeError):
    """The lock cannot be generated or read; the message says what and where."""


# ---- the lock's content -------------------------------------------------------------------


@dataclass(frozen=True)
class LockedFile:
    filename: str
    sha256: str


@dataclass(frozen=True)
class LockedPackage:
    name: str
    """As the project spells it (``PyYAML``); compare with ``key``."""
    version: str
    marker: str | None
    """Which targets and CPython versions need it; ``None``: all of them."""
    requires: tuple[str, ...]
    """Its own ``Requires-Dist`` entries, extras left out."""
    files: tuple[LockedFile, ...]

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    def needed(self, target: Target, python: str) -> bool:
        return self.marker is None or Marker(self.marker).evaluate(target.markers(python))


@dataclass(frozen=True)
class Lock:
    inputs: tuple[str, ...]
    pythons: tuple[str, ...]
    targets: tuple[str, ...]
    unsupported: Mapping[Combo, str]
    """Pairs without wheels, and why (pip's last words)."""
    packages: tuple[LockedPackage, ...]

    def package(self, name: str) -> LockedPackage:
        key = canonicalize_name(name)
        for package in self.packages:
            if package.key == key:
                return package
        raise KeyError(name)

    def supported_pythons(self, target: Target) -> tuple[str, ...]:
        return tuple(py for py in self.pythons if (target.name, py) not in self.unsupported)

    def for_combo(self, target: Target, python: str) -> tuple[LockedPackage, ...]:
        """The packages CPython ``python`` on ``target`` needs."""
        return tuple(p for p in self.packages if p.needed(target, python))

    def requirements(self, target: Target, python: str) -> str:
        """A requirements file (pins and hashes) of what ``python`` on ``target`` needs: the input
        of ``pip install --require-hashes --no-deps -r``."""
        lines = []
        for package in self.for_combo(target, python):
            hashes = " ".join(f"--hash=sha256:{f.sha256}" for f in package.files)
            lines.append(f"{package.name}=={package.version} {hashes}")
        return "\n".join(lines) + "\n"


def project_dependencies(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, ...]:
    """``[project] dependencies`` of pyproject.toml, as written."""
    import tomllib  # Python 3.11: the build and its tests run on the project's .venv

    with pyproject.open("rb") as f:
        return tuple(tomllib.load(f)["project"]["dependencies"])


# ---- writing and reading ------------------------------------------------------------------

HEADER = """\
# The libraries bundled in the VS Code extension (bundled/libs), pinned with the sha256 of every
# wheel a target uses. Generated from pyproject.toml's [project] dependencies; do not edit.
# Regenerate: {regenerate}
# The build installs, per target and CPython version, the lines whose markers hold there with
# pip install --require-hashes --no-deps (scripts/vsix/build.py).
#
"""


def render(lock: Lock) -> str:
    out = [HEADER.format(regenerate=REGENERATE)]
    out += [f"# input: {req}\n" for req in lock.inputs]
    out.append(f"# pythons: {' '.join(lock.pythons)}\n")
    out.append(f"# targets: {' '.join(lock.targets)}\n")
    for (target, python), why in sorted(lock.unsupported.items()):
        out.append(f"# unsupported: {target} {python}: {why}\n")
    for package in sorted(lock.packages, key=lambda p: p.key):
        marker = f" ; {package.marker}" if package.marker else ""
        hashes = sorted({f.sha256 for f in package.files})
        out.append(f"\n{package.name}=={package.version}{marker} \\\n")
        out.append(" \\\n".join(f"    --hash=sha256:{h}" for h in hashes) + "\n")
        out += [f"    # requires: {req}\n" for req in package.requires]
        out += [f"    # file: {f.filename} sha256:{f.sha256}\n" for f in package.files]
    return "".join(out)


_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+?)(?: ; (?P<marker>.+?))? \\$"
)
_HASH = re.compile(r"^\s+--hash=sha256:(?P<hash>[0-9a-f]{64})(?: \\)?$")
_FILE = re.compile(r"^\s+# file: (?P<file>\S+\.whl) sha256:(?P<hash>[0-9a-f]{64})$")


def parse(text: str, path: str = "requirements/bundle.lock") -> Lock:
    """Reads a lock written by ``render``; errors name the line."""
    inputs: list[str] = []
    pythons: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    unsupported: dict[Combo, str] = {}
    packages: list[LockedPackage] = []
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        files = tuple(current["files"])
        if {f.sha256 for f in files} != current["hashes"]:
            raise LockError(
                f"{path}:{current['line']}: {current['name']}: its --hash lines and "
                "its file comments name different sha256 sums"
            )
        packages.append(
            LockedPackage(
                current["name"],
                current["version"],
                current["marker"],
                tuple(current["requires"]),
                files,
            )
        )

    for number, line in enumerate(text.splitlines(), 1):
        if m := _PIN.match(line):
            finish()
            current = {
                "line": number,
                "name": m["name"],
                "version": m["version"],
                "marker": m["marker"],
                "hashes": set(),
                "requires": [],
                "files": [],
            }
        elif current is not None and (m := _HASH.match(line)):
            current["hashes"].add(m["hash"])
        elif current is not None and line.startswith("    # requires: "):
            current["requires"].append(line.removeprefix("    # requires: "))
        elif current is not None and (m := _FILE.match(line)):
            current["files"].append(LockedFile(m["file"], m["hash"]))
        elif line.startswith("# input: "):
            inputs.append(line.removeprefix("# input: "))
        elif line.startswith("# pythons: "):
            pythons = tuple(line.removeprefix("# pythons: ").split())
        elif line.startswith("# targets: "):
            targets = tuple(line.removeprefix("# targets: ").split())
        elif line.startswith("# unsupported: "):
            target, python, why = line.removeprefix("# unsupported: ").split(" ", 2)
            unsupported[(target, python.rstrip(":"))] = why
        elif line.strip() and not line.startswith("#"):
            raise LockError(f"{path}:{number}: not a line of a bundle lock: {line!r}")
    finish()
    if not pythons or not targets:
        raise LockError(f"{path}: no '# pythons:' or '# targets:' line")
    return Lock(tuple(inputs), pythons, targets, unsupported, tuple(packages))


def load(path: Path = LOCK_PATH) -> Lock:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LockError(f"{path} is missing: generate it with {REGENERATE}") from None
    return parse(text, str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path))


# ---- resolving -----------------------------------------------------------------------------


@dataclass
class Resolved:
    name: str
    version: str
    filename: str
    sha256: str
    requires: tuple[str, ...]


@dataclass
class ComboResult:
    packages: dict[str, Resolved] = field(default_factory=dict)
    error: str | None = None


def _pip_report(
    python_exe: str, target: Target, python: str, requirements: list[str], pins: Mapping[str, str]
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
        platforms = [arg for p in target.platforms for arg in ("--platform", p)]
        cmd = [
            python_exe,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--report",
            str(report),
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            python,
            *platforms,
            "--target",
            str(Path(tmp) / "target"),
            "-c",
            str(constraints),
            *requirements,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
        if proc.returncode != 0:
            errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")]
            last = (errors or proc.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise LockError(last.removeprefix("ERROR: "))
        return json.loads(report.read_text(encoding="utf-8"))


def _runtime_requires(requires_dist: Iterable[str]) -> tuple[str, ...]:
    """Requires-Dist entries that are not behind an extra."""
    return tuple(r for r in requires_dist if "extra" not in str(Requirement(r).marker or ""))


def resolve_combo(
    python_exe: str, target: Target, python: str, inputs: tuple[str, ...], pins: Mapping[str, str]
) -> ComboResult:
    """What ``python`` on ``target`` installs for ``inputs``: pip's resolution, closed under the
    target's markers (requirements pip skipped because the running interpreter's markers differ
    are added, packages the target's markers do not ask for are left out)."""
    env = target.markers(python)
    requirements = list(inputs)
    for _ in range(8):
        try:
            report = _pip_report(python_exe, target, python, requirements, pins)
        except LockError as err:
            return ComboResult(error=str(err))
        found: dict[str, Resolved] = {}
        for item in report["install"]:
            meta = item["metadata"]
            info = item["download_info"]
            sha = info.get("archive_info", {}).get("hashes", {}).get("sha256")
            if not sha:
                raise LockError(f"{meta['name']} {meta['version']}: the index gave no sha256")
            found[canonicalize_name(meta["name"])] = Resolved(
                meta["name"],
                meta["version"],
                info["url"].rsplit("/", 1)[-1],
                sha,
                _runtime_requires(meta.get("requires_dist") or ()),
            )
        closure: dict[str, Resolved] = {}
        missing: list[str] = []
        queue = [Requirement(r) for r in inputs]
        while queue:
            req = queue.pop()
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            key = canonicalize_name(req.name)
            if key in closure:
                continue
            if key not in found:
                missing.append(str(Requirement(f"{req.name}{req.specifier}")))
                continue
            if Version(found[key].version) not in req.specifier:
                raise LockError(
                    f"{target.name} {python}: {found[key].name} {found[key].version} "
                    f"does not satisfy {req}"
                )
            closure[key] = found[key]
            queue += [Requirement(r) for r in found[key].requires]
        if not missing:
            return ComboResult(packages=closure)
        requirements += [m for m in missing if m not in requirements]
    raise LockError(f"{target.name} {python}: the markers' closure does not settle")


def _marker_for(needed: set[Combo], supported: list[Combo]) -> str | None:
    """The shortest marker true exactly on ``needed`` among ``supported``; ``LockError`` if the
    markers cannot tell them apart (e.g. linux-x64 from alpine-x64)."""
    if set(supported) <= needed:
        return None
    by_name = {t.name: t for t in TARGETS}
    pythons = sorted({py for _, py in needed}, key=lambda v: Version(v))
    all_pythons = sorted({py for _, py in supported}, key=lambda v: Version(v))
    if pythons == all_pythons[: len(pythons)]:
        nxt = all_pythons[len(pythons)] if len(pythons) < len(all_pythons) else None
        py_marker = f'python_version < "{nxt}"' if nxt else None
    elif pythons == all_pythons[-len(pythons) :]:
        py_marker = f'python_version >= "{pythons[0]}"'
    else:
        py_marker = " or ".join(f'python_version == "{py}"' for py in pythons)
    platforms = sorted({(by_name[t].sys_platform, by_name[t].platform_machine) for t, _ in needed})
    plat_marker = " or ".join(
        f'(sys_platform == "{sp}" and platform_machine == "{pm}")' for sp, pm in platforms
    )
    candidates = [m for m in (py_marker, plat_marker) if m]
    if py_marker and plat_marker:
        candidates.append(f"({py_marker}) and ({plat_marker})")
    for marker in candidates:
        if all(
            Marker(marker).evaluate(by_name[t].markers(py)) == ((t, py) in needed)
            for t, py in supported
        ):
            return marker
    raise LockError(
        f"no environment marker tells the pairs that need it {sorted(needed)} from the others"
    )


def generate(python_exe: str = sys.executable, jobs: int = 4, log=print) -> Lock:
    """Resolves pyproject.toml's dependencies for every target and CPython version."""
    inputs = project_dependencies()
    combos = [(t, py) for t in TARGETS for py in PYTHONS]
    pins: dict[str, str] = {}
    for round_ in range(1, 4):
        log(f"resolving {len(combos)} (target, CPython) pairs, round {round_}")
        with ThreadPoolExecutor(jobs) as pool:
            results = dict(
                zip(
                    [(t.name, py) for t, py in combos],
                    pool.map(lambda c: resolve_combo(python_exe, c[0], c[1], inputs, pins), combos),
                    strict=True,
                )
            )
        versions: dict[str, set[str]] = {}
        for result in results.values():
            for key, r in result.packages.items():
                versions.setdefault(key, set()).add(r.version)
        split = {k: v for k, v in versions.items() if len(v) > 1}
        if not split:
            break
        for key, vs in split.items():
            oldest = min(vs, key=Version)
            log(f"{key}: {', '.join(sorted(vs, key=Version))} across targets: pinning {oldest}")
            pins[key] = oldest
    else:
        raise LockError(f"versions still differ across targets: {split}")

    unsupported = {c: r.error for c, r in results.items() if r.error}
    supported = [c for c in results if c not in unsupported]
    if not supported:
        raise LockError("no target resolves: " + "; ".join(sorted(set(unsupported.values()))))
    merged: dict[str, dict] = {}
    for combo, result in results.items():
        for key, r in result.packages.items():
            entry = merged.setdefault(key, {"r": r, "files": {}, "needed": set()})
            entry["files"][r.filename] = r.sha256
            entry["needed"].add(combo)
    packages = tuple(
        LockedPackage(
            e["r"].name,
            e["r"].version,
            _marker_for(e["needed"], supported),
            e["r"].requires,
            tuple(LockedFile(f, h) for f, h in sorted(e["files"].items())),
        )
        for e in merged.values()
    )
    lock = Lock(inputs, PYTHONS, tuple(t.name for t in TARGETS), unsupported, packages)
    # What the build will derive from the markers is what was resolved.
    for target, python in combos:
        if (target.name, python) in unsupported:
            continue
        derived = {p.key for p in lock.for_combo(target, python)}
        if derived != set(results[(target.name, python)].packages):
            raise LockError(f"{target.name} {python}: the markers select {sorted(derived)}")
    return lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.vsix.lock",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", type=Path, default=LOCK_PATH)
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("LOCK_JOBS", "4")))
    args = parser.parse_args(argv)
    try:
        lock = generate(jobs=args.jobs, log=lambda m: print(f"[lock] {m}", file=sys.stderr))
    except LockError as err:
        print(f"[lock] error: {err}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(lock), encoding="utf-8")
    for (target, python), why in sorted(lock.unsupported.items()):
        print(f"[lock] no wheels for CPython {python} on {target}: {why}", file=sys.stderr)
    print(f"[lock] {len(lock.packages)} packages -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
