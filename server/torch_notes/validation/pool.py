"""A pool of contained workers that execute jobs with a timeout, a memory and a process limit.

Each worker is a fork server (:mod:`torch_notes.validation.forkserver`) started by
the :class:`~torch_notes.validation.containment.Launcher` in its sandbox: it imports
torch once and forks a fresh process per job. The fork server enforces the job's
timeout and ends what the job leaves running; the pool watches every busy worker
and enforces the rest:

* the **memory and process limits**: the memory (proportional set size) and the
  task count of the job's processes (every descendant of the worker except its own
  processes), polled;
  past a limit the whole worker is killed, the job failed and the worker replaced
  (with cgroup v2 the kernel enforces them too);
* a **backstop** timeout, in case the fork server itself stops answering;
* **anything unexpected** from a worker (it dies, sends a malformed or out-of-turn
  message) fails the job in flight and replaces the worker. Whatever jobs do, every
  job gets exactly one result.

``RLIMIT_AS`` is not used for the memory limit: a CUDA build of torch maps far more
address space than it uses (the CUDA context alone reserves tens of GiB).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch_notes.validation.containment import Launcher, WorkerProcess
from torch_notes.validation.containment.limits import Limits
from torch_notes.validation.containment.processes import (
    descendants,
    proportional_mib,
    usage,
)
from torch_notes.validation.jobs import Job
from torch_notes.validation.wire import (
    LineBuffer,
    Message,
    ProtocolError,
    decode,
    encode,
    parse_ready,
    parse_result,
)

POLL_SECONDS = 0.05
OUTPUT_TAIL_CHARS = 4000
BACKSTOP_SECONDS = 15.0
"""Past the job's timeout, how long the pool waits before it kills a silent fork server."""
START_RETRIES = 2
PIPELINE = 2
"""Requests in flight per worker: the next job waits in the fork server's pipe, so it
starts the moment the previous one ends, without a round trip through the pool."""


class WorkerStartError(RuntimeError):
    """No worker could start (torch missing, broken install): the validator cannot run."""


def _default_sandbox() -> str:
    return os.environ.get("TORCH_NOTES_SANDBOX", "auto")


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """How the pool runs jobs."""

    workers: int = 2
    timeout: float = 30.0
    """Seconds a job may run before it is killed."""
    memory_limit_mib: int = 4096
    """Resident memory (MiB) a job's processes may use together."""
    max_tasks: int = 1024
    """Processes and threads a worker's jobs may run at once."""
    startup_timeout: float = 180.0
    sandbox: str = field(default_factory=_default_sandbox)
    """``auto`` (bubblewrap where it works), ``bwrap`` (required) or ``landlock`` (fallback)."""

    @property
    def tmpfs_mib(self) -> int:
        """Size of each of a worker's private ``/tmp`` and ``/dev/shm``."""
        return max(64, self.memory_limit_mib // 4)


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


class _Tail:
    """The last characters the fork server itself wrote (start-up errors, crashes)."""

    def __init__(self) -> None:
        self._data = b""

    def add(self, data: bytes) -> None:
        self._data = (self._data + data)[-4 * OUTPUT_TAIL_CHARS :]

    def text(self) -> str:
        return self._data.decode("utf-8", errors="replace")[-OUTPUT_TAIL_CHARS:]


@dataclass(eq=False)
class _Worker:
    process: WorkerProcess
    scratch: Path
    requests: Any
    results_fd: int
    output_fd: int
    started: float
    buffer: LineBuffer = field(default_factory=LineBuffer)
    tail: _Tail = field(default_factory=_Tail)
    ready: bool = False
    own: frozenset[int] = frozenset()
    """The worker's own processes (sandbox, fork server), not its jobs'."""
    inflight: deque[tuple[int, Job]] = field(default_factory=deque)
    """Jobs sent and not answered, in order; the fork server runs the first."""
    head_started: float = 0.0
    """When the first job in flight started (about)."""
    last_check: float = 0.0

    @property
    def job(self) -> tuple[int, Job] | None:
        """The job the fork server runs now."""
        return self.inflight[0] if self.inflight else None

    @property
    def pid(self) -> int:
        return self.process.proc.pid

    def job_pids(self) -> list[int]:
        return [pid for pid in descendants(self.pid) if pid not in self.own]

    def read_output(self) -> bool:
        """Take in what the worker's output pipe holds now; False at its end."""
        while True:
            try:
                data = os.read(self.output_fd, 65536)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            self.tail.add(data)


def _exit_description(returncode: int | None, *, through_bwrap: bool) -> str:
    if returncode is None:
        return "worker died"
    if returncode < 0 or (through_bwrap and returncode > 128):
        number = -returncode if returncode < 0 else returncode - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"worker crashed: killed by signal {number} ({name})"
    return f"worker crashed: exited with code {returncode}"


class WorkerPool:
    """Runs jobs on ``options.workers`` contained workers; use as a context manager."""

    def __init__(self, options: PoolOptions) -> None:
        self.options = options
        self.launcher = Launcher(
            Limits(memory_mib=options.memory_limit_mib, tasks=options.max_tasks),
            tmpfs_mib=options.tmpfs_mib,
            mode=options.sandbox,
        )
        self.environment: Message = {}
        """The ``ready`` message of the first worker (torch, device, platform), ``sandbox``
        merged with what the launcher applied."""
        self._selector = selectors.DefaultSelector()
        self._workers: list[_Worker] = []
        self._ever_ready = False
        self._failed_starts = 0
        self._broken = ""
        """Set once workers keep failing to start: the jobs still queued fail with it."""
        self._queue: deque[tuple[int, Job]] = deque()
        self._dumpable: int | None = None
        if self.launcher.bwrap is None:
            self._protect_self()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _protect_self(self) -> None:
        """Fallback only: no job may open this process's pipes through ``/proc/<pid>/fd``."""
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            self._dumpable = int(libc.prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
            libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE

    def close(self) -> None:
        """Stop every worker and remove their scratch directories."""
        for worker in list(self._workers):
            self._stop(worker, graceful=True)
        self._selector.close()
        if self._dumpable is not None:
            import ctypes

            with contextlib.suppress(OSError, AttributeError):
                ctypes.CDLL(None, use_errno=True).prctl(4, self._dumpable, 0, 0, 0)
            self._dumpable = None

    # -- worker lifecycle -------------------------------------------------------

    def _start(self) -> _Worker:
        scratch = Path(tempfile.mkdtemp(prefix="torch-notes-worker-"))
        requests_r, requests_w = os.pipe()
        results_r, results_w = os.pipe()
        output_r, output_w = os.pipe()
        try:
            process = self.launcher.start(
                scratch, requests_fd=requests_r, results_fd=results_w, log_fd=output_w
            )
        except BaseException:
            for fd in (requests_w, results_r, output_r):
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        finally:
            for fd in (requests_r, results_w, output_w):
                os.close(fd)
        for fd in (results_r, output_r):
            os.set_blocking(fd, False)
        worker = _Worker(
            process=process,
            scratch=scratch,
            requests=os.fdopen(requests_w, "wb"),
            results_fd=results_r,
            output_fd=output_r,
            started=time.monotonic(),
        )
        self._selector.register(results_r, selectors.EVENT_READ, (worker, "results"))
        self._selector.register(output_r, selectors.EVENT_READ, (worker, "output"))
        self._workers.append(worker)
        return worker

    def _stop(self, worker: _Worker, *, graceful: bool = False) -> int | None:
        """End ``worker`` (politely if idle and ``graceful``); returns its exit status."""
        proc = worker.process.proc
        for fd in (worker.results_fd, worker.output_fd):
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(fd)
        with contextlib.suppress(OSError):
            worker.requests.close()
        if graceful and not worker.inflight:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        worker.process.kill()
        returncode = proc.wait()
        worker.read_output()
        for fd in (worker.results_fd, worker.output_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        worker.process.release()
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
        """Execute ``jobs``; one result per job, in job order (``on_result`` as they finish)."""
        queue = self._queue = deque(enumerate(jobs))
        results: list[RawResult | None] = [None] * len(jobs)

        def finish(index: int, job: Job, result: RawResult) -> None:
            if results[index] is not None:
                return
            results[index] = result
            if on_result is not None:
                on_result(job, result)

        def wanted() -> int:
            busy = sum(1 for w in self._workers if w.inflight)
            return min(self.options.workers, busy + len(queue))

        while queue or any(w.inflight for w in self._workers):
            if self._broken:
                while queue:
                    index, job = queue.popleft()
                    finish(index, job, RawResult(job.key, "failed", self._broken))
            while len(self._workers) < wanted() and not self._broken:
                self._start()
            for worker in list(self._workers):
                # a second job waits in a worker's pipe only while there is work for all
                while (
                    worker.ready
                    and queue
                    and (not worker.inflight or len(queue) > len(self._workers))
                    and len(worker.inflight) < PIPELINE
                ):
                    self._send(worker, *queue.popleft())
            for key, _ in self._selector.select(timeout=POLL_SECONDS):
                worker, stream = key.data
                if worker not in self._workers:
                    continue
                if stream == "output":
                    if not worker.read_output():
                        with contextlib.suppress(KeyError, ValueError):
                            self._selector.unregister(worker.output_fd)
                else:
                    self._read(worker, finish)
            self._watch(finish)
        return [
            result if result is not None else RawResult(job.key, "failed", "no result")
            for job, result in zip(jobs, results, strict=True)
        ]

    def _send(self, worker: _Worker, index: int, job: Job) -> None:
        request = {
            "key": job.key,
            "filename": job.filename,
            "source": job.source,
            "requires": list(job.requires),
            "timeout": self.options.timeout,
        }
        if not worker.inflight:
            worker.head_started = time.monotonic()
        worker.inflight.append((index, job))
        try:
            worker.requests.write(encode(request))
            worker.requests.flush()
        except OSError:
            pass  # the worker died; its EOF is handled by _read

    def _end(self, worker: _Worker) -> tuple[int, Job] | None:
        """Stop ``worker``; its queued jobs go back to the pool's queue; returns the running one."""
        current = worker.job
        for item in reversed(list(worker.inflight)[1:]):
            self._queue.appendleft(item)
        worker.inflight.clear()
        return current

    def _fail(
        self, worker: _Worker, reason: str, finish: Callable[[int, Job, RawResult], None]
    ) -> None:
        """Stop ``worker``; the job it runs (if any) fails with ``reason``."""
        worker.read_output()
        seconds = time.monotonic() - worker.head_started
        current = self._end(worker)
        self._stop(worker)
        if current is not None:
            index, job = current
            finish(index, job, RawResult(job.key, "failed", reason, seconds))

    def _read(self, worker: _Worker, finish: Callable[[int, Job, RawResult], None]) -> None:
        try:
            data = os.read(worker.results_fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._died(worker, finish)
            return
        try:
            for line in worker.buffer.feed(data):
                self._message(worker, decode(line), finish)
        except ProtocolError as err:
            if worker.ready:
                self._fail(worker, f"the worker sent a malformed message ({err})", finish)
            else:
                worker.read_output()
                output = worker.tail.text()
                self._stop(worker)
                self._start_failed(f"a malformed ready message ({err})", output)

    def _message(
        self, worker: _Worker, message: Message, finish: Callable[[int, Job, RawResult], None]
    ) -> None:
        """Handle one message (:class:`ProtocolError` for one out of turn or malformed)."""
        if not worker.ready:
            parse_ready(message)
            worker.ready = True
            worker.own = frozenset([worker.pid, *descendants(worker.pid)])
            self._failed_starts = 0
            self._ever_ready = True
            if not self.environment:
                sandbox = {**self.launcher.applied, **message.get("sandbox", {})}
                self.environment = {**message, "sandbox": sandbox}
            return
        if not worker.inflight:
            raise ProtocolError("a result with no job in flight")
        index, job = worker.inflight[0]
        result = parse_result(message)
        if result.key != job.key:
            raise ProtocolError(f"a result for {result.key!r} while {job.key!r} ran")
        worker.inflight.popleft()
        worker.head_started = time.monotonic()  # the next one starts now
        finish(
            index,
            job,
            RawResult(
                key=job.key,
                outcome=result.outcome,
                reason=result.reason,
                seconds=result.seconds,
                traceback=result.traceback,
                line=result.line,
                output=result.output if result.outcome == "failed" else "",
            ),
        )

    def _died(self, worker: _Worker, finish: Callable[[int, Job, RawResult], None]) -> None:
        worker.read_output()
        output = worker.tail.text()
        out_of_memory = worker.process.out_of_memory()
        seconds = time.monotonic() - worker.head_started
        current = self._end(worker)
        returncode = self._stop(worker)
        if not worker.ready:
            self._start_failed(_exit_description(returncode, through_bwrap=True), output)
            return
        if current is None:
            return
        index, job = current
        if out_of_memory:
            reason = (
                "exceeded the memory limit: the worker's cgroup reached memory.max"
                f" ({self.options.memory_limit_mib} MiB)"
            )
        else:
            reason = _exit_description(returncode, through_bwrap=self.launcher.bwrap is not None)
        finish(index, job, RawResult(job.key, "failed", reason, seconds, output=output))

    def _start_failed(self, why: str, output: str) -> None:
        """A worker died or hung before it was ready.

        Before any worker was ever ready, the validator cannot run here
        (:class:`WorkerStartError`); later, after a few tries, the jobs still queued fail.
        """
        message = f"a validator worker failed to start ({why}):\n{output}"
        if not self._ever_ready:
            raise WorkerStartError(message)
        self._failed_starts += 1
        if self._failed_starts > START_RETRIES:
            self._broken = message

    def _watch(self, finish: Callable[[int, Job, RawResult], None]) -> None:
        """Enforce the start-up limit, the backstop timeout, the memory and process limits."""
        now = time.monotonic()
        options = self.options
        for worker in list(self._workers):
            if not worker.ready:
                if now - worker.started > options.startup_timeout:
                    worker.read_output()
                    output = worker.tail.text()
                    self._stop(worker)
                    self._start_failed(
                        f"it did not start within {options.startup_timeout:g} s", output
                    )
                continue
            if not worker.inflight:
                continue
            elapsed = now - worker.head_started
            if elapsed > options.timeout + BACKSTOP_SECONDS:
                self._fail(worker, f"timed out after {options.timeout:g} s", finish)
                continue
            if now - worker.last_check < POLL_SECONDS:
                continue
            worker.last_check = now
            pids = worker.job_pids()
            used = usage(pids)
            # processes of one job share pages (torch's libraries, forked heaps): the
            # resident sizes overcount, so past the limit the proportional size decides
            if (
                used.resident_mib > options.memory_limit_mib
                and (proportional := proportional_mib(pids)) > options.memory_limit_mib
            ):
                self._fail(
                    worker,
                    f"exceeded the memory limit: {proportional:.0f} MiB"
                    f" > {options.memory_limit_mib} MiB",
                    finish,
                )
            elif used.tasks > options.max_tasks:
                self._fail(
                    worker,
                    f"exceeded the process limit: {used.tasks} tasks > {options.max_tasks}",
                    finish,
                )
