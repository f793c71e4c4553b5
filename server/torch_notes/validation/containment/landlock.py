"""The fallback sandbox, where bubblewrap is missing or refused: Landlock and a network namespace.

Applied by the fork server to itself before it imports torch (a new user namespace
needs a single-threaded process), so every job it forks inherits it:

* **Network:** a new network namespace with only its own loopback
  (``unshare(CLONE_NEWNET)``; as an unprivileged user inside a new user namespace
  that maps only the user's own ids). Where namespaces are not allowed, Landlock
  (ABI >= 4) denies TCP ``connect``/``bind`` instead.
* **Writes:** Landlock (Linux >= 5.13) allows creating, writing, truncating,
  renaming and removing files only below the worker's scratch directory, ``/dev/shm``
  and ``/dev/null``. It does not cover metadata: ``chmod``, ``chown`` and ``utime``
  of files elsewhere still work. Reading is not restricted.
* **Signals and abstract sockets:** Landlock ABI >= 6 scopes both to the worker: a
  job cannot signal the validator or a sibling worker, nor reach an abstract UNIX
  socket outside. UNIX sockets named by a path stay reachable.
* **Processes:** the fork server is a child subreaper, so a process a job forks
  stays its descendant even after a double fork and ``setsid``.

Each measure degrades gracefully: where the kernel lacks it, the worker runs
without it and says so in its ``ready`` message. None of this is as strong as
bubblewrap (:mod:`.bwrap`); the validator reports loudly when it falls back here.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
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
_SCOPES = (1 << 0) | (1 << 1)  # ABI 6: ABSTRACT_UNIX_SOCKET, SIGNAL


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


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


def restrict_writes(writable: list[Path], *, deny_tcp: bool) -> tuple[bool, bool, bool]:
    """Allow file-system changes only below ``writable``; optionally deny TCP; scope signals.

    Returns (writes restricted, TCP denied, signals and abstract sockets scoped).
    """
    abi = landlock_abi()
    if abi < 1:
        return False, False, False
    fs = _FS_WRITE_V1 | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    net = _NET_TCP if deny_tcp and abi >= 4 else 0
    scoped = _SCOPES if abi >= 6 else 0
    attr = _RulesetAttr(fs, net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    ruleset = libc.syscall(
        _SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0
    )
    if ruleset < 0:
        return False, False, False
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
            return False, False, False
        if libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, int(ruleset), 0) != 0:
            return False, False, False
    finally:
        os.close(int(ruleset))
    return True, bool(net), bool(scoped)


def become_subreaper() -> bool:
    """Adopt orphaned descendants (a job's double-forked, ``setsid`` children)."""
    if not sys.platform.startswith("linux"):
        return False
    return _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def contain_self(scratch: Path) -> dict[str, str]:
    """Apply every measure available to this process; what was applied, for the report."""
    network = isolate_network()
    subreaper = become_subreaper()
    writable = [scratch, Path("/dev/shm"), Path(os.devnull)]
    writes, tcp, scoped = restrict_writes(writable, deny_tcp=not network)
    return {
        "network": network or ("landlock (TCP)" if tcp else "open"),
        "writes": "landlock (scratch directory only; not metadata)" if writes else "unrestricted",
        "signals": "landlock (this worker only)" if scoped else "unrestricted",
        "processes": "subreaper" if subreaper else "process group",
    }
