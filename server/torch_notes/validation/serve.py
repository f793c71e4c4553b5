"""``torch-notes validate --serve``: the validator as a long-lived process, for editors.

It keeps one worker pool (the same workers and sandbox as ``torch-notes validate``) between
requests, so a note saved twice runs on workers that have imported torch already. Requests
come on stdin and replies go to stdout, one JSON object per line:

* ``{"id": 1, "jobs": [JOB, ...]}`` runs jobs (:func:`job_to_json`; the caller builds them
  with :func:`~torch_notes.validation.jobs.jobs_for_notes`, so this process reads no note);
* ``{"id": 2, "warm": true}`` starts a worker now, so that the next request finds it ready;
* ``{"cancel": 1}`` drops request 1: jobs not yet started never run (jobs run in waves of
  as many jobs as there are workers; a wave in progress finishes).

Replies: ``{"type": "result", "id": 1, ...}`` per job as it finishes (:func:`result_message`),
then ``{"type": "done", "id": 1, "cancelled": false, "environment": {...}, "seconds": s}``;
``{"type": "error", "id": 1, "message": ...}`` when no worker can start (torch missing).
The process ends when stdin closes, stopping its workers. It never imports torch itself,
nor anything beyond the standard library and ``torch_notes.validation`` (run it with any
interpreter that has torch: ``python -m torch_notes.validation.serve``, with
``torch_notes`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import json
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from torch_notes.validation.jobs import Job, LineMap, SourceLine
from torch_notes.validation.pool import PoolOptions, RawResult, WorkerPool, WorkerStartError
from torch_notes.validation.runner import to_job_result
from torch_notes.validation.tracebacks import first_job_line

WARM_UP = Job(
    key="warm-up",
    note_id="",
    kind="example",
    choices=(),
    source="pass\n",
    line_map=LineMap(Path(), ()),
    requires=(),
    path=Path(),
    line=0,
)


def job_to_json(job: Job) -> dict[str, Any]:
    """A job as sent to ``--serve``."""
    return {
        "key": job.key,
        "note": job.note_id,
        "kind": job.kind,
        "choices": [list(choice) for choice in job.choices],
        "source": job.source,
        "path": str(job.path),
        "line": job.line,
        "requires": list(job.requires),
        "lines": [[src.yaml_line, src.label] for src in job.line_map.lines],
    }


def job_from_json(data: dict[str, Any]) -> Job:
    """The job a request describes; ``KeyError``/``TypeError``/``ValueError`` if malformed."""
    path = Path(str(data["path"]))
    return Job(
        key=str(data["key"]),
        note_id=str(data["note"]),
        kind=str(data["kind"]),
        choices=tuple((int(number), str(value)) for number, value in data.get("choices", ())),
        source=str(data["source"]),
        line_map=LineMap(path, tuple(SourceLine(int(y), str(label)) for y, label in data["lines"])),
        requires=tuple(str(tag) for tag in data.get("requires", ())),
        path=path,
        line=int(data["line"]),
    )


def result_message(request_id: object, job: Job, raw: RawResult) -> dict[str, Any]:
    """One job's result: the note-file line and label it failed at, and why."""
    result = to_job_result(job, raw)
    line = (raw.line or first_job_line(raw.output, job)) if raw.outcome == "failed" else 0
    yaml_line, label, source_line = job.line, job.kind, ""
    if 1 <= line <= len(job.line_map.lines):
        mapped = job.line_map.lines[line - 1]
        yaml_line, label = mapped.yaml_line or job.line, mapped.label
        if job.kind != "hover":
            source_line = job.source.split("\n")[line - 1]
    return {
        "type": "result",
        "id": request_id,
        "key": job.key,
        "note": job.note_id,
        "kind": job.kind,
        "outcome": result.outcome,
        "reason": result.reason,
        "seconds": round(result.seconds, 4),
        "line": yaml_line,
        "label": label,
        "source_line": source_line,
        "traceback": result.traceback,
    }


class Serve:
    """The request loop; requests are read by a thread so that a cancel arrives mid-run."""

    def __init__(self, options: PoolOptions, send: Callable[[dict[str, Any]], None]) -> None:
        self.options = options
        self.send = send
        self.requests: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.cancelled: set[object] = set()
        self._lock = threading.Lock()

    def read(self, lines: Iterable[bytes]) -> None:
        """Queue the requests of ``lines`` (a thread's work); a cancel takes effect at once."""
        try:
            for line in lines:
                if not line.strip():
                    continue
                try:
                    message = json.loads(line)
                except ValueError:
                    self.send({"type": "error", "id": None, "message": "not JSON"})
                    continue
                if not isinstance(message, dict):
                    continue
                if "cancel" in message:
                    with self._lock:
                        self.cancelled.add(message["cancel"])
                else:
                    self.requests.put(message)
        finally:
            self.requests.put(None)

    def is_cancelled(self, request_id: object) -> bool:
        with self._lock:
            return request_id in self.cancelled

    def run(self) -> None:
        """Serve queued requests until the input ends."""
        pool: WorkerPool | None = None
        try:
            while (request := self.requests.get()) is not None:
                pool = self._handle(pool, request)
        finally:
            if pool is not None:
                pool.close()

    def _handle(self, pool: WorkerPool | None, request: dict[str, Any]) -> WorkerPool | None:
        request_id = request.get("id")
        if pool is None:
            try:
                pool = WorkerPool(self.options)
            except Exception as err:  # the sandbox asked for cannot be had here, say
                self.send({"type": "error", "id": request_id, "message": str(err)})
                return None
        start = time.monotonic()
        cancelled = self.is_cancelled(request_id)
        try:
            jobs = [WARM_UP] if request.get("warm") else [job_from_json(j) for j in request["jobs"]]
        except (KeyError, TypeError, ValueError) as err:
            self.send({"type": "error", "id": request_id, "message": f"malformed request: {err}"})
            return pool
        report = None if request.get("warm") else self._reporter(request_id)
        wave = max(1, self.options.workers)
        try:
            for first in range(0, len(jobs), wave):
                if cancelled or (cancelled := self.is_cancelled(request_id)):
                    break
                pool.run(jobs[first : first + wave], report)
        except WorkerStartError as err:
            pool.close()
            self.send({"type": "error", "id": request_id, "message": str(err)})
            return None
        environment = {k: v for k, v in pool.environment.items() if k not in ("type", "pid")}
        self.send(
            {
                "type": "done",
                "id": request_id,
                "cancelled": cancelled,
                "environment": environment,
                "seconds": round(time.monotonic() - start, 4),
            }
        )
        return pool

    def _reporter(self, request_id: object) -> Callable[[Job, RawResult], None]:
        def report(job: Job, raw: RawResult) -> None:
            self.send(result_message(request_id, job, raw))

        return report


def serve(options: PoolOptions, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve requests from ``stdin`` until it closes; exit status 0."""
    lock = threading.Lock()

    def send(message: dict[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"
        with lock:
            stdout.write(line)
            stdout.flush()

    server = Serve(options, send)
    reader = threading.Thread(target=server.read, args=(stdin,), name="requests", daemon=True)
    reader.start()
    if threading.current_thread() is threading.main_thread():
        # a terminated validator still stops its workers and removes their scratch dirs
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    server.run()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m torch_notes.validation.serve [--workers N] [--timeout S] [--memory-limit M]``."""
    parser = argparse.ArgumentParser(prog="python -m torch_notes.validation.serve")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--memory-limit", type=int, default=4096)
    args = parser.parse_args(argv)
    options = PoolOptions(
        workers=max(1, args.workers), timeout=args.timeout, memory_limit_mib=args.memory_limit
    )
    return serve(options, sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    sys.exit(main())
