"""The sandbox of each validator worker: bubblewrap (``bwrap``, Debian package ``bubblewrap``).

Each worker (a fork server and every job it forks) runs in new user, PID, network,
IPC, UTS, mount and (where possible) cgroup namespaces:

* **File system:** an empty root with, read-only, the system directories (``/usr``
  and its ``/bin``, ``/lib`` links, ``/etc`` without its secrets, ``/sys``), the Python
  installation, its site-packages and torch_notes itself. Nothing else of the host
  is there: no home directories, ``/run``, ``/var``, ``/tmp`` or working tree, so no
  host UNIX socket can be named. ``/tmp`` and ``/dev/shm`` are private, size-capped
  tmpfs, the only writable places; ``/proc`` shows the sandbox's processes only.
  Read-only mounts refuse metadata changes too (``chmod``, ``chown``, ``utime``).
* **Network:** only the namespace's own loopback, which bubblewrap brings up
  (gloo/DDP on 127.0.0.1 works); the host's loopback and abstract sockets are out of
  reach.
* **Processes:** the fork server cannot see or signal anything outside its PID
  namespace (the validator, sibling workers); ``--die-with-parent`` ends the sandbox
  with the validator; ``--new-session`` detaches it from the terminal; no capabilities,
  ``no_new_privs``, and no further user namespaces inside.

GPUs: ``/dev/nvidia*`` device nodes are bound in when present.
"""

from __future__ import annotations

import glob
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

SYSTEM_TREES = ("/usr",)
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers")
ETC_SECRET_DIRS = ("/etc/ssh", "/etc/sudoers.d", "/etc/ssl/private")
HOSTNAME = "localhost"
"""Resolves through /etc/hosts, so gloo finds its own address without warnings."""


def find_bwrap() -> str | None:
    """The ``bwrap`` executable on ``PATH`` (or in ``/usr/bin``), if installed."""
    return shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/bin")


def version(bwrap: str) -> str:
    """``bubblewrap 0.8.0`` (or just ``bubblewrap`` when it will not say)."""
    try:
        done = subprocess.run(
            [bwrap, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "bubblewrap"
    return done.stdout.strip() or "bubblewrap"


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(path)


def python_roots(package_root: Path) -> list[str]:
    """Host directories the fork server needs: the Python installation, packages, libraries."""
    roots = {
        sys.prefix,
        sys.exec_prefix,
        sys.base_prefix,
        sys.base_exec_prefix,
        *site.getsitepackages(),
        str(package_root),
    }
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and os.path.isdir(user_site):
        roots.add(user_site)
    # libraries torch may need from elsewhere (a CUDA toolkit outside /usr)
    roots.update(os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep))
    return sorted({_real(root) for root in roots if root and os.path.isdir(root)})


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _system_mounts() -> tuple[list[str], list[str]]:
    """The mount arguments of the system trees and ``/etc`` without secrets; what they bind."""
    args: list[str] = []
    bound: list[str] = []
    for tree in SYSTEM_TREES:
        if os.path.isdir(tree):
            args += ["--ro-bind", tree, tree]
            bound.append(tree)
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
            bound.append(link)
    if os.path.isdir("/etc"):
        args += ["--ro-bind", "/etc", "/etc"]
        for secret in ETC_SECRETS:
            if os.path.isfile(secret) and not os.path.islink(secret):
                args += ["--ro-bind", "/dev/null", secret]
        for secret in ETC_SECRET_DIRS:
            if os.path.isdir(secret) and not os.path.islink(secret):
                args += ["--tmpfs", secret, "--remount-ro", secret]
        bound.append("/etc")
    args += ["--ro-bind-try", "/sys", "/sys"]
    return args, bound


def _extra_mounts(read_only: Sequence[str], bound: Sequence[str]) -> list[str]:
    """Read-only binds of ``read_only`` not already under a bound tree.

    They come after the private ``/tmp`` is mounted, so a Python installation or a
    torch_notes that lives below ``/tmp`` (an editor's extension in a temporary profile)
    is bound on top of it rather than hidden by it.
    """
    args: list[str] = []
    done = list(bound)
    for path in sorted(set(read_only), key=len):
        if not _under(path, done):
            args += ["--ro-bind", path, path]
            done.append(path)
    return args


def _devices() -> list[str]:
    args: list[str] = []
    for node in sorted(glob.glob("/dev/nvidia*")):
        args += ["--dev-bind-try", node, node]
    return args


def command(
    bwrap: str,
    program: Sequence[str],
    *,
    read_only: Sequence[str],
    tmpfs_mib: int,
) -> list[str]:
    """The ``bwrap`` command line that runs ``program`` in a worker's sandbox."""
    size = str(tmpfs_mib * 2**20)
    system, bound = _system_mounts()
    return [
        bwrap,
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--hostname",
        HOSTNAME,
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        *system,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        *_devices(),
        "--size",
        size,
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--tmpfs",
        "/dev/shm",
        *_extra_mounts(read_only, bound),
        "--chdir",
        "/tmp",
        "--",
        *program,
    ]


def probe(argv: Sequence[str], env: dict[str, str]) -> str:
    """Run a sandbox once (``argv`` ends with a quick command); ``""`` if it worked, else why."""
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        return f"{type(err).__name__}: {err}"
    if done.returncode == 0:
        return ""
    message = (done.stderr.strip() or done.stdout.strip()).splitlines()
    return message[-1] if message else f"exit status {done.returncode}"
