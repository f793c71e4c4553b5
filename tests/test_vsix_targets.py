"""Each target's .vsix opened and checked against its target (no editor needed).

The packages come from `npm run package:all` (scripts/test.sh runs it first); stale or missing
ones are built here. Checked per package (scripts/vsix/inspect.py): the manifest's target, the
compiled modules' tags and headers (format, machine, C library) against the target, one of each
version-specific module per CPython version the package claims, every locked dependency whole
(its RECORD) at its locked version and nothing else, the server and notes, no sources or caches.
The sizes go to .test-artifacts/vsix-sizes.txt. Only linux-x64 also runs in a real VS Code
(tests/editors/test_vscode.py); the others are inspected only.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.vsix import build
from scripts.vsix.inspect import inspect
from scripts.vsix.lock import load
from scripts.vsix.targets import TARGETS, Target
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

MAX_MIB = 16
"""A package above this has picked up something it should not carry (they are 2–8 MiB)."""


@pytest.fixture(scope="module")
def packages() -> dict[str, Path]:
    version = build.version()
    paths = {t.name: build.vsix_path(t.name, version) for t in TARGETS}
    if not all(build.is_fresh(p) for p in paths.values()):
        proc = subprocess.run(
            ["bash", "scripts/build-vsix.sh", "--all"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-4000:]
    return paths


@pytest.fixture(scope="module")
def sizes() -> dict[str, str]:
    lines: dict[str, str] = {}
    yield lines
    artifacts = REPO_ROOT / ".test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "vsix-sizes.txt").write_text("\n".join(lines[k] for k in sorted(lines)) + "\n")


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_package_holds_its_target_and_nothing_else(
    target: Target, packages: dict[str, Path], sizes: dict[str, str]
) -> None:
    report = inspect(packages[target.name], load())
    sizes[target.name] = report.line()
    print(report.line())
    assert report.target == target.name
    assert not report.problems, "\n".join(report.problems)
    # tree-sitter and PyYAML per CPython version, tree-sitter-python once (stable ABI).
    assert report.compiled == 2 * len(report.pythons) + 1, report.line()
    assert report.size < MAX_MIB * 1024 * 1024, report.line()


def test_win32_arm64_says_which_pythons_it_runs_on(packages: dict[str, Path]) -> None:
    """No wheels of PyYAML or tree-sitter for CPython 3.10/3.11 on Windows arm64: the package
    says so, and the extension reads it from bundled/bundle.json."""
    report = inspect(packages["win32-arm64"], load())
    assert report.pythons == ("3.12", "3.13", "3.14")
