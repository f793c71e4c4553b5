"""Where a request points in a note file, and what its answer reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from torch_notes.analysis.positions import units_from_index
from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.inventory import ApiInventory


@dataclass(frozen=True, slots=True)
class NoteFileCursor:
    """A position in a note file being written, with what hover and completion consult."""

    lines: Sequence[str]
    row: int
    column: int
    """A code-point index into ``lines[row]``."""
    index: CorpusIndex
    """The corpus with this file's notes as written."""
    inventory: ApiInventory
    lang: str
    encoding: str
    """The client's position encoding."""

    def span(self, start: int, end: int) -> types.Range:
        """The range of code points ``start:end`` of the cursor's row, in the client's units."""
        line = self.lines[self.row]
        return types.Range(
            types.Position(self.row, units_from_index(line, start, self.encoding)),
            types.Position(self.row, units_from_index(line, end, self.encoding)),
        )
