"""Finding, measuring and ending processes through Linux ``/proc``.

Used on both sides of the sandbox: the pool measures a worker's job processes
from the host (:func:`descendants`, :func:`usage`); the fork server ends what a
job left behind, with :func:`end_namespace` inside a PID namespace of its own
or :func:`kill_descendants` where there is none.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(child) for child in f.read().split())
    return found


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid``, parents before children (empty without ``/proc``)."""
    result: list[int] = []
    queue = _children(pid)
    while queue:
        child = queue.pop(0)
        result.append(child)
        queue.extend(_children(child))
    return result


def _reap(timeout: float) -> None:
    """Collect exited children of this process until none is left or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if done == 0:
            time.sleep(0.005)


def kill_descendants(pid: int | None = None, timeout: float = 2.0) -> int:
    """SIGKILL every descendant of ``pid`` (default: this process), reap ours; returns how many."""
    pid = os.getpid() if pid is None else pid
    killed = descendants(pid)
    for child in killed:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    if pid == os.getpid():
        _reap(timeout)
    return len(killed)


def pid_namespace() -> str:
    """This process's PID namespace, e.g. ``pid:[4026531836]`` (empty where unknown)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _namespace_others() -> list[int]:
    me = os.getpid()
    return [
        int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) not in (1, me)
    ]


def in_own_namespace(host_namespace: str) -> bool:
    """Whether this process runs in a PID namespace other than ``host_namespace``."""
    own = pid_namespace()
    return bool(own and host_namespace and own != host_namespace)


def end_namespace(host_namespace: str, timeout: float = 2.0) -> int:
    """Kill every process of this PID namespace except its init and this one; returns how many.

    For a process in a PID namespace of its own (the fork server inside bubblewrap):
    ``kill(-1)`` reaches exactly the processes of that namespace, and the kernel takes
    it atomically with respect to ``fork``, so no process of the job escapes by forking
    while it is being killed. Refuses (``RuntimeError``) in the namespace
    ``host_namespace``, where ``kill(-1)`` would reach every process of the user.
    """
    if not in_own_namespace(host_namespace):
        raise RuntimeError("end_namespace outside a PID namespace of its own")
    count = len(_namespace_others())
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while True:
        _reap(0.0)
        left = _namespace_others()
        if not left or time.monotonic() >= deadline:
            return count
        for pid in left:  # a process started by a sibling of ours after the kill
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.005)


@dataclass(frozen=True, slots=True)
class Usage:
    """What a set of processes holds: resident memory and tasks (processes and threads)."""

    resident_mib: float = 0.0
    tasks: int = 0


def usage(pids: Iterable[int]) -> Usage:
    """Resident memory and task count of ``pids`` (from ``/proc/PID/status``; gone ones count 0)."""
    resident_kib = 0
    tasks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith(b"VmRSS:"):
                resident_kib += int(line.split()[1])
            elif line.startswith(b"Threads:"):
                tasks += int(line.split()[1])
    return Usage(resident_kib / 1024, tasks)


def proportional_mib(pids: Iterable[int]) -> float:
    """Proportional set size of ``pids`` in MiB: shared pages counted once in total.

    Costlier than :func:`usage` (the kernel walks each process's mappings), so the
    pool asks only when the resident total is over a limit; where a process's
    ``smaps_rollup`` cannot be read, its resident size counts instead.
    """
    total_kib = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                text = f.read()
        except OSError:
            total_kib += int(usage([pid]).resident_mib * 1024)
            continue
        for line in text.splitlines():
            if line.startswith(b"Pss:"):
                total_kib += int(line.split()[1])
                break
    return total_kib / 1024
