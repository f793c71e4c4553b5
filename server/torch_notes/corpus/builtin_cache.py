"""The built-in notes, parsed once per install and kept in the user's cache.

Parsing the built-in corpus (YAML composition, located checks, syntax checks of every
example) takes ~200 ms for 260 notes; unpickling the result takes a few. The cache key
is everything the result depends on: the package version, the Python version, and the
directory, and the name, size and modification time of every built-in note file, so an
edited corpus (a source checkout) or a moved install is parsed again. The cache is a
convenience: any problem reading or writing it falls back to parsing, silently.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path

from torch_notes import __version__
from torch_notes.corpus.model import CorpusError, Note
from torch_notes.files import read_regular_file

logger = logging.getLogger(__name__)

FORMAT = 2
"""Bumped when the model's pickled form changes."""

MAX_CACHE_BYTES = 64 * 2**20
"""A cached corpus larger than this is ignored (the built-in one is well under 1 MiB)."""


def cache_root() -> Path:
    """The per-user cache directory (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "torch-notes" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "torch-notes"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "torch-notes"


def cache_key(directory: Path, files: list[Path]) -> str:
    """A digest of what parsing ``files`` (in ``directory``) depends on; the notes keep
    their files' paths, so the directory is part of it."""
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version_info[:2]}".encode())
    digest.update(str(directory.resolve()).encode("utf-8", "surrogatepass"))
    for path in files:
        stat = path.stat()
        digest.update(f"|{path.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


Parsed = tuple[list[Note], list[CorpusError]]


def read(key: str, root: Path | None = None) -> Parsed | None:
    """The cached parse for ``key``, or ``None``."""
    path = (root or cache_root()) / f"corpus-{key}.pickle"
    try:  # a regular file, never blocking (a FIFO put there would hang start-up)
        notes, errors = pickle.loads(read_regular_file(path, max_bytes=MAX_CACHE_BYTES))
    except Exception:  # missing, truncated, from another version: parse instead
        return None
    if not isinstance(notes, list) or not all(isinstance(note, Note) for note in notes):
        return None
    return notes, errors


def write(key: str, parsed: Parsed, root: Path | None = None) -> None:
    """Store a parse (atomically; old entries of this install are removed)."""
    folder = root or cache_root()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("corpus-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = folder / f"corpus-{key}.{os.getpid()}.tmp"
        tmp.write_bytes(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(folder / f"corpus-{key}.pickle")
    except OSError as err:
        logger.debug("not caching the built-in corpus: %s", err)
