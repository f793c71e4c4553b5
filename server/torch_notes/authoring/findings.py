"""What the note-file checks find: a located, language-free problem."""

from __future__ import annotations

from dataclasses import dataclass

from torch_notes.i18n import text

ERROR, WARNING, INFORMATION = "error", "warning", "information"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A range of a note file's text: 0-based rows, code-point columns, end exclusive."""

    row: int
    column: int
    end_row: int
    end_column: int

    @classmethod
    def on_line(cls, row: int, start: int, end: int) -> Span:
        """``start``..``end`` on one row."""
        return cls(row, start, row, end)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a note file, in no language yet.

    ``key`` names a catalogue text rendered with ``params``; the loader's own (English)
    message is carried in ``raw`` instead, with no key.
    """

    span: Span
    code: str
    """The kind of problem: ``note-yaml``, ``note-schema``, ``note-symbol``, ..."""
    severity: str
    key: str = ""
    params: tuple[tuple[str, str], ...] = ()
    raw: str = ""
    note_id: str | None = None

    def message(self, lang: str) -> str:
        """The message in ``lang`` (Markdown-style inline code)."""
        return text(lang, self.key, **dict(self.params)) if self.key else self.raw
