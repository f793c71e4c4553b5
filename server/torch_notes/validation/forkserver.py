"""A validator worker: a pristine, torch-imported template that forks one process per job.

Run by the pool (``python -m torch_notes.validation.forkserver``) inside the
worker's sandbox (see :mod:`torch_notes.validation.containment`), with the protocol
(:mod:`torch_notes.validation.wire`) on two inherited pipes and its own stdout and
stderr on a third. Each job's output goes to a pipe of its own; the template keeps
its tail and sends it with the job's result.

The template imports torch (and numpy) once, torchvision, matplotlib and torch's
compiler stack when a job first names them, and never runs a job's code. Per job
it forks a child that runs the code and then dies, so nothing a job changes
(``torch.equal``, this module, builtins, ``os.environ``) reaches the next job. The
child can neither reach the protocol nor forge its own verdict:

* it closes both protocol pipes before the job starts, and the template is not
  dumpable, so ``/proc/<template>/fd`` is closed to the job (as ``ptrace`` is);
* the template judges from what it observes: the child's exit status, and a
  private report pipe on which the child's code, after the job raised, first writes
  one verdict byte and then the details. Any byte on that pipe makes the job fail;
  only exit status 0 with nothing written passes, which is what a job gets by
  running to its end. So writing ``{"outcome": "passed"}`` anywhere, or patching the
  failure path, can only ever turn a job into a failure. The code that runs after
  the job uses only references taken before it started (a bare ``except``, local
  copies of ``os._exit`` and ``os.write``) and always ends in ``os._exit``.

A job can still lie about itself: it is code, and ``except BaseException: pass``
or ``os._exit(0)`` before a failing line passes. No job can change another's result.

After each job the template kills what the job left running (with ``kill(-1)``
inside its own PID namespace, or its descendants under the fallback sandbox),
enforces the job's timeout, and empties the job's directories (``/tmp`` and
``/dev/shm`` are private to the sandbox).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import faulthandler
import gc
import importlib
import json
import linecache
import os
import platform
import random
import select
import signal
import sys
import tempfile
import time
import traceback
import types
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from torch_notes.validation.containment.limits import Limits, apply_rlimits
from torch_notes.validation.containment.processes import (
    end_namespace,
    in_own_namespace,
    kill_descendants,
)
from torch_notes.validation.wire import Message, decode, send

PRELOADED = ("numpy", "torch_notes.validation.hover_check")
"""Imported by the template after torch, so jobs start with them loaded."""
ON_MENTION = (
    (("torchvision",), "torchvision"),
    (("matplotlib",), "matplotlib.pyplot"),
    (("optim", "torch.compile", "_dynamo"), "torch._dynamo"),  # an optimizer's step imports it
    (("torch.compile",), "torch._inductor.compile_fx"),
)
"""Imported by the template before the first job whose source names one of the words, and
kept: a fresh process per job would otherwise pay these imports (seconds each) every time."""
VERDICT = b"F"
"""The first byte a job's child writes on its report pipe once the job has failed."""
FAILED_EXIT = 1
REPORT_LIMIT = 2**20
OUTPUT_LIMIT = 16 * 1024
OUTPUT_TAIL_CHARS = 4000
TRACEBACK_LIMIT = 64 * 1024
_PR_SET_DUMPABLE = 4
_MADV_COLLAPSE = 25  # Linux >= 6.1
_HUGE_PAGE = 2 * 2**20


def _set_dumpable(dumpable: bool) -> None:
    """Non-dumpable: no other process of the user can ptrace us or open ``/proc/<pid>/fd``."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


def _collapse_into_huge_pages() -> int:
    """Back the template's anonymous memory with huge pages where the kernel can; MiB done.

    ``fork`` copies one page-table entry per 4 KiB page of anonymous memory (torch's
    import leaves about 300 MiB) and the child's exit frees them again: per job that
    cost tens of milliseconds. With 2 MiB pages both touch 512 times fewer entries.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        with open("/proc/self/maps") as maps:
            regions = [line.split() for line in maps]
    except (OSError, AttributeError):
        return 0
    done = 0
    for fields in regions:
        perms, name = fields[1], fields[5] if len(fields) > 5 else ""
        if not perms.startswith("rw") or perms[3] != "p" or name not in ("", "[heap]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start = -(-start // _HUGE_PAGE) * _HUGE_PAGE
        end = end // _HUGE_PAGE * _HUGE_PAGE
        if end > start and libc.madvise(start, end - start, _MADV_COLLAPSE) == 0:
            done += end - start
    return done >> 20


def _settle() -> None:
    """Make the template cheap to fork: its objects permanent for the GC, its memory huge pages."""
    gc.collect()
    gc.freeze()  # the jobs' collections never walk the template's objects
    _collapse_into_huge_pages()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _environment() -> Message:
    """What the jobs run on, for the report and the verified-on record (probe child only)."""
    import torch

    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "cuda": cuda,
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Sink:
    """What a job writes to one pipe: the first ``limit`` bytes, or the last (``tail``)."""

    def __init__(self, fd: int, limit: int, *, tail: bool = False) -> None:
        self.fd = fd
        self.limit = limit
        self.tail = tail
        self.data = bytearray()
        self.open = True
        os.set_blocking(fd, False)

    def drain(self) -> None:
        """Read what the pipe holds now (beyond the limit: read and drop)."""
        while self.open:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.open = False
                return
            if self.tail:
                self.data += chunk
                del self.data[: max(0, len(self.data) - self.limit)]
            elif len(self.data) < self.limit:
                self.data += chunk[: self.limit - len(self.data)]


def _read_until_exit(pid: int, sinks: list[_Sink], deadline: float) -> int | None:
    """Read ``sinks`` until child ``pid`` exits or ``deadline``; its wait status or ``None``."""
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    status: int | None = None
    try:
        while True:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                status = wait_status
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            watched = [sink.fd for sink in sinks if sink.open]
            if pidfd is not None:
                watched.append(pidfd)
            wait = remaining if pidfd is not None else min(remaining, 0.02)
            readable, _, _ = select.select(watched, [], [], wait)
            for sink in sinks:
                if sink.fd in readable:
                    sink.drain()
        for sink in sinks:
            sink.drain()
    finally:
        if pidfd is not None:
            os.close(pidfd)
    return status


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"worker crashed: killed by signal {number} ({name})"
    return f"worker crashed: exited with code {os.waitstatus_to_exitcode(status)}"


def _report_details(report: bytes) -> Message:
    """The reason, traceback and line a failed child wrote after its verdict byte."""
    try:
        details = json.loads(report[len(VERDICT) :])
    except (ValueError, RecursionError):
        details = None
    if (
        not isinstance(details, dict)
        or not isinstance(details.get("reason"), str)
        or not isinstance(details.get("traceback"), str)
        or type(details.get("line")) is not int
    ):
        return {"reason": "the job failed; its failure report is unreadable"}
    return {
        "reason": details["reason"][:TRACEBACK_LIMIT],
        "traceback": details["traceback"][-TRACEBACK_LIMIT:],
        "line": max(0, details["line"]),
    }


def verdict(status: int | None, report: bytes, timeout: float) -> Message:
    """Judge a job from what the template observed.

    ``status`` is the child's wait status (``None``: it ran past ``timeout``) and
    ``report`` what it wrote on its report pipe. Only a clean exit with nothing
    written passes.
    """
    if status is None:
        return {"outcome": "failed", "reason": f"timed out after {timeout:g} s"}
    if report:
        if report.startswith(VERDICT):
            return {"outcome": "failed", **_report_details(report)}
        return {"outcome": "failed", "reason": "the job wrote to the validator's report channel"}
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return {"outcome": "passed", "reason": ""}
    return {"outcome": "failed", "reason": _describe_status(status)}


def _trimmed(tb: types.TracebackType | None, filename: str) -> types.TracebackType | None:
    """Drop the fork server's own frames: start at the first frame of the job's code."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != filename:
        start = start.tb_next
    return start or tb


def failure_details(exc: BaseException, filename: str) -> Message:
    """The reason, traceback text and job line of a failed job."""
    tb = _trimmed(exc.__traceback__, filename)
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    line = 0
    for frame in traceback.extract_tb(tb):
        if frame.filename == filename:
            line = frame.lineno or 0
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno or line
    reason = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return {"reason": reason, "traceback": text[-TRACEBACK_LIMIT:], "line": line}


def _run_child(
    source: str,
    filename: str,
    workdir: str,
    report_fd: int,
    output_fd: int,
    close: tuple[int, ...],
) -> NoReturn:
    """The job's process: run ``source`` with its output on ``output_fd``, then report only
    through ``report_fd`` and exit."""
    exit_, write, exc_info = os._exit, os.write, sys.exc_info
    settrace, setprofile = sys.settrace, sys.setprofile
    try:
        for fd in close:
            os.close(fd)
        os.dup2(output_fd, 1)  # stdout, stderr and faulthandler's dump
        os.dup2(output_fd, 2)
        os.close(output_fd)
        _set_dumpable(True)
        random.seed(0)  # the random module reseeds itself from the OS in a forked child
        os.chdir(workdir)
        module = types.ModuleType("__main__")
        sys.modules["__main__"] = module
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        failure = None
        try:
            exec(compile(source, filename, "exec"), module.__dict__)
        except:  # noqa: E722 - a bare except looks up no name the job could have rebound
            failure = exc_info()[1]
        settrace(None)
        setprofile(None)
        if failure is None:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            exit_(0)
        write(report_fd, VERDICT)  # from here on, whatever happens, the job has failed
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        details = failure_details(failure, filename)
        _write_all(report_fd, json.dumps(details).encode("utf-8", "replace"))
    finally:
        exit_(FAILED_EXIT)


def _clear(directory: Path) -> None:
    """Remove everything inside ``directory`` (not the directory), whatever its modes and depth."""
    stack = [str(directory)]
    emptied: list[str] = []
    while stack:
        current = stack.pop()
        emptied.append(current)
        try:
            entries = list(os.scandir(current))
        except PermissionError:  # a job took the rights away; we own it, so give them back
            try:
                os.chmod(current, 0o700)
                entries = list(os.scandir(current))
            except OSError:
                continue
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if not os.path.ismount(entry.path):  # a read-only bind (torch_notes under /tmp)
                    stack.append(entry.path)
                continue
            try:
                os.unlink(entry.path)
            except PermissionError:
                with contextlib.suppress(OSError):
                    os.chmod(current, 0o700)
                    os.unlink(entry.path)
            except OSError:
                pass
    for path in reversed(emptied[1:]):
        try:
            os.rmdir(path)
        except PermissionError:
            with contextlib.suppress(OSError):
                os.chmod(os.path.dirname(path), 0o700)
                os.rmdir(path)
        except OSError:
            pass


class Template:
    """The fork server's state: where jobs run, how their leftovers are ended, tag statuses."""

    def __init__(self, mode: str, scratch: Path, host_namespace: str, tags: Any) -> None:
        self.mode = mode
        self.tags = tags
        self.pid_namespace = mode == "bwrap" and in_own_namespace(host_namespace)
        self.host_namespace = host_namespace
        if mode == "bwrap":
            self.jobs_root = scratch
            self.private = [scratch, Path("/dev/shm")]
        else:
            self.jobs_root = scratch / "jobs"
            self.private = [scratch / "tmp"]
        self.jobs_root.mkdir(parents=True, exist_ok=True)

    def end_leftovers(self) -> int:
        """Kill every process the job left; returns how many there were."""
        if self.pid_namespace:
            return end_namespace(self.host_namespace)
        return kill_descendants()

    def clean(self, workdir: Path) -> None:
        """Empty the job's directory and the private temporary directories."""
        _clear(workdir)
        with contextlib.suppress(OSError):
            os.rmdir(workdir)
        for directory in self.private:
            _clear(directory)

    def run(self, request: Message, close: tuple[int, ...]) -> Message:
        """Execute one job request in a forked child; never raises."""
        _import_mentioned(request["source"])
        try:
            skip = self.tags.first_unmet(list(request.get("requires", ())))
        except ValueError as err:
            return {"outcome": "failed", "reason": str(err), "seconds": 0.0}
        if skip is not None:
            return {"outcome": "skipped", "reason": skip, "seconds": 0.0}
        timeout = float(request["timeout"])
        workdir = Path(tempfile.mkdtemp(prefix="job-", dir=self.jobs_root))
        report_r, report_w = os.pipe()
        output_r, output_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        start = time.monotonic()
        try:
            pid = os.fork()
        except OSError as err:
            for fd in (report_r, report_w, output_r, output_w):
                os.close(fd)
            self.clean(workdir)
            return {"outcome": "failed", "reason": f"cannot start the job: {err}", "seconds": 0.0}
        if pid == 0:
            _run_child(
                request["source"], request["filename"], str(workdir), report_w, output_w,
                (*close, report_r, output_r),
            )  # fmt: skip
        os.close(report_w)
        os.close(output_w)
        report = _Sink(report_r, REPORT_LIMIT)
        output = _Sink(output_r, OUTPUT_LIMIT, tail=True)
        try:
            status = _read_until_exit(pid, [report, output], start + timeout)
            if status is None:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            seconds = time.monotonic() - start
            stray = self.end_leftovers()
            output.drain()  # what the job's other processes wrote before they were killed
        finally:
            os.close(report_r)
            os.close(output_r)
        self.clean(workdir)
        result = verdict(status, bytes(report.data), timeout)
        result["seconds"] = seconds
        if result["outcome"] == "failed":
            result["output"] = output.data.decode("utf-8", "replace")[-OUTPUT_TAIL_CHARS:]
        if stray:
            note = f"killed {stray} process(es) the job left running"
            result["reason"] = f"{result['reason']}; {note}" if result["reason"] else note
            result["stray"] = stray
        return result


def _preload() -> list[str]:
    """Import torch and the usual companions once; seed every generator."""
    import torch

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    loaded = ["torch"]
    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except Exception:  # not installed, or broken: jobs that need it will say so
            continue
        loaded.append(name)
    torch.manual_seed(0)
    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    return loaded


def _import_mentioned(source: str) -> None:
    """Import into the template the libraries ``source`` names (a job pays no import twice).

    Only the library is imported, by its fixed name; nothing of the job runs here.
    """
    imported = False
    for words, module in ON_MENTION:
        if module not in sys.modules and any(word in source for word in words):
            with contextlib.suppress(Exception):  # the job's own import will say what is wrong
                importlib.import_module(module)
                imported = True
    if imported:
        _settle()


def _probe(timeout: float = 300.0) -> tuple[Message, dict[str, str | None]]:
    """Environment and device tags, found in a child: the template never initialises CUDA."""
    from torch_notes.validation.tags import DEVICE_TAGS, check_devices

    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            payload = {"environment": _environment(), "tags": check_devices()}
            _write_all(write_end, json.dumps(payload).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    sink = _Sink(read_end, REPORT_LIMIT)
    try:
        status = _read_until_exit(pid, [sink], time.monotonic() + timeout)
    finally:
        os.close(read_end)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    try:
        payload = json.loads(sink.data)
        return payload["environment"], payload["tags"]
    except (ValueError, KeyError, TypeError):
        import torch

        why = "could not be checked (the probe process failed)"
        environment = {
            "torch": torch.__version__,
            "torchvision": _version("torchvision"),
            "cuda": False,
            "device": "unknown",
            "platform": platform.platform(),
            "python": platform.python_version(),
        }
        return environment, dict.fromkeys(DEVICE_TAGS, f"needs a device that {why}")


def main(argv: list[str] | None = None) -> int:
    """Serve job requests until the request pipe closes."""
    parser = argparse.ArgumentParser(prog="torch_notes.validation.forkserver")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--results", type=int, required=True)
    parser.add_argument("--mode", choices=("bwrap", "landlock"), required=True)
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--host-pidns", default="")
    parser.add_argument("--tasks", type=int, default=Limits().tasks)
    args = parser.parse_args(argv)

    for fd in (args.requests, args.results):
        os.set_inheritable(fd, False)
    requests: BinaryIO = os.fdopen(args.requests, "rb")
    results: BinaryIO = os.fdopen(args.results, "wb")
    faulthandler.enable(file=sys.stderr, all_threads=False)
    scratch = args.scratch.resolve()
    measures: dict[str, str] = {}
    if args.mode == "landlock":
        from torch_notes.validation.containment.landlock import contain_self

        measures = contain_self(scratch)  # before torch starts threads
        own_user_namespace = measures["network"] == "userns+netns"
    else:
        own_user_namespace = True
    _set_dumpable(False)
    rlimits = apply_rlimits(Limits(tasks=args.tasks), own_user_namespace=own_user_namespace)
    measures["rlimits"] = ", ".join(f"{k} {v}" for k, v in rlimits.items()) or "none"
    if "RLIMIT_NPROC" in rlimits and os.getuid() == 0:
        measures["rlimits"] += " (not applied by the kernel to root)"

    preloaded = _preload()
    environment, statuses = _probe()
    from torch_notes.validation.tags import TagStatus, unmet_reason

    def check_package(tag: str) -> str | None:  # imports the package into the template
        reason = unmet_reason(tag)
        _settle()
        return reason

    template = Template(args.mode, scratch, args.host_pidns, TagStatus(statuses, check_package))
    if args.mode == "bwrap":
        measures["leftovers"] = (
            "kill(-1) in the worker's PID namespace"
            if template.pid_namespace
            else "descendants (no PID namespace of its own)"
        )
    _settle()
    send(
        results,
        {
            "type": "ready",
            "pid": os.getpid(),
            **environment,
            "preloaded": preloaded,
            "sandbox": measures,
        },
    )
    close = (args.requests, args.results)
    for line in requests:
        if not line.strip():
            continue
        request = decode(line)
        try:
            result = template.run(request, close)
        except Exception as err:  # the template's own trouble fails this job, not the worker
            result = {"outcome": "failed", "reason": f"the validator could not run the job: {err}"}
        result["type"] = "result"
        result["key"] = request["key"]
        send(results, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
