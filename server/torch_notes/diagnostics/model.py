"""The frozen values rules produce: diagnostics, their fixes and the edits of a fix.

Locations are tree-sitter points (0-based row, UTF-8 byte column) so that rules stay
free of LSP types; the edge converts them with the document's position encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from tree_sitter import Node

from torch_notes.diagnostics.messages import Message


class Severity(str, Enum):
    """How loudly a diagnostic speaks (the LSP severities, by name)."""

    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source range between two tree-sitter points ``(row, byte column)``, end exclusive."""

    start: tuple[int, int]
    end: tuple[int, int]

    @classmethod
    def of(cls, node: Node) -> Span:
        """The span covered by ``node``."""
        return cls(tuple(node.start_point), tuple(node.end_point))

    @classmethod
    def between(cls, first: Node, last: Node) -> Span:
        """From the start of ``first`` to the end of ``last``."""
        return cls(tuple(first.start_point), tuple(last.end_point))

    @classmethod
    def at(cls, point: tuple[int, int]) -> Span:
        """An empty span (an insertion point)."""
        return cls(tuple(point), tuple(point))


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``span`` by ``text`` (an empty span inserts)."""

    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A quick fix: a title and the edits (non-overlapping, in one document) that make it."""

    label: Message
    """The title, in no language yet (render it with :meth:`title_in`)."""
    edits: tuple[Edit, ...]

    @property
    def title(self) -> str:
        """The English title."""
        return self.label.render("en")

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (``"en"`` or ``"zh"``)."""
        return self.label.render(lang)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of one rule, linked to the note that explains it."""

    rule: str
    """Stable rule code, e.g. ``view-after-transpose``."""
    severity: Severity
    text: Message
    """The message, in no language yet (render it with :meth:`message_in`)."""
    span: Span
    note_id: str | None
    """The note that explains the finding (``None`` only when no note covers it)."""
    fixes: tuple[Fix, ...] = ()
    deprecated: bool = False
    """The finding is about a deprecated API (editors strike it through)."""

    @property
    def message(self) -> str:
        """The English message."""
        return self.text.render("en")

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` (``"en"`` or ``"zh"``)."""
        return self.text.render(lang)

    def with_severity(self, severity: Severity) -> Diagnostic:
        """The same diagnostic at another severity."""
        return replace(self, severity=severity)


def apply_edits(source: bytes, line_starts: list[int], edits: tuple[Edit, ...]) -> bytes:
    """``source`` with ``edits`` applied (used by tests, the CLI and the fix checker)."""

    def offset(point: tuple[int, int]) -> int:
        row, column = point
        return len(source) if row >= len(line_starts) else line_starts[row] + column

    result = source
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        start, end = offset(edit.span.start), offset(edit.span.end)
        result = result[:start] + edit.text.encode("utf-8") + result[end:]
    return result


def line_starts(source: bytes) -> list[int]:
    """Byte offsets of the starts of the lines of ``source``."""
    starts = [0]
    pos = source.find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = source.find(b"\n", pos + 1)
    return starts


def apply_fix(text: str, fix: Fix) -> str:
    """``text`` after ``fix``."""
    source = text.encode("utf-8", errors="surrogatepass")
    fixed = apply_edits(source, line_starts(source), fix.edits)
    return fixed.decode("utf-8", errors="surrogatepass")
