"""``torch-notes validate --serve``: the long-lived validator editors talk to.

Real workers (torch imported) behind the JSON-lines protocol: results mapped to the note
file's lines, a second request on the same workers, a cancel that drops the jobs not yet
started, malformed requests answered, a worker that cannot import torch reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from torch_notes.corpus.loader import load_text
from torch_notes.validation.jobs import jobs_for_notes
from torch_notes.validation.serve import job_from_json, job_to_json

pytestmark = pytest.mark.timeout(300)

SERVER = Path(__file__).resolve().parent.parent / "server"
NOTE = """\
topic: serve
notes:
  - id: serve.{name}
    symbols: [torch.zeros]
    title: {{en: "Zeros", zh: "全零"}}
    summary: {{en: "All zeros.", zh: "全是零。"}}
    body: {{en: "Body.", zh: "正文。"}}
    hover: |
      >>> torch.zeros(2)
      tensor([0., 0.])
    example: |
      import torch
      {line}
"""


def jobs(name: str, line: str) -> list[dict]:
    notes, errors = load_text(NOTE.format(name=name, line=line), Path(f"/notes/{name}.yaml"))
    assert errors == []
    return [job_to_json(job) for job in jobs_for_notes(notes)]


class Validator:
    """``python -m torch_notes validate --serve --jobs 1`` with pipes (or, given another
    interpreter, ``python -m torch_notes.validation.serve``, which needs nothing installed)."""

    def __init__(self, env: dict[str, str] | None = None, python: str | None = None) -> None:
        command = (
            [python, "-m", "torch_notes.validation.serve", "--workers", "1"]
            if python
            else [sys.executable, "-m", "torch_notes", "validate", "--serve", "--jobs", "1"]
        )
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(SERVER), **(env or {})},
        )

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def until_done(self, request_id: object) -> tuple[list[dict], dict]:
        assert self.proc.stdout is not None
        results = []
        while line := self.proc.stdout.readline():
            message = json.loads(line)
            if message.get("id") != request_id:
                continue
            if message["type"] == "result":
                results.append(message)
            else:
                return results, message
        raise AssertionError(f"the validator ended before answering {request_id}")

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def validator():
    running = Validator()
    yield running
    assert running.close() == 0


def test_jobs_survive_the_wire() -> None:
    (example, hover) = jobs_for_notes(
        load_text(NOTE.format(name="a", line="x = 1"), Path("/n/a.yaml"))[0]
    )
    for job in (example, hover):
        assert job_from_json(json.loads(json.dumps(job_to_json(job)))) == job


def test_a_failure_comes_back_at_its_note_file_line(validator: Validator) -> None:
    validator.send({"id": 1, "jobs": jobs("fails", "assert torch.zeros(2).sum() == 1")})
    results, done = validator.until_done(1)
    by_kind = {r["kind"]: r for r in results}
    assert by_kind["hover"]["outcome"] == "passed"
    failed = by_kind["example"]
    assert failed["outcome"] == "failed" and failed["reason"] == "AssertionError"
    assert (failed["line"], failed["label"]) == (13, "example line 2")
    assert failed["source_line"] == "assert torch.zeros(2).sum() == 1"
    assert done["type"] == "done" and not done["cancelled"]
    assert done["environment"]["torch"].startswith("2.")


def test_the_next_request_runs_on_the_same_workers(validator: Validator) -> None:
    validator.send({"id": 2, "jobs": jobs("passes", "assert torch.zeros(2).sum() == 0")})
    results, done = validator.until_done(2)
    assert [r["outcome"] for r in results] == ["passed", "passed"] and not done["cancelled"]


def test_a_cancel_drops_the_jobs_not_yet_started(validator: Validator) -> None:
    slow = jobs("slow", "import time; time.sleep(1.5)")
    more = jobs("more", "assert True")
    validator.send({"id": 3, "jobs": slow + more})
    validator.send({"cancel": 3})
    results, done = validator.until_done(3)
    assert done["cancelled"] and len(results) < len(slow + more)
    validator.send({"id": 4, "jobs": more})
    results, done = validator.until_done(4)
    assert not done["cancelled"] and len(results) == len(more)


def test_a_malformed_request_is_answered(validator: Validator) -> None:
    validator.send({"id": 5, "jobs": [{"key": "no source"}]})
    results, reply = validator.until_done(5)
    assert results == [] and reply["type"] == "error" and "malformed" in reply["message"]


def test_a_worker_without_torch_is_reported(tmp_path: Path) -> None:
    """``torchNotes.validation.python`` naming an interpreter that has no torch."""
    venv.create(tmp_path / "env", with_pip=False)
    python = tmp_path / "env" / ("Scripts" if os.name == "nt" else "bin") / "python"
    validator = Validator(python=str(python))
    validator.send({"id": 1, "jobs": jobs("any", "assert True")})
    results, reply = validator.until_done(1)
    assert results == [] and reply["type"] == "error", reply
    assert "torch" in reply["message"], reply["message"]
    assert validator.close() == 0
