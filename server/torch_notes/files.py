"""Reading files a user, a workspace or an attacker may have put there, without blocking.

Every file torch-notes reads (note files, Python sources for the command line) goes
through :func:`read_regular_file`: it is opened with ``O_NONBLOCK`` (a FIFO swapped in
after a check opens at once instead of waiting for a writer), the *open descriptor* is
checked to be a regular file (no race between a check and the open), its size is
checked against a cap before anything is read, and never more than the size ``fstat``
reported is read: a ``/proc`` file (size 0, e.g. ``/proc/kmsg``, whose read blocks)
reads as empty. Messages name the file and the limit, never the content.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Sequence
from pathlib import Path

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_CHUNK = 1 << 20


class FileRefused(Exception):
    """A file that is not read: not a regular file, too large, unreadable; ``reason`` says."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_regular_file(
    path: Path, *, max_bytes: int, suffixes: Sequence[str] | None = None
) -> bytes:
    """The bytes of the regular file ``path`` (at most ``max_bytes``), never blocking.

    ``suffixes``: the file, and the target of a symlink, must end in one of them (a
    ``notes.yaml`` symlink to ``/etc/shadow`` is refused before it is read). Raises
    :class:`FileRefused`.
    """
    try:
        before = os.stat(path)
    except OSError as err:
        raise FileRefused(f"cannot read file: {err.strerror or err}") from err
    if not stat.S_ISREG(before.st_mode):  # never open a device or a FIFO at all
        raise FileRefused("not a regular file")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        raise FileRefused(f"cannot read file: {err.strerror or err}") from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped between the check and the open
            raise FileRefused("not a regular file")
        if suffixes is not None:
            _check_target(path, info, suffixes)
        if info.st_size > max_bytes:
            raise FileRefused(f"file is {info.st_size} bytes; the limit is {max_bytes} bytes")
        chunks: list[bytes] = []
        left = info.st_size
        while left > 0:
            data = os.read(fd, min(left, _CHUNK))
            if not data:
                break
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)
    except OSError as err:
        raise FileRefused(f"cannot read file: {err.strerror or err}") from err
    finally:
        os.close(fd)


def _check_target(path: Path, info: os.stat_result, suffixes: Sequence[str]) -> None:
    """The opened file is where ``path`` leads now, and that place has a wanted suffix."""
    target = os.path.realpath(path)
    if not (path.suffix in suffixes and Path(target).suffix in suffixes):
        raise FileRefused(f"not a {'/'.join(suffixes)} file (symlinks are resolved)")
    now = os.stat(target)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        raise FileRefused("the file changed while it was opened")


def decode_python_source(raw: bytes) -> str:
    """Python source text from bytes: its PEP 263 coding declaration (or BOM), else UTF-8.

    Line ends are normalised to ``\n`` (as reading in text mode does). Raises
    :class:`FileRefused` for an unknown encoding or bytes that do not decode.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as err:  # an unknown encoding, or no declaration and not UTF-8
        if "unknown encoding" in (err.msg or ""):
            raise FileRefused(f"the coding declaration names an {err.msg}") from err
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as err:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise FileRefused(f"not {name} text ({err.reason} at byte {err.start})") from err
    return text.replace("\r\n", "\n").replace("\r", "\n")
