"""What a built .vsix holds, checked against its target (``tests/test_vsix_targets.py``).

python -m scripts.vsix.inspect dist/vsix/*.vsix     a line per package, problems listed
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scripts.vsix._packaging import canonicalize_name
from scripts.vsix.lock import ROOT, Lock, load
from scripts.vsix.targets import BY_NAME, Target
from scripts.vsix.wheels import COMPILED_SUFFIXES, module_problem

EXT = "extension/"
LIBS = "extension/bundled/libs/"

LEAKS = re.compile(
    r"^extension/(client/src/|client/test/|tests/|server/|snippets/|scripts/|node_modules/|docs/"
    r"|out/|\.tools/|\.venv/|requirements/|tsconfig\.json|eslint\.config\.mjs|pyproject\.toml"
    r"|package-lock\.json)|\.(ts|map|pyc)$|/__pycache__/"
)
"""Sources, tests, build tools and caches: none of it belongs in a package."""


@dataclass
class Report:
    path: Path
    target: str
    size: int
    files: int
    compiled: int
    pythons: tuple[str, ...]
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.target:13} {self.size / 1024 / 1024:5.1f} MiB  {self.files:4} files  "
            f"{self.compiled:2} compiled modules  CPython {', '.join(self.pythons)}"
        )


def _target_of(manifest: str) -> str:
    match = re.search(r'TargetPlatform="([^"]+)"', manifest)
    return match[1] if match else ""


def _record_paths(record: str) -> list[str]:
    paths = []
    for line in record.splitlines():
        path = line.rsplit(",", 2)[0].strip('"')
        if path and not path.startswith(("..", "/")) and "__pycache__" not in path:
            paths.append(path)
    return paths


def inspect(path: Path, lock: Lock | None = None) -> Report:
    """Everything ``path`` must be for the target its manifest names; problems are listed."""
    lock = lock or load()
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        read = zf.read
        manifest = read("extension.vsixmanifest").decode("utf-8")
        name = _target_of(manifest)
        report = Report(path, name, path.stat().st_size, len(names), 0, ())
        problems = report.problems
        tgt: Target | None = BY_NAME.get(name)
        if tgt is None:
            problems.append(f"the manifest's TargetPlatform is {name!r}, not a target of the table")
            return report
        if f"-{name}-" not in path.name:
            problems.append(f"{path.name} is not named for {name}")
        present = set(names)

        # The manifest and the bundle's own description of itself.
        package = json.loads(read(f"{EXT}package.json"))
        if package.get("preview") is not True or "private" in package:
            problems.append('package.json: "preview": true and no "private" are wanted')
        for key in ("icon", "repository", "bugs", "homepage", "license"):
            if not package.get(key):
                problems.append(f"package.json has no {key}")
        if package.get("icon") and f"{EXT}{package['icon']}" not in present:
            problems.append(f"the icon {package['icon']} is not in the package")
        lowered = {n.lower() for n in present}
        for required in ("LICENSE.txt", "changelog.md", "readme.md", "client/dist/extension.js"):
            if f"{EXT}{required}".lower() not in lowered:
                problems.append(f"no {required} in the package")
        bundle = json.loads(read(f"{EXT}bundled/bundle.json"))
        expected = lock.supported_pythons(tgt)
        report.pythons = tuple(bundle.get("pythons", ()))
        if bundle.get("target") != name or report.pythons != expected:
            problems.append(
                f"bundle.json says {bundle.get('target')} {report.pythons}, the lock "
                f"{name} {expected}"
            )
        if bundle.get("version") != package.get("version"):
            problems.append("bundle.json's version is not the extension's")

        # The server and its notes.
        for module in ("__main__.py", "lsp/server.py", "cli/lsp_cmd.py", "data/torch_api.json"):
            if f"{LIBS}torch_notes/{module}" not in present:
                problems.append(f"the server's {module} is missing")
        corpus = {p.name for p in (ROOT / "snippets").iterdir() if p.is_file()}
        shipped = {
            n.rsplit("/", 1)[1] for n in names if n.startswith(f"{LIBS}torch_notes/_corpus/")
        }
        if missing := corpus - shipped:
            problems.append(f"notes missing: {sorted(missing)}")

        # Every locked package the target needs, whole (its RECORD), at the locked version;
        # nothing else.
        needed = {p.key: p for py in expected for p in lock.for_combo(tgt, py)}
        dist_infos = {n.split("/")[3] for n in names if n.startswith(LIBS) and ".dist-info/" in n}
        found = dict(
            (canonicalize_name(n), v)
            for n, v in (d.removesuffix(".dist-info").rsplit("-", 1) for d in dist_infos)
        )
        for key, pkg in needed.items():
            if found.get(key) != pkg.version:
                problems.append(f"{pkg.name} {pkg.version} is not bundled (found {found.get(key)})")
        if extra := set(found) - set(needed):
            problems.append(f"bundled but not locked for {name}: {sorted(extra)}")
        for dist_info in dist_infos:
            record = read(f"{LIBS}{dist_info}/RECORD").decode("utf-8")
            lost = [
                p
                for p in _record_paths(record)
                if f"{LIBS}{p}" not in present and not p.startswith("bin/")
            ]
            if lost:
                problems.append(f"{dist_info}: files of its RECORD missing: {lost[:5]}")

        # Compiled modules: the target's format, machine, C library and tags, and one of each
        # version-specific module for every CPython version the bundle claims.
        compiled = [n for n in names if n.startswith(LIBS) and n.endswith(COMPILED_SUFFIXES)]
        report.compiled = len(compiled)
        for member in compiled:
            if why := module_problem(member.removeprefix(LIBS), read(member), tgt, expected):
                problems.append(why)
        stems: dict[str, set[str]] = {}
        for member in compiled:
            for py in expected:
                for suffix in tgt.module_suffixes(py)[:1]:
                    if member.endswith(suffix):
                        stems.setdefault(member.removesuffix(suffix), set()).add(py)
        for stem, pys in stems.items():
            if lacking := set(expected) - pys:
                problems.append(f"{stem}: no module for CPython {', '.join(sorted(lacking))}")

        # Nothing of the sources, tests, build tools or caches.
        if leaked := [n for n in names if LEAKS.search(n)]:
            problems.append(f"sources or caches in the package: {leaked[:10]}")
        outside = [
            n
            for n in names
            if n.startswith(EXT)
            and not n.startswith((f"{EXT}bundled/", f"{EXT}client/dist/", f"{EXT}client/images/"))
        ]
        allowed = {
            f"{EXT}{n}" for n in ("package.json", "LICENSE.txt", "changelog.md", "readme.md")
        }
        if stray := [n for n in outside if n not in allowed]:
            problems.append(f"unexpected files in the package: {stray[:10]}")
    return report


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    lock = load()
    failed = 0
    for path in paths:
        report = inspect(path, lock)
        print(report.line())
        for problem in report.problems:
            print(f"    {problem}")
        failed += bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
