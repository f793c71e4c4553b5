"""The ``--json`` report of a validation run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from torch_notes.corpus.model import CorpusError, display_path
from torch_notes.validation.results import JobResult, RunResult


def job_entry(result: JobResult) -> dict[str, Any]:
    """One job of the report."""
    job = result.job
    entry: dict[str, Any] = {
        "note": job.note_id,
        "kind": job.kind,
        "choices": {str(number): value for number, value in job.choices},
        "outcome": result.outcome,
        "reason": result.reason,
        "seconds": round(result.seconds, 4),
        "location": f"{display_path(job.path)}:{job.line}",
    }
    if result.outcome == "failed":
        entry["failure_location"] = result.failure_location
        entry["traceback"] = result.traceback
        entry["output"] = result.output
    return entry


def build_report(run: RunResult, errors: tuple[CorpusError, ...] = ()) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    env = run.environment
    return {
        "torch": env.get("torch"),
        "torchvision": env.get("torchvision"),
        "device": env.get("device"),
        "cuda": env.get("cuda"),
        "platform": env.get("platform"),
        "python": env.get("python"),
        "sandbox": dict(env.get("sandbox") or {}),
        "wall_seconds": round(run.wall_seconds, 3),
        "workers": run.workers,
        "counts": run.counts(),
        "notes": {
            note_id: {"outcome": o.outcome, "reason": o.reason}
            for note_id, o in run.note_outcomes().items()
        },
        "jobs": [job_entry(result) for result in run.results],
        "loader_errors": [str(error) for error in errors],
    }


def write_report(path: Path, run: RunResult, errors: tuple[CorpusError, ...] = ()) -> None:
    """Write the report to ``path``."""
    text = json.dumps(build_report(run, errors), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
