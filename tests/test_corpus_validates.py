"""Acceptance: the whole built-in corpus validates under the installed torch.

Runs ``torch-notes validate`` over the built-in corpus exactly as a person
would, in a subprocess, and reads its JSON report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from torch_notes.corpus.loader import load_corpus


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_builtin_corpus_validates(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "torch_notes", "validate", "--json", str(report_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=880,
    )
    output = done.stdout[-20000:] + done.stderr[-20000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["loader_errors"] == [], output
    assert report["counts"]["failed"] == 0, output
    assert done.returncode == 0, output

    corpus = load_corpus()
    assert corpus.notes, "the built-in corpus is empty"
    assert set(report["notes"]) == {note.id for note in corpus.notes}
    for job in report["jobs"]:
        assert job["outcome"] in ("passed", "skipped"), job
        if job["outcome"] == "skipped":
            assert job["reason"].startswith("needs "), job
    assert list(tmp_path.iterdir()) == [report_path], "validation wrote into its cwd"
