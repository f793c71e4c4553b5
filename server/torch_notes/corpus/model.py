"""Frozen data model of the note corpus.

A *note* explains one or more real PyTorch API symbols, in English and
Simplified Chinese, with an example that is executed by the validator.
Everything here is plain, immutable data: it is safe to share between the
language server's requests and between threads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

REQUIRES_TAGS: tuple[str, ...] = ("torchvision", "cuda", "multi_gpu", "matplotlib")
"""Capabilities an example may need; unmet ones make the validator skip it."""


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (3.10, 3.11)
        return str(path)


@dataclass(frozen=True, slots=True)
class Text:
    """A text in every supported language."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``"en"`` or ``"zh"``), English otherwise."""
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: a file and a 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


@dataclass(frozen=True, slots=True)
class Snippet:
    """An insertable code template in VS Code snippet syntax.

    ``setup`` runs before the expanded body and ``check`` after it when the
    validator executes the snippet; neither is inserted into the editor.
    """

    prefix: str
    description: Text
    body: str
    setup: str = ""
    check: str = ""
    body_line: int = 0
    """1-based line in the YAML file where the body's first line stands."""
    setup_line: int = 0
    """1-based line where ``setup`` starts (0: no setup)."""
    check_line: int = 0
    """1-based line where ``check`` starts (0: no check)."""


@dataclass(frozen=True, slots=True)
class Deprecation:
    """The API a note explains is deprecated in favour of ``replacement``."""

    since: str
    replacement: str
    message: Text | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """One validated piece of PyTorch knowledge."""

    id: str
    symbols: tuple[str, ...]
    title: Text
    summary: Text
    body: Text
    example: str
    location: Location
    example_line: int
    """1-based line in the YAML file where the example's first line stands."""
    topic: str = ""
    pitfall: Text | None = None
    hover: str = ""
    """The doctest-style code of the hover card (:mod:`~torch_notes.corpus.hover_block`)."""
    hover_line: int = 0
    """1-based line in the YAML file where the hover block's first line stands."""
    snippet: Snippet | None = None
    requires: tuple[str, ...] = ()
    since: str = ""
    deprecated: Deprecation | None = None
    related: tuple[str, ...] = ()
    docs: str = ""
    content_hash: str = field(default="", compare=False)

    def fingerprint(self) -> str:
        """A stable hash of everything a reader or the validator sees."""
        data = asdict(self)
        for key in ("location", "example_line", "hover_line", "content_hash"):
            data.pop(key)
        if data["snippet"] is not None:
            for key in ("body_line", "setup_line", "check_line"):
                data["snippet"].pop(key)
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CorpusError:
    """A problem found while loading notes, located to file, line and field."""

    path: Path
    line: int
    message: str
    note_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.note_id:
            parts.append(f"note '{self.note_id}'")
        head = ": ".join(parts)
        if self.field:
            return f"{head}: '{self.field}' {self.message}"
        return f"{head}: {self.message}"


@dataclass(frozen=True, slots=True)
class Corpus:
    """The loaded notes plus every error met while loading them."""

    notes: tuple[Note, ...]
    errors: tuple[CorpusError, ...] = ()

    def by_id(self) -> dict[str, Note]:
        """Notes keyed by id."""
        return {note.id: note for note in self.notes}

    def get(self, note_id: str) -> Note | None:
        """The note with ``note_id``, or ``None``."""
        for note in self.notes:
            if note.id == note_id:
                return note
        return None

    def snippets(self) -> tuple[Note, ...]:
        """Notes that carry a snippet, in corpus order."""
        return tuple(note for note in self.notes if note.snippet is not None)
