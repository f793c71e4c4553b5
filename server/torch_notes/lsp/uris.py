"""File URIs as clients write them, read as paths of the machine the server runs on.

VS Code writes ``file:///c%3A/Users/Ada/train.py`` (drive letter lower-cased, colon
percent-encoded), other clients ``file:///C:/Users/Ada/train.py`` or even
``file://C:/Users/Ada/train.py``; a network share is ``file://server/share/train.py``; names
with spaces or Chinese characters are percent-encoded UTF-8. Pure: ``windows`` says which
machine to read them for, so every case is tested on any.

Documents are never looked up by path: ``TorchNotesServer.document`` is the only accessor, by
URI. Paths are for what the server reads from disk (the workspace root that relative
``torchNotes.extraPaths`` are taken against).
"""

from __future__ import annotations

import re
import sys
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import unquote, urlsplit

IS_WINDOWS = sys.platform == "win32"
_DRIVE_PATH = re.compile(r"^/[A-Za-z]:(?:/|$)")
_DRIVE_NETLOC = re.compile(r"^[A-Za-z]:$")


def uri_to_path(uri: str, *, windows: bool = IS_WINDOWS) -> PurePath | None:
    """The file system path of a ``file:`` URI (``None`` for another scheme, or for a remote
    host where the server is not on Windows)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    if parts.scheme.lower() != "file":
        return None
    try:
        host = unquote(parts.netloc, errors="strict")
        path = unquote(parts.path, errors="strict") if parts.path else "/"
    except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8
        return None
    if host.lower() == "localhost":
        host = ""
    if windows:
        if _DRIVE_NETLOC.match(host):  # file://C:/Users/...: a drive written where the host goes
            return PureWindowsPath(f"{host}{path}")
        if host:  # a UNC share: \\server\share\...
            return PureWindowsPath(f"//{host}{path}")
        if _DRIVE_PATH.match(path):  # /c:/Users/... (and /c: alone, the drive's root)
            return PureWindowsPath(path[1:] if len(path) > 3 else f"{path[1:]}/")
        return PureWindowsPath(path)
    if host:
        return None
    return PurePosixPath(path)
