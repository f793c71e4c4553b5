"""Precision first: the rules stay silent on a large body of real Python that is not ours.

The standard library's own sources (every ``*.py`` under ``sysconfig``'s ``stdlib`` path,
``site-packages`` excluded) must yield zero diagnostics; so must the installed torchvision
and the torch packages users read most; the project's ``examples/`` yield exactly the
findings their ``# rule-code`` comments announce. The runs use every core (not timed).
"""

from __future__ import annotations

import os
import re
import sysconfig
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.diagnostics_support import builtin_index, check
from torch_notes.diagnostics.registry import RULE_CODES, check_source

STDLIB = Path(sysconfig.get_paths()["stdlib"])
MARKER = re.compile(r"#\s*(" + "|".join(map(re.escape, RULE_CODES)) + r")\s*$")


def _check_files(paths: list[str]) -> tuple[int, int, list[str]]:
    """(files read, lines, ``path:line: rule: message`` findings) for one chunk of files."""
    index = builtin_index()
    files = lines = 0
    findings = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # unreadable: skipped
        files += 1
        lines += text.count("\n") + 1
        for diagnostic in check_source(text, index):
            row = diagnostic.span.start[0] + 1
            findings.append(f"{path}:{row}: {diagnostic.rule}: {diagnostic.message}")
    return files, lines, findings


def _run(paths: list[Path]) -> tuple[int, int, list[str]]:
    names = sorted(str(path) for path in paths)
    workers = max(1, min(4, os.cpu_count() or 1))
    chunks = [names[i :: workers * 8] for i in range(workers * 8)]
    files = lines = 0
    findings: list[str] = []
    with ProcessPoolExecutor(workers) as pool:
        for chunk_files, chunk_lines, chunk_findings in pool.map(_check_files, chunks):
            files += chunk_files
            lines += chunk_lines
            findings += chunk_findings
    return files, lines, findings


def test_zero_diagnostics_on_the_standard_library() -> None:
    paths = [
        p for p in STDLIB.rglob("*.py") if not {"site-packages", "dist-packages"} & set(p.parts)
    ]
    files, lines, findings = _run(paths)
    print(f"\nstdlib precision run: {files} files, {lines} lines, {len(findings)} diagnostics")
    assert files > 500 and lines > 200_000, "the standard library sources are not installed?"
    assert findings == []


def test_zero_diagnostics_on_installed_torch_code() -> None:
    """Real torch code: torchvision and the torch packages users read (tests excluded)."""
    torch_spec = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    torch_dir = Path(torch_spec.__file__).parent
    roots = [Path(torchvision.__file__).parent] + [
        torch_dir / sub for sub in ("nn", "optim", "utils/data", "amp", "linalg", "fft")
    ]
    paths = [p for root in roots if root.is_dir() for p in root.rglob("*.py")]
    files, lines, findings = _run(paths)
    print(f"\ninstalled torch code: {files} files, {lines} lines, {len(findings)} diagnostics")
    assert files > 100
    assert findings == []


def expected_markers(path: Path) -> list[tuple[int, str]]:
    """``(line, rule)`` for every line ending in a ``# rule-code`` comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, m.group(1)) for n, line in enumerate(lines, 1) if (m := MARKER.search(line))]


@pytest.mark.parametrize(
    "path", sorted((REPO_ROOT / "examples").glob("*.py")), ids=lambda path: path.name
)
def test_examples_yield_exactly_the_announced_diagnostics(path: Path) -> None:
    found = [(d.span.start[0] + 1, d.rule) for d in check(path.read_text(encoding="utf-8"))]
    assert found == expected_markers(path)


def test_the_mistakes_example_exercises_every_rule() -> None:
    rules = {rule for _, rule in expected_markers(REPO_ROOT / "examples" / "common_mistakes.py")}
    assert rules == set(RULE_CODES)
