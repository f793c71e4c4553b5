"""A Python source document parsed with tree-sitter, addressable in LSP positions.

:class:`SourceDocument` is one immutable version of a document: its text, its
syntax tree (error tolerant: half-typed code still yields a tree) and the
conversions between the client's positions and tree-sitter points.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tree_sitter_python
from lsprotocol import types
from tree_sitter import Language, Node, Parser, Point, Tree

from torch_notes.analysis.positions import (
    UTF16,
    bytes_from_index,
    index_from_bytes,
    index_from_units,
    units_from_index,
)

PYTHON = Language(tree_sitter_python.language())
"""The tree-sitter grammar (immutable, shared)."""


@dataclass(frozen=True, slots=True)
class TextChange:
    """One edit: ``text`` replaces ``range`` (client units); no range means the whole text."""

    text: str
    range: types.Range | None = None


def _line_starts(source: bytes) -> list[int]:
    """Byte offset of the start of every line (split on ``\\n``, like tree-sitter)."""
    starts = [0]
    find = source.find
    pos = find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find(b"\n", pos + 1)
    return starts


class SourceDocument:
    """One version of a Python document and its syntax tree."""

    __slots__ = ("_line_starts", "encoding", "lines", "source", "text", "tree", "version")

    def __init__(self, text: str, tree: Tree, source: bytes, encoding: str, version: int | None):
        self.text = text
        self.tree = tree
        self.source = source
        self.encoding = encoding
        self.version = version
        self.lines: tuple[str, ...] = tuple(
            line[:-1] if line.endswith("\r") else line for line in text.split("\n")
        )
        self._line_starts = _line_starts(source)

    @classmethod
    def parse(
        cls, text: str, *, encoding: str = UTF16, version: int | None = None
    ) -> SourceDocument:
        """Parse ``text`` from scratch; positions are counted in ``encoding`` units."""
        source = text.encode("utf-8", errors="surrogatepass")
        return cls(text, Parser(PYTHON).parse(source), source, encoding, version)

    def apply(self, changes: Iterable[TextChange], version: int | None = None) -> SourceDocument:
        """The next version after ``changes``, re-parsed incrementally from this tree."""
        text, source, tree = self.text, self.source, self.tree.copy()
        doc: SourceDocument = self
        for change in changes:
            if change.range is None:
                return SourceDocument.parse(change.text, encoding=self.encoding, version=version)
            start, end = doc.point_at(change.range.start), doc.point_at(change.range.end)
            start_byte = doc.byte_offset(start)
            old_end_byte = max(start_byte, doc.byte_offset(end))
            inserted = change.text.encode("utf-8", errors="surrogatepass")
            source = source[:start_byte] + inserted + source[old_end_byte:]
            newline = inserted.rfind(b"\n")
            if newline == -1:
                new_end = Point(start.row, start.column + len(inserted))
            else:
                new_end = Point(start.row + inserted.count(b"\n"), len(inserted) - newline - 1)
            tree.edit(
                start_byte=start_byte,
                old_end_byte=old_end_byte,
                new_end_byte=start_byte + len(inserted),
                start_point=start,
                old_end_point=end,
                new_end_point=new_end,
            )
            text = source.decode("utf-8", errors="surrogatepass")
            doc = SourceDocument(text, tree, source, self.encoding, version)
        new_tree = Parser(PYTHON).parse(source, tree)
        return SourceDocument(text, new_tree, source, self.encoding, version)

    # -- positions ---------------------------------------------------------------

    def line(self, row: int) -> str:
        """The text of line ``row`` without its line ending ("" past the end)."""
        return self.lines[row] if 0 <= row < len(self.lines) else ""

    def point_at(self, position: types.Position) -> Point:
        """The tree-sitter point (row, UTF-8 byte column) of a client position."""
        if position.line >= len(self.lines):
            last = len(self.lines) - 1
            return Point(last, len(self.lines[last].encode("utf-8", errors="surrogatepass")))
        line = self.lines[position.line]
        index = index_from_units(line, position.character, self.encoding)
        return Point(position.line, bytes_from_index(line, index))

    def position_of(self, point: Point | tuple[int, int]) -> types.Position:
        """The client position of a tree-sitter point."""
        row, column = point
        line = self.line(row)
        return types.Position(
            row, units_from_index(line, index_from_bytes(line, column), self.encoding)
        )

    def range_of(self, node: Node) -> types.Range:
        """The client range covered by ``node``."""
        return types.Range(self.position_of(node.start_point), self.position_of(node.end_point))

    def span_range(self, row: int, start_index: int, end_index: int) -> types.Range:
        """The client range of code points ``start_index:end_index`` on line ``row``."""
        line = self.line(row)
        return types.Range(
            types.Position(row, units_from_index(line, start_index, self.encoding)),
            types.Position(row, units_from_index(line, end_index, self.encoding)),
        )

    def char_index(self, point: Point | tuple[int, int]) -> int:
        """The code-point index within its line of a tree-sitter point."""
        return index_from_bytes(self.line(point[0]), point[1])

    def byte_offset(self, point: Point | tuple[int, int]) -> int:
        """The byte offset in :attr:`source` of a tree-sitter point."""
        row, column = point
        if row >= len(self._line_starts):
            return len(self.source)
        return min(self._line_starts[row] + column, len(self.source))

    def node_text(self, node: Node) -> str:
        """The source text of ``node``."""
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def changes_from_lsp(
    events: Sequence[types.TextDocumentContentChangeEvent],
) -> list[TextChange]:
    """Plain :class:`TextChange` objects from LSP change events."""
    return [TextChange(event.text, getattr(event, "range", None)) for event in events]
