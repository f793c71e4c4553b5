"""Full notes as files, for clients that open documents but have no note viewer.

``torchNotes.showNote`` with ``"open": true`` (the "Open note" code action) renders the
note as Markdown into the user's cache directory and asks the client to show it
(``window/showDocument``). Note ids are dotted lower-case words, so a page's file name
is always safe; nothing outside the cache directory is written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "torch-notes"


def cache_dir() -> Path:
    """The per-user cache directory (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / APP


def write_page(note_id: str, lang: str, markdown: str, root: Path | None = None) -> Path:
    """Write the rendered note; returns its path (``<cache>/notes/<lang>/<id>.md``)."""
    folder = (root or cache_dir()) / "notes" / lang
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{note_id}.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(markdown, encoding="utf-8")
    tmp.replace(path)
    return path
