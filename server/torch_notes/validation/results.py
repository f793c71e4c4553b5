"""The outcome of a validation run: per job, per note, and in total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from torch_notes.validation.jobs import Job

OUTCOMES: tuple[str, ...] = ("passed", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class JobResult:
    """What happened to one job, its traceback mapped to the note file's lines."""

    job: Job
    outcome: str
    """``passed``, ``failed`` or ``skipped``."""
    reason: str = ""
    """Why it failed or was skipped (``AssertionError: ...``, ``needs cuda (...)``)."""
    seconds: float = 0.0
    traceback: str = ""
    failure_location: str = ""
    """``snippets/x.yaml:57 (example line 4)`` where the failure was raised, if known."""
    output: str = ""
    """The tail of what the job printed, for failures."""


@dataclass(frozen=True, slots=True)
class NoteOutcome:
    """A note's overall outcome: failed if any job failed, skipped if all were skipped."""

    outcome: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RunResult:
    """Every job's result plus what the run ran on."""

    results: tuple[JobResult, ...]
    environment: Mapping[str, Any] = field(default_factory=dict)
    """Worker-reported ``torch``, ``torchvision``, ``device``, ``platform``, ``python``."""
    wall_seconds: float = 0.0
    workers: int = 0

    def counts(self) -> dict[str, int]:
        """Number of jobs per outcome."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def failed(self) -> tuple[JobResult, ...]:
        """The failed jobs, in job order."""
        return tuple(r for r in self.results if r.outcome == "failed")

    def slowest(self, count: int = 5) -> list[JobResult]:
        """The ``count`` slowest jobs that ran."""
        ran = [r for r in self.results if r.outcome != "skipped"]
        return sorted(ran, key=lambda r: r.seconds, reverse=True)[:count]

    def note_outcomes(self) -> dict[str, NoteOutcome]:
        """Note id → overall outcome, in corpus order."""
        grouped: dict[str, list[JobResult]] = {}
        for result in self.results:
            grouped.setdefault(result.job.note_id, []).append(result)
        outcomes: dict[str, NoteOutcome] = {}
        for note_id, results in grouped.items():
            failed = [r for r in results if r.outcome == "failed"]
            skipped = [r for r in results if r.outcome == "skipped"]
            if failed:
                outcomes[note_id] = NoteOutcome("failed", failed[0].reason)
            elif len(skipped) == len(results):
                outcomes[note_id] = NoteOutcome("skipped", skipped[0].reason)
            else:
                outcomes[note_id] = NoteOutcome("passed")
        return outcomes
