"""Memory and process limits over a worker and every process its jobs start.

Two ways, chosen once per run:

* **cgroup v2**, where the unified hierarchy has the ``memory`` and ``pids``
  controllers and this process may create a group below its own (or below the
  root, as root): one group per worker with ``memory.max``, ``memory.swap.max = 0``,
  ``memory.oom.group = 1`` and ``pids.max``. The kernel enforces them on every
  descendant; the worker is placed in its group before bubblewrap starts.
* **rlimits** otherwise: the fork server sets ``RLIMIT_NPROC`` (counted per user
  namespace, so per worker inside bubblewrap; the kernel never applies it to root)
  and ``RLIMIT_CORE = 0`` before it forks any job. ``RLIMIT_AS`` is not used: a CUDA
  build of torch maps far more address space than it uses.

In both cases the pool also polls the resident memory and the task count of each
job's processes (see :mod:`torch_notes.validation.pool`), which is the only memory
limit in the rlimit case.
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Limits:
    """What one worker may use."""

    memory_mib: int = 4096
    """Resident memory of a job's processes (polled); with cgroup v2, of the whole worker."""
    tasks: int = 1024
    """Processes and threads of a worker."""


def _unified_mount() -> Path | None:
    """Where the cgroup v2 hierarchy is mounted (``/sys/fs/cgroup``, ``.../unified``)."""
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.split(" ", 1)[0] == "cgroup2":
                    return Path(left.split()[4])
    except OSError:
        pass
    return None


def _own_group() -> str | None:
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                if line.startswith("0::"):
                    return line[3:].strip()
    except OSError:
        pass
    return None


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text().split())
    except OSError:
        return set()


def _delegates(group: Path) -> bool:
    """Whether children of ``group`` get the memory and pids controllers (enabled if allowed)."""
    wanted = {"memory", "pids"}
    if wanted <= _words(group / "cgroup.subtree_control"):
        return True
    if not wanted <= _words(group / "cgroup.controllers"):
        return False
    try:  # refused (EBUSY) where the group itself holds processes, except at the root
        (group / "cgroup.subtree_control").write_text("+memory +pids")
    except OSError:
        return False
    return wanted <= _words(group / "cgroup.subtree_control")


def cgroup_parent(mount: Path | None = None, own: str | None = None) -> tuple[Path | None, str]:
    """A cgroup v2 group below which workers' groups can be made, or ``None`` and why not."""
    mount = mount if mount is not None else _unified_mount()
    if mount is None:
        return None, "no cgroup v2 hierarchy is mounted"
    if not {"memory", "pids"} <= _words(mount / "cgroup.controllers"):
        return None, f"the cgroup v2 hierarchy at {mount} has no memory and pids controllers"
    own = own if own is not None else _own_group()
    candidates = [mount / own.lstrip("/")] if own not in (None, "", "/") else []
    candidates.append(mount)
    for group in candidates:
        if os.access(group, os.W_OK) and _delegates(group):
            return group, ""
    return None, f"no writable cgroup v2 group with memory and pids controllers under {mount}"


class Cgroup:
    """One worker's cgroup v2 group."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        path.mkdir()
        try:
            (path / "memory.max").write_text(str(limits.memory_mib * 2**20))
            with contextlib.suppress(OSError):  # absent without swap accounting
                (path / "memory.swap.max").write_text("0")
            (path / "memory.oom.group").write_text("1")
            (path / "pids.max").write_text(str(limits.tasks))
        except OSError:
            self.remove()
            raise

    @property
    def procs(self) -> Path:
        """Write a pid (``0``: the writer) here to move it into the group."""
        return self.path / "cgroup.procs"

    def _event(self, name: str) -> int:
        try:
            for line in (self.path / "memory.events").read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == name:
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def out_of_memory(self) -> bool:
        """Whether the kernel killed in this group for reaching ``memory.max``."""
        return self._event("oom_kill") > 0 or self._event("oom_group_kill") > 0

    def kill(self) -> None:
        """SIGKILL every process in the group (``cgroup.kill``, Linux >= 5.14)."""
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")

    def remove(self, timeout: float = 2.0) -> None:
        """Remove the group once its processes are gone."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() >= deadline:
                    return
                self.kill()
                time.sleep(0.01)


def apply_rlimits(limits: Limits, *, own_user_namespace: bool) -> dict[str, str]:
    """Set the rlimits a fork server's jobs inherit; what was set, for the report.

    ``RLIMIT_NPROC`` only in a user namespace of its own: outside one it would count
    every process of the user on the machine.
    """
    applied: dict[str, str] = {}
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        applied["RLIMIT_CORE"] = "0"
    if own_user_namespace:
        try:
            _soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
            value = limits.tasks if hard == resource.RLIM_INFINITY else min(limits.tasks, hard)
            resource.setrlimit(resource.RLIMIT_NPROC, (value, value))
            applied["RLIMIT_NPROC"] = str(value)
        except (ValueError, OSError):
            pass
    return applied
