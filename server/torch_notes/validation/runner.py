"""The validator's programmatic entry point: :func:`validate_jobs`.

``torch-notes validate`` calls it, and so may any other process (validation on
save): build jobs with :func:`torch_notes.validation.jobs.jobs_for_notes`, pass
them with :class:`~torch_notes.validation.pool.PoolOptions`, and get a
:class:`~torch_notes.validation.results.RunResult` back, which
:func:`torch_notes.validation.report.build_report` turns into the JSON report.
The calling process never imports torch; it needs no main thread and no signal
handlers.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from torch_notes.validation.jobs import Job
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
    """Run ``jobs`` on a fresh pool of contained workers; one result per job, in job order.

    ``on_result`` is called with each job's result as it finishes. Raises
    :class:`~torch_notes.validation.pool.WorkerStartError` when no worker can start
    (torch missing) and :class:`~torch_notes.validation.containment.SandboxError`
    when ``options.sandbox`` is ``bwrap`` and bubblewrap cannot be used. Whatever the
    jobs do, every job gets a result.
    """
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
