"""Run a command as the unprivileged user ``nobody`` from a root test run (no tests here).

The Python installation or the checkout may sit below a directory that ``nobody``
cannot enter (``/root`` is mode 700 on Debian). The command then runs in a private
mount namespace where each such directory is covered by an empty tmpfs holding
only the paths the command needs, bound back in: the host is not changed.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

USER = "nobody"


def _blocked_ancestor(path: Path) -> Path | None:
    """The highest ancestor of ``path`` that others may not enter, if any."""
    for parent in reversed(path.parents):
        if parent == Path("/"):
            continue
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


def why_not() -> str:
    """Why a command cannot be run as ``nobody`` here (empty when it can)."""
    if os.geteuid() != 0:
        return "not root: this run is already unprivileged"
    if not sys.platform.startswith("linux"):
        return "not Linux"
    for tool in ("unshare", "setpriv", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"there is no user {USER!r}"
    return ""


def run_as_nobody(
    argv: Sequence[str], *, needs: Sequence[Path], env: dict[str, str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` as ``nobody`` with ``needs`` (paths it reads) reachable; output captured."""
    user = pwd.getpwnam(USER)
    stash = Path(tempfile.mkdtemp(prefix="torch-notes-unprivileged-"))
    os.chmod(stash, 0o755)
    lines = ["set -e"]
    hidden: dict[Path, list[Path]] = {}
    for path in sorted({Path(os.path.realpath(p)) for p in needs}):
        blocked = _blocked_ancestor(path)
        if blocked is not None:
            hidden.setdefault(blocked, []).append(path)
    count = 0
    for blocked, paths in hidden.items():
        for path in paths:
            count += 1
            lines.append(f"mkdir -p {stash}/{count} && mount --bind {shlex.quote(str(path))} "
                         f"{stash}/{count}")  # fmt: skip
        lines.append(f"mount -t tmpfs -o mode=755 tmpfs {shlex.quote(str(blocked))}")
        for index, path in enumerate(paths, start=count - len(paths) + 1):
            quoted = shlex.quote(str(path))
            lines.append(f"mkdir -p {quoted} && mount --move {stash}/{index} {quoted}")
    lines.append(f"cd {shlex.quote(str(cwd))}")
    lines.append(
        f"exec setpriv --reuid={user.pw_uid} --regid={user.pw_gid} --clear-groups"
        f" --inh-caps=-all -- {shlex.join(argv)}"
    )
    try:
        return subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines)],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        shutil.rmtree(stash, ignore_errors=True)
