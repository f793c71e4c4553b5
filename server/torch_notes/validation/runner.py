"""Validate notes: build their jobs, run them on a worker pool, map the results back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from torch_notes.corpus.model import Note
from torch_notes.validation.jobs import Job, jobs_for_notes
from torch_notes.validation.pool import PoolOptions, RawResult, WorkerPool
from torch_notes.validation.results import JobResult, RunResult
from torch_notes.validation.tracebacks import first_job_line, map_traceback


def to_job_result(job: Job, raw: RawResult) -> JobResult:
    """A worker's raw result with its traceback and failure line mapped to the note file."""
    if raw.outcome != "failed":
        return JobResult(job, raw.outcome, raw.reason, raw.seconds)
    line = raw.line or first_job_line(raw.output, job)
    return JobResult(
        job=job,
        outcome="failed",
        reason=raw.reason,
        seconds=raw.seconds,
        traceback=map_traceback(raw.traceback, job),
        failure_location=job.line_map.describe(line) if line else "",
        output=map_traceback(raw.output, job),
    )


def validate_jobs(
    jobs: list[Job],
    options: PoolOptions,
    on_result: Callable[[JobResult], None] | None = None,
) -> RunResult:
    """Run ``jobs`` on a fresh worker pool."""
    start = time.monotonic()

    def report(job: Job, raw: RawResult) -> None:
        if on_result is not None:
            on_result(to_job_result(job, raw))

    if not jobs:
        return RunResult(results=(), wall_seconds=0.0, workers=0)
    with WorkerPool(options) as pool:
        raws = pool.run(jobs, report)
        environment = dict(pool.environment)
    environment.pop("type", None)
    environment.pop("pid", None)
    return RunResult(
        results=tuple(to_job_result(job, raw) for job, raw in zip(jobs, raws, strict=True)),
        environment=environment,
        wall_seconds=time.monotonic() - start,
        workers=min(options.workers, len(jobs)),
    )


def validate_notes(
    notes: Iterable[Note],
    options: PoolOptions,
    on_result: Callable[[JobResult], None] | None = None,
) -> RunResult:
    """Run every job of ``notes``."""
    return validate_jobs(jobs_for_notes(notes), options, on_result)
