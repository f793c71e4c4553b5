"""A validator worker: imports torch once, then executes job after job in isolation.

Run as ``python -m torch_notes.validation.worker SCRATCH_DIR`` by the pool, with
stdin/stdout as the protocol pipes (see :mod:`protocol`) and stderr as a log
file. The job's own stdout/stderr (and a faulthandler dump on a crash) go to
that log; the protocol uses private duplicates of the original pipes, and the
job's stdin is ``/dev/null``.

Per job: a fresh ``__main__`` module as namespace, a fresh working directory
below ``SCRATCH_DIR`` (removed afterwards), seeds and global torch state reset.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import gc
import linecache
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
import types
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from torch_notes.validation.protocol import Message, decode, send
from torch_notes.validation.requirements import RequirementChecker
from torch_notes.validation.sandbox import contain, kill_descendants


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the validator dies (no orphaned infinite loops)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _redirect_stdio() -> tuple[BinaryIO, BinaryIO]:
    """Keep private copies of the protocol pipes; point fds 0/1 at /dev/null and the log."""
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the worker
    return proto_in, proto_out


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _environment() -> Message:
    """What this worker runs on, for the report and the verified-on record."""
    import torch

    cuda = torch.cuda.is_available()
    return {
        "type": "ready",
        "pid": os.getpid(),
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "cuda": cuda,
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _reset_state(environ: dict[str, str]) -> None:
    """Undo what a previous job may have changed in cheap-to-reset global state."""
    import torch

    torch.set_default_dtype(torch.float32)
    with contextlib.suppress(Exception):
        torch.set_default_device(None)
    torch.set_grad_enabled(True)
    torch.autograd.set_detect_anomaly(False)
    if torch.are_deterministic_algorithms_enabled():  # the call itself costs ~1 s once
        torch.use_deterministic_algorithms(False)
    torch.set_num_threads(1)
    torch.set_printoptions(profile="default")
    torch.manual_seed(0)
    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)


def _trimmed(tb: types.TracebackType | None, filename: str) -> types.TracebackType | None:
    """Drop the worker's own frames: start at the first frame of the job's code."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != filename:
        start = start.tb_next
    return start or tb


def _failure(exc: BaseException, filename: str) -> Message:
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
    return {"outcome": "failed", "reason": reason, "traceback": text, "line": line}


def run_job(
    request: Message, scratch: Path, checker: RequirementChecker, environ: dict[str, str]
) -> Message:
    """Execute one job request; never raises."""
    key, filename, source = request["key"], request["filename"], request["source"]
    try:
        skip = checker.first_unmet(list(request.get("requires", ())))
    except ValueError as err:
        return {"outcome": "failed", "reason": str(err), "seconds": 0.0}
    if skip is not None:
        return {"outcome": "skipped", "reason": skip, "seconds": 0.0}

    _reset_state(environ)
    workdir = Path(tempfile.mkdtemp(prefix="job-", dir=scratch / "jobs"))
    module = types.ModuleType("__main__")
    main_module = sys.modules["__main__"]
    saved_path = list(sys.path)
    saved_streams = (sys.stdout, sys.stderr)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    result: Message = {"outcome": "passed", "reason": ""}
    start = time.perf_counter()
    try:
        sys.modules["__main__"] = module
        os.chdir(workdir)
        with warnings.catch_warnings():
            exec(compile(source, filename, "exec"), module.__dict__)
    except BaseException as exc:  # the job's failure, whatever it is (SystemExit too)
        result = _failure(exc, filename)
    finally:
        seconds = time.perf_counter() - start
        sys.modules["__main__"] = main_module
        sys.path[:] = saved_path
        sys.stdout, sys.stderr = saved_streams
        os.chdir(scratch)
        module.__dict__.clear()
        del module
        gc.collect()
        gc.freeze()  # what survives (modules the job imported) is not rescanned next time
        linecache.cache.pop(filename, None)
        stray = kill_descendants()  # forked children must not outlive their job
        shutil.rmtree(workdir, ignore_errors=True)
        sys.stdout.flush()
        sys.stderr.flush()
    if stray:
        note = f"killed {stray} process(es) the job left running"
        result["reason"] = f"{result['reason']}; {note}" if result["reason"] else note
        result["stray"] = stray
    result["seconds"] = seconds
    result["key"] = key
    return result


def main(argv: list[str]) -> int:
    """Serve job requests from stdin until it closes."""
    _die_with_parent()
    scratch = Path(argv[1]).resolve()
    (scratch / "jobs").mkdir(parents=True, exist_ok=True)
    os.chdir(scratch)
    proto_in, proto_out = _redirect_stdio()
    faulthandler.enable(file=sys.stderr, all_threads=False)
    os.environ.setdefault("MPLCONFIGDIR", str(scratch / "tmp"))
    sandbox = contain(scratch)  # before torch starts threads: see sandbox.py

    import torch

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    environ = dict(os.environ)
    gc.collect()
    gc.freeze()  # torch's own objects are permanent: per-job collections stay cheap
    checker = RequirementChecker()
    send(proto_out, {**_environment(), "sandbox": sandbox})
    for line in proto_in:
        if not line.strip():
            continue
        request = decode(line)
        # the log holds only the current job's output: the parent reads it on failure
        sys.stdout.flush()
        sys.stderr.flush()
        os.ftruncate(2, 0)
        result: dict[str, Any] = run_job(request, scratch, checker, environ)
        result["type"] = "result"
        result["key"] = request["key"]
        send(proto_out, result)
        if result.get("stray"):
            return 0  # the killed processes may have held torch state: the pool starts afresh
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
