"""Containment for validator workers on Linux: no network, writes only below the scratch dir.

Applied by each worker at start-up, before it imports torch (a new user namespace
needs a single-threaded process), so everything the worker and its jobs start
inherits it:

* **Network:** a new network namespace with only its own loopback
  (``unshare(CLONE_NEWNET)``; as an unprivileged user inside a new user namespace
  that maps only the user's own ids). Nothing outside is reachable, not even the
  host's loopback; a job may still serve itself on 127.0.0.1 (gloo, DDP). Where namespaces are
  not allowed, Landlock (ABI >= 4) denies TCP ``connect``/``bind`` instead.
* **Writes:** Landlock (Linux >= 5.13) allows creating, writing, truncating,
  renaming and removing files only below the worker's scratch directory (the job
  directories and ``TMPDIR``), ``/dev/shm`` (DataLoader workers share tensors
  there) and ``/dev/null``. Reading is not restricted.
* **Processes:** the worker is a child subreaper, so a process a job forks stays
  its descendant even after a double fork and ``setsid``; :func:`kill_descendants`
  ends them after each job.

Each measure degrades gracefully: where the kernel or the platform lacks it, the
worker runs without it and says so in its ``ready`` message (``sandbox`` field).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from pathlib import Path

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_CHILD_SUBREAPER = 36
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

# LANDLOCK_ACCESS_FS_*: the rights that change the file system
_WRITE_FILE = 1 << 1
_FS_WRITE_V1 = (
    _WRITE_FILE
    | (1 << 4)  # REMOVE_DIR
    | (1 << 5)  # REMOVE_FILE
    | (1 << 6)  # MAKE_CHAR
    | (1 << 7)  # MAKE_DIR
    | (1 << 8)  # MAKE_REG
    | (1 << 9)  # MAKE_SOCK
    | (1 << 10)  # MAKE_FIFO
    | (1 << 11)  # MAKE_BLOCK
    | (1 << 12)  # MAKE_SYM
)
_REFER = 1 << 13  # ABI 2: rename/link across directories
_TRUNCATE = 1 << 14  # ABI 3
_NET_TCP = (1 << 0) | (1 << 1)  # ABI 4: BIND_TCP, CONNECT_TCP


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
    )


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _error() -> str:
    return os.strerror(ctypes.get_errno())


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(
        _SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), _LANDLOCK_CREATE_RULESET_VERSION
    )
    return max(0, int(version))


def _write_map(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _loopback_up() -> None:
    """Bring up ``lo`` in the new namespace: jobs may talk to themselves (gloo, DDP)."""
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, siocgifflags, request))[1]
        fcntl.ioctl(sock, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def isolate_network() -> str:
    """Enter a new network namespace; returns how (``netns``, ``userns+netns``) or ``""``.

    The namespace has only its own loopback: a job can serve itself on 127.0.0.1
    (``torch.distributed`` with gloo) but reaches nothing outside, not even the host's
    loopback.
    """
    if not sys.platform.startswith("linux"):
        return ""
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) == 0:
        _loopback_up()
        return "netns"
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return ""
    try:  # keep our own ids, so files in the scratch directory stay ours
        _write_map("/proc/self/setgroups", "deny")
        _write_map("/proc/self/uid_map", f"{uid} {uid} 1")
        _write_map("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        pass
    _loopback_up()
    return "userns+netns"


def restrict_writes(writable: list[Path], *, deny_tcp: bool) -> tuple[bool, bool]:
    """Allow file-system changes only below ``writable``; optionally deny TCP.

    Returns (writes restricted, TCP denied).
    """
    abi = landlock_abi()
    if abi < 1:
        return False, False
    fs = _FS_WRITE_V1 | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    net = _NET_TCP if deny_tcp and abi >= 4 else 0
    attr = _RulesetAttr(fs, net)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 4 else 8
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    ruleset = libc.syscall(
        _SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0
    )
    if ruleset < 0:
        return False, False
    try:
        for path in writable:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                access = fs if path.is_dir() else (_WRITE_FILE | (_TRUNCATE if abi >= 3 else 0))
                rule = _PathBeneath(access, fd)
                libc.syscall(
                    _SYS_LANDLOCK_ADD_RULE, int(ruleset), _LANDLOCK_RULE_PATH_BENEATH,
                    ctypes.byref(rule), 0,
                )  # fmt: skip
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False, False
        if libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, int(ruleset), 0) != 0:
            return False, False
    finally:
        os.close(int(ruleset))
    return True, bool(net)


def become_subreaper() -> bool:
    """Adopt orphaned descendants (a job's double-forked, ``setsid`` children)."""
    if not sys.platform.startswith("linux"):
        return False
    return _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def contain(scratch: Path) -> dict[str, str]:
    """Apply every measure available; a summary for the worker's ``ready`` message."""
    network = isolate_network()
    subreaper = become_subreaper()
    writable = [scratch, Path("/dev/shm"), Path(os.devnull)]
    writes, tcp = restrict_writes(writable, deny_tcp=not network)
    return {
        "network": network or ("landlock (TCP)" if tcp else "open"),
        "writes": "landlock (scratch directory only)" if writes else "unrestricted",
        "processes": "subreaper" if subreaper else "process group",
    }


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(child) for child in f.read().split())
    return found


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    result: list[int] = []
    queue = _children(pid)
    while queue:
        child = queue.pop()
        result.append(child)
        queue.extend(_children(child))
    return result


def kill_descendants(pid: int | None = None, timeout: float = 2.0) -> int:
    """SIGKILL every descendant of ``pid`` (default: this process) and reap ours."""
    pid = os.getpid() if pid is None else pid
    killed = descendants(pid)
    for child in killed:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    if pid == os.getpid():
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if done == 0:
                time.sleep(0.01)
    return len(killed)
