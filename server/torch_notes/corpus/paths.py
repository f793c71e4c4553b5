"""Where the built-in corpus lives, and the user's note paths: expanding, comparing, containing.

The comparisons are pure functions over ``PurePath`` objects with the case rule passed in, so
the Windows and macOS behaviour (case-insensitive file names, drive letters, UNC shares) is
tested on any machine with ``PureWindowsPath``/``PurePosixPath``.
"""

from __future__ import annotations

import ntpath
import os
import posixpath
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

CASE_INSENSITIVE = sys.platform in ("win32", "darwin")
"""Whether this machine's file names ignore case (NTFS, and APFS/HFS+ as macOS formats them)."""

_PACKAGE_DIR = Path(__file__).resolve().parent.parent

NOTE_FILE_SUFFIXES = (".yaml", ".yml")
"""Names of note files."""
MISSING_PATH = "no such file or directory"
"""The error of a note path that does not exist (a notes folder not created yet)."""


def builtin_corpus_dir() -> Path:
    """The directory holding the built-in note files.

    In a wheel the corpus is shipped as ``torch_notes/_corpus``; in a source
    checkout (editable install, tests) it is the top-level ``snippets/``.
    """
    shipped = _PACKAGE_DIR / "_corpus"
    if shipped.is_dir():
        return shipped
    return _PACKAGE_DIR.parent.parent / "snippets"


def verified_record_path(corpus_dir: Path | None = None) -> Path:
    """The committed record of the last full validation, beside the corpus."""
    return (corpus_dir or builtin_corpus_dir()) / "verified.json"


def path_key(path: PurePath, *, case_insensitive: bool = CASE_INSENSITIVE) -> tuple[str, ...]:
    """The form in which two paths are compared: normalised parts (``a/./b/../c`` is ``a/c``;
    a drive letter's and a UNC share's case never matters), case-folded where file names ignore
    case."""
    flavour = ntpath if isinstance(path, PureWindowsPath) else posixpath
    normal = type(path)(flavour.normpath(str(path)))
    parts = list(normal.parts)
    if parts and normal.anchor and isinstance(normal, PureWindowsPath):
        parts[0] = parts[0].casefold()
    return tuple(p.casefold() if case_insensitive else p for p in parts)


def is_within_pure(
    path: PurePath, roots: Iterable[PurePath], *, case_insensitive: bool = CASE_INSENSITIVE
) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one, comparing names as the file
    system does (no symlinks resolved: see :func:`is_within`)."""
    key = path_key(path, case_insensitive=case_insensitive)
    for root in roots:
        root_key = path_key(root, case_insensitive=case_insensitive)
        if key[: len(root_key)] == root_key:
            return True
    return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.10, 3.11)
        return Path(os.path.abspath(path))


def is_within(
    path: Path, roots: Sequence[Path], *, case_insensitive: bool = CASE_INSENSITIVE
) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one (symlinks resolved; names compared
    case-insensitively on Windows and macOS).

    This is the one rule for "a note file of the user's": an error whose file is within
    the user's note paths is theirs to fix.
    """
    return is_within_pure(
        _resolved(path), [_resolved(root) for root in roots], case_insensitive=case_insensitive
    )


def unique_paths(
    paths: Iterable[PurePath], *, case_insensitive: bool = CASE_INSENSITIVE
) -> tuple[PurePath, ...]:
    """``paths`` without repeats (``~/Notes`` and ``/Users/ada/notes`` on macOS are one
    directory: loading it twice would report every note as a clashing id)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for path in paths:
        key = path_key(path, case_insensitive=case_insensitive)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return tuple(out)


_ENV_BRACES = re.compile(r"\$\{env:([^}]+)\}")
_ENV_PERCENT = re.compile(r"%([^%\\/]+)%")


def _env(env: Mapping[str, str], name: str, *, windows: bool) -> str | None:
    if not windows:
        return env.get(name)
    return next((v for k, v in env.items() if k.upper() == name.upper()), None)


def expand_user_path(
    raw: str,
    *,
    root: PurePath | None,
    home: str,
    env: Mapping[str, str],
    windows: bool = sys.platform == "win32",
) -> PurePath:
    """A note path as the user wrote it in ``torchNotes.extraPaths``: ``~`` (``~\\`` on Windows),
    ``${userHome}``, ``${workspaceFolder}``, ``${env:NAME}`` and on Windows ``%NAME%``
    (``%USERPROFILE%\\notes``) expanded; a relative path is taken against the workspace root.
    An unknown variable stays as written (the loader then reports the path as missing)."""
    flavour: type[PurePath] = PureWindowsPath if windows else PurePosixPath
    text = raw.strip()
    home_prefix = re.match(r"~(?=$|[\\/])" if windows else r"~(?=$|/)", text)
    if home_prefix:
        text = home + text[1:]
    text = text.replace("${userHome}", home)
    if root is not None:
        text = text.replace("${workspaceFolder}", str(root))
    text = _ENV_BRACES.sub(lambda m: _env(env, m[1], windows=windows) or m[0], text)
    if windows:
        text = _ENV_PERCENT.sub(lambda m: _env(env, m[1], windows=True) or m[0], text)
    path = flavour(text)
    if not path.is_absolute() and root is not None and not (windows and path.drive):
        path = flavour(root) / path
    return path


def note_path_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a user's note path (a directory or a ``.yaml``/``.yml`` file).

    Only the name and the file type are looked at: nothing is opened. A path that does
    not exist (yet) is no problem here; loading reports it.
    """
    try:
        if path.is_dir() or path.suffix in NOTE_FILE_SUFFIXES or not path.exists():
            return None
    except OSError:  # e.g. a name too long: loading reports it
        return None
    return "not a directory or a .yaml/.yml note file; skipped (its content is not read)"
