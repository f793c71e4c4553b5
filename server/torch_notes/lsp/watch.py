"""Noticing changes to the user's note directories: client file watchers or polling."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types

from torch_notes.corpus.paths import NOTE_FILE_SUFFIXES

REGISTRATION_ID = "torchNotes.watchExtraPaths"
CONFIGURATION_REGISTRATION_ID = "torchNotes.configuration"
GLOB = "*.{yaml,yml}"


def watchers(paths: Iterable[Path], *, relative_patterns: bool) -> list[types.FileSystemWatcher]:
    """File watchers for the note files in ``paths`` (directories or single files)."""
    found = []
    for path in paths:
        directory, pattern = (
            (path, GLOB) if path.suffix not in NOTE_FILE_SUFFIXES else (path.parent, path.name)
        )
        if relative_patterns:
            glob: types.GlobPattern = types.RelativePattern(
                base_uri=directory.as_uri(), pattern=pattern
            )
        else:
            glob = f"{directory.as_posix()}/{pattern}"
        found.append(types.FileSystemWatcher(glob_pattern=glob))
    return found


def registration(paths: Iterable[Path], *, relative_patterns: bool) -> types.Registration:
    """The dynamic registration of ``workspace/didChangeWatchedFiles`` for ``paths``."""
    return types.Registration(
        id=REGISTRATION_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=watchers(paths, relative_patterns=relative_patterns)
        ),
    )


def snapshot(paths: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Modification time and size of every note file in ``paths``, for polling."""
    state: dict[str, tuple[int, int]] = {}
    for path in paths:
        try:
            files = sorted(path.iterdir()) if path.is_dir() else [path]
        except OSError:
            continue
        for file in files:
            if file.suffix in NOTE_FILE_SUFFIXES:
                try:
                    stat = file.stat()
                except OSError:
                    continue
                state[str(file)] = (stat.st_mtime_ns, stat.st_size)
    return state
