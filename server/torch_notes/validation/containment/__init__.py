"""How validator workers are contained, decided once per run and reported.

:class:`Launcher` is the one way a worker is started. It picks, once:

* the **sandbox**: bubblewrap (:mod:`.bwrap`) where it is installed and works here;
  otherwise the fallback, Landlock and a network namespace that the fork server
  applies to itself (:mod:`.landlock`), which it reports loudly (``fallback``);
* the **limits**: a cgroup v2 group per worker where one can be made, rlimits
  otherwise (:mod:`.limits`);

and says what it applied in :attr:`Launcher.applied`, which goes into the report.
``TORCH_NOTES_SANDBOX`` (or ``PoolOptions.sandbox``) may ask for ``bwrap`` (fail
when it cannot be used) or ``landlock`` (the fallback even where bubblewrap works).
"""

from __future__ import annotations

import contextlib
import os
import signal
import site
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from torch_notes.validation.containment import bwrap
from torch_notes.validation.containment.limits import Cgroup, Limits, cgroup_parent
from torch_notes.validation.containment.processes import descendants, pid_namespace

SANDBOX_MODES = ("auto", "bwrap", "landlock")
_PASSED_PREFIXES = ("LC_", "CUDA_", "NVIDIA_", "PYTORCH_", "TORCH_", "CUBLAS_", "NCCL_")
_PASSED = ("PATH", "LANG", "LANGUAGE", "TZ", "LD_LIBRARY_PATH")
_SANDBOX_TMP = "/tmp"


class SandboxError(RuntimeError):
    """The sandbox asked for (``bwrap``) cannot be used here."""


def package_root() -> Path:
    """The directory holding the ``torch_notes`` package."""
    import torch_notes

    return Path(torch_notes.__file__).resolve().parent.parent


def _python() -> str:
    """This interpreter, by a path that works inside the sandbox (its directory resolved)."""
    folder, name = os.path.split(sys.executable)
    return os.path.join(os.path.realpath(folder), name)


def worker_env(tmp: str) -> dict[str, str]:
    """The environment of a fork server: a few variables of ours, not the user's secrets."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key in _PASSED or key.startswith(_PASSED_PREFIXES)
    }
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update(
        PYTHONPATH=str(package_root()),
        HOME=tmp,
        TMPDIR=tmp,
        TEMP=tmp,
        TMP=tmp,
        MPLBACKEND="Agg",
        MPLCONFIGDIR=os.path.join(tmp, ".matplotlib"),
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTORCH_NVML_BASED_CUDA_CHECK="1",  # the template must not initialise CUDA
    )
    if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
        env["PYTHONUSERBASE"] = site.getuserbase()  # HOME changes; packages may live there
    else:
        env["PYTHONNOUSERSITE"] = "1"
    return env


def _remove_stale_groups(parent: Path) -> None:
    """Remove the empty groups of validators that died without cleaning up."""
    for group in parent.glob("torch-notes-*-*"):
        try:
            pid = int(group.name.split("-")[2])
        except ValueError:
            continue
        if not os.path.exists(f"/proc/{pid}"):
            with contextlib.suppress(OSError):
                group.rmdir()


@dataclass(eq=False)
class WorkerProcess:
    """A started worker: its process (``bwrap`` or the fork server itself) and cgroup."""

    proc: subprocess.Popen[bytes]
    cgroup: Cgroup | None

    def kill(self) -> None:
        """SIGKILL the worker and everything below it."""
        if self.cgroup is not None:
            self.cgroup.kill()
        for pid in descendants(self.proc.pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def out_of_memory(self) -> bool:
        """Whether the kernel killed in the worker's cgroup for reaching its memory limit."""
        return self.cgroup is not None and self.cgroup.out_of_memory()

    def release(self) -> None:
        """Remove the worker's cgroup (after its processes are gone)."""
        if self.cgroup is not None:
            self.cgroup.remove()


class Launcher:
    """Starts contained workers; the sandbox and limits are decided when it is made."""

    def __init__(self, limits: Limits, *, tmpfs_mib: int, mode: str = "auto") -> None:
        if mode not in SANDBOX_MODES:
            raise SandboxError(f"unknown sandbox {mode!r}: use one of {', '.join(SANDBOX_MODES)}")
        self.limits = limits
        self.tmpfs_mib = tmpfs_mib
        self._count = 0
        self._host_namespace = pid_namespace()
        self._cgroup_parent, self._cgroup_reason = cgroup_parent()
        if self._cgroup_parent is not None:
            _remove_stale_groups(self._cgroup_parent)
        self.bwrap: str | None = None
        self.fallback = ""
        """Why the fallback sandbox is used (empty with bubblewrap)."""
        tool = bwrap.find_bwrap() if mode != "landlock" else None
        if mode == "landlock":
            self.fallback = "asked for (--sandbox landlock or TORCH_NOTES_SANDBOX=landlock)"
        elif tool is None:
            self.fallback = "bubblewrap (bwrap) is not installed"
        else:
            self._check_bwrap(tool)
        if mode == "bwrap" and self.bwrap is None:
            raise SandboxError(f"bubblewrap cannot be used here: {self.fallback}")
        self.applied = self._describe()
        """What is enforced, for the report (``sandbox`` in the JSON report)."""

    def _check_bwrap(self, tool: str) -> None:
        env = worker_env(_SANDBOX_TMP)
        probe = [_python(), "-c", "import torch_notes"]
        argv = bwrap.command(tool, probe, read_only=self._read_only(), tmpfs_mib=1)
        if self._cgroup_parent is not None:
            cgroup = self._new_cgroup()
            if cgroup is not None:
                why = bwrap.probe(self._enter(cgroup, argv), env)
                cgroup.remove()
                if not why:
                    self.bwrap, self._version = tool, bwrap.version(tool)
                    return
                self._cgroup_reason = f"a worker could not enter its cgroup: {why}"
            self._cgroup_parent = None
        why = bwrap.probe(argv, env)
        if why:
            self.fallback = f"bubblewrap refused to start a sandbox here: {why}"
        else:
            self.bwrap, self._version = tool, bwrap.version(tool)

    @staticmethod
    def _read_only() -> list[str]:
        return bwrap.python_roots(package_root())

    def _new_cgroup(self) -> Cgroup | None:
        assert self._cgroup_parent is not None
        self._count += 1
        path = self._cgroup_parent / f"torch-notes-{os.getpid()}-{self._count}"
        try:
            return Cgroup(path, self.limits)
        except OSError as err:
            self._cgroup_reason = f"cannot make a cgroup at {path}: {err.strerror or err}"
            self._cgroup_parent = None
            return None

    @staticmethod
    def _enter(cgroup: Cgroup, argv: Sequence[str]) -> list[str]:
        """``argv`` run from a shell that first moves itself into ``cgroup``."""
        script = 'echo 0 > "$1" && shift && exec "$@"'
        return ["/bin/sh", "-c", script, "sh", str(cgroup.procs), *argv]

    def _describe(self) -> dict[str, str]:
        limits = self.limits
        if self._cgroup_parent is not None:
            limit_text = (
                f"cgroup v2 per worker under {self._cgroup_parent}: memory.max"
                f" {limits.memory_mib} MiB, pids.max {limits.tasks}; also polled per job"
            )
        else:
            limit_text = (
                f"rlimits (listed under rlimits) and polled: memory {limits.memory_mib} MiB"
                f" (proportional set size), {limits.tasks} tasks per job;"
                f" no cgroup: {self._cgroup_reason}"
            )
        if self.bwrap is not None:
            return {
                "tool": self._version,
                "namespaces": "user, pid, network, ipc, uts, mount, cgroup",
                "filesystem": (
                    "read-only system and Python directories only; private /tmp and /dev/shm"
                    f" (tmpfs, {self.tmpfs_mib} MiB each)"
                ),
                "network": "own loopback only",
                "processes": "own PID namespace, no capabilities, dies with the validator",
                "limits": limit_text,
                "fallback": "",
            }
        return {
            "tool": "landlock (fallback)",
            "limits": limit_text,
            "fallback": (
                f"{self.fallback}: jobs run with Landlock and a network namespace only; they can"
                " change metadata of files outside the scratch directory, reach UNIX sockets by"
                " path, and write to the host's /dev/shm"
            ),
        }

    def start(
        self,
        scratch: Path,
        *,
        requests_fd: int,
        results_fd: int,
        log_fd: int,
    ) -> WorkerProcess:
        """Start one worker's fork server, talking over the given pipe ends."""
        fds = ["--requests", str(requests_fd), "--results", str(results_fd)]
        if self.bwrap is not None:
            tmp = _SANDBOX_TMP
            program = [
                _python(), "-m", "torch_notes.validation.forkserver", *fds,
                "--mode", "bwrap", "--scratch", tmp, "--host-pidns", self._host_namespace,
                "--tasks", str(self.limits.tasks),
            ]  # fmt: skip
            argv = bwrap.command(
                self.bwrap, program, read_only=self._read_only(), tmpfs_mib=self.tmpfs_mib
            )
        else:
            tmp = str(scratch / "tmp")
            os.makedirs(tmp, exist_ok=True)
            argv = [
                _python(), "-m", "torch_notes.validation.forkserver", *fds,
                "--mode", "landlock", "--scratch", str(scratch),
                "--tasks", str(self.limits.tasks),
            ]  # fmt: skip
        cgroup = self._new_cgroup() if self._cgroup_parent is not None else None
        if cgroup is not None:
            argv = self._enter(cgroup, argv)
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            pass_fds=(requests_fd, results_fd),
            cwd=scratch,
            env=worker_env(tmp),
            start_new_session=True,
        )
        return WorkerProcess(proc, cgroup)
