"""A pool of long-lived worker processes that execute jobs with a timeout and a memory limit.

Workers are fresh interpreters (``python -m torch_notes.validation.worker``),
not forks: they inherit nothing from the validator. Each imports torch once and
then runs jobs one at a time. The pool watches every busy worker: past the
timeout or above the memory limit it kills the worker's process group, reports
the job failed and starts a replacement; a worker that dies on its own
(segfault, ``os._exit``) is reported as the failure of the job it was running.

``RLIMIT_AS`` is not used for the memory limit: a CUDA build of torch maps far
more address space than it uses (the CUDA context alone reserves tens of GiB),
so the limit is on resident memory (worker plus its children), polled.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from torch_notes.validation.jobs import Job
from torch_notes.validation.protocol import LineBuffer, Message, decode, encode
from torch_notes.validation.sandbox import descendants

POLL_SECONDS = 0.05
OUTPUT_TAIL_CHARS = 4000


class WorkerStartError(RuntimeError):
    """A worker could not start (torch missing, broken install): the validator cannot run."""


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """How the pool runs jobs."""

    workers: int = 2
    timeout: float = 30.0
    """Seconds a job may run before its worker is killed."""
    memory_limit_mib: int = 4096
    """Resident memory (MiB) a worker and its children may use."""
    startup_timeout: float = 180.0


@dataclass(frozen=True, slots=True)
class RawResult:
    """What happened to one job, with the worker's traceback still unmapped."""

    key: str
    outcome: str
    """``passed``, ``failed`` or ``skipped``."""
    reason: str = ""
    seconds: float = 0.0
    traceback: str = ""
    line: int = 0
    """Line of the job's source where it failed (0: unknown)."""
    output: str = ""
    """The tail of what the job printed (failures only)."""


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    scratch: Path
    started: float
    buffer: LineBuffer = field(default_factory=LineBuffer)
    ready: bool = False
    job: Job | None = None
    sent: float = 0.0
    last_memory_check: float = 0.0

    @property
    def log(self) -> Path:
        return self.scratch / "output.log"

    def output_tail(self) -> str:
        try:
            with self.log.open("rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - OUTPUT_TAIL_CHARS))
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""


def _worker_env(scratch: Path) -> dict[str, str]:
    import torch_notes

    env = dict(os.environ)
    package_root = str(Path(torch_notes.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    tmp = scratch / "tmp"
    tmp.mkdir()
    env.update(
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        TMPDIR=str(tmp),
        TEMP=str(tmp),
        TMP=str(tmp),
    )
    env.pop("PYTHONSTARTUP", None)
    return env


def _exit_description(returncode: int | None) -> str:
    if returncode is None:
        return "worker died"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"worker crashed: killed by signal {-returncode} ({name})"
    return f"worker crashed: exited with code {returncode}"


def _resident_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (0 if gone)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total / (1024 * 1024)


class WorkerPool:
    """Runs jobs on ``options.workers`` worker processes; use as a context manager."""

    def __init__(self, options: PoolOptions) -> None:
        self.options = options
        self.environment: Message = {}
        """The ``ready`` message of the first worker: torch version, device, platform."""
        self._selector = selectors.DefaultSelector()
        self._workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker and remove their scratch directories."""
        for worker in list(self._workers):
            self._stop(worker, graceful=True)
        self._selector.close()

    # -- worker lifecycle -------------------------------------------------------

    def _start(self) -> _Worker:
        scratch = Path(tempfile.mkdtemp(prefix="torch-notes-worker-"))
        env = _worker_env(scratch)
        with (scratch / "output.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "torch_notes.validation.worker", str(scratch)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=scratch,
                env=env,
                start_new_session=True,
            )
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        worker = _Worker(proc=proc, scratch=scratch, started=time.monotonic())
        self._selector.register(proc.stdout, selectors.EVENT_READ, worker)
        self._workers.append(worker)
        return worker

    def _stop(self, worker: _Worker, *, graceful: bool = False) -> int | None:
        """End ``worker`` (politely if idle and ``graceful``); returns its exit status."""
        proc = worker.proc
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(proc.stdout)
        if graceful and worker.job is None and proc.stdin:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        if proc.poll() is None:
            for pid in descendants(proc.pid):  # those that left its process group too
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        returncode = proc.wait()
        # descendants the job left behind (DataLoader workers...) die with the group
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()
        shutil.rmtree(worker.scratch, ignore_errors=True)
        if worker in self._workers:
            self._workers.remove(worker)
        return returncode

    # -- running ----------------------------------------------------------------

    def run(
        self,
        jobs: Sequence[Job],
        on_result: Callable[[Job, RawResult], None] | None = None,
    ) -> list[RawResult]:
        """Execute ``jobs``; results come back in job order (``on_result`` as they finish)."""
        queue = deque(jobs)
        results: dict[str, RawResult] = {}

        def finish(job: Job, result: RawResult) -> None:
            results[job.key] = result
            if on_result is not None:
                on_result(job, result)

        def wanted() -> int:
            busy = sum(1 for w in self._workers if w.job is not None)
            return min(self.options.workers, busy + len(queue))

        while queue or any(w.job is not None for w in self._workers):
            while len(self._workers) < wanted():
                self._start()
            for worker in self._workers:
                if worker.ready and worker.job is None and queue:
                    self._send(worker, queue.popleft())
            for key, _ in self._selector.select(timeout=POLL_SECONDS):
                self._read(key.data, finish)
            self._watch(finish)
        return [results[job.key] for job in jobs]

    def _send(self, worker: _Worker, job: Job) -> None:
        request = {
            "key": job.key,
            "filename": job.filename,
            "source": job.source,
            "requires": list(job.requires),
        }
        worker.job = job
        worker.sent = time.monotonic()
        assert worker.proc.stdin is not None
        try:
            worker.proc.stdin.write(encode(request))
            worker.proc.stdin.flush()
        except OSError:
            pass  # the worker died; its EOF is handled by _read

    def _read(self, worker: _Worker, finish: Callable[[Job, RawResult], None]) -> None:
        assert worker.proc.stdout is not None
        try:
            data = os.read(worker.proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return
        if not data:
            self._died(worker, finish)
            return
        for line in worker.buffer.feed(data):
            try:
                message = decode(line)
            except ValueError:
                continue
            if message.get("type") == "ready":
                worker.ready = True
                if not self.environment:
                    self.environment = message
            elif message.get("type") == "result" and worker.job is not None:
                job, worker.job = worker.job, None
                if message.get("key") != job.key:
                    continue
                outcome = message.get("outcome", "failed")
                finish(
                    job,
                    RawResult(
                        key=job.key,
                        outcome=outcome,
                        reason=message.get("reason", ""),
                        seconds=float(message.get("seconds", 0.0)),
                        traceback=message.get("traceback", ""),
                        line=int(message.get("line", 0)),
                        output=worker.output_tail() if outcome == "failed" else "",
                    ),
                )
                if message.get("stray"):  # the worker exits after killing a job's leftovers
                    self._stop(worker, graceful=True)
                    return

    def _died(self, worker: _Worker, finish: Callable[[Job, RawResult], None]) -> None:
        job = worker.job
        output = worker.output_tail()
        returncode = self._stop(worker)
        if not worker.ready:
            raise WorkerStartError(
                f"a validator worker failed to start ({_exit_description(returncode)}):\n{output}"
            )
        if job is not None:
            seconds = time.monotonic() - worker.sent
            finish(
                job,
                RawResult(job.key, "failed", _exit_description(returncode), seconds, output=output),
            )

    def _kill(
        self, worker: _Worker, reason: str, seconds: float, finish: Callable[[Job, RawResult], None]
    ) -> None:
        job = worker.job
        output = worker.output_tail()
        self._stop(worker)
        if job is not None:
            finish(job, RawResult(job.key, "failed", reason, seconds, output=output))

    def _watch(self, finish: Callable[[Job, RawResult], None]) -> None:
        """Enforce the timeout, the memory limit and the start-up limit."""
        now = time.monotonic()
        options = self.options
        for worker in list(self._workers):
            if not worker.ready:
                if now - worker.started > options.startup_timeout:
                    output = worker.output_tail()
                    self._stop(worker)
                    raise WorkerStartError(
                        f"a validator worker did not start within {options.startup_timeout:g} s:\n"
                        f"{output}"
                    )
                continue
            if worker.job is None:
                continue
            elapsed = now - worker.sent
            if elapsed > options.timeout:
                self._kill(worker, f"timed out after {options.timeout:g} s", elapsed, finish)
                continue
            if now - worker.last_memory_check >= POLL_SECONDS:
                worker.last_memory_check = now
                used = _resident_mib(worker.proc.pid)
                if used > options.memory_limit_mib:
                    reason = (
                        f"exceeded the memory limit: {used:.0f} MiB resident"
                        f" > {options.memory_limit_mib} MiB"
                    )
                    self._kill(worker, reason, elapsed, finish)
