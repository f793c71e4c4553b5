"""Every place in a document where a note applies (``torch-notes explain``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.resolve import iter_resolutions
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note


@dataclass(frozen=True, slots=True)
class Finding:
    """A note applying at a 1-based line and column (columns count characters)."""

    line: int
    column: int
    symbol: str
    note: Note


def explain(analysis: Analysis, index: CorpusIndex) -> Iterator[Finding]:
    """Findings in source order; one per note per token (a token may carry several notes)."""
    doc = analysis.doc
    for resolution in iter_resolutions(analysis, index):
        start = resolution.node.start_point
        column = doc.char_index(start) + 1
        seen: set[str] = set()
        for symbol in resolution.symbols:
            for note in index.notes_for(symbol):
                if note.id not in seen:
                    seen.add(note.id)
                    yield Finding(start.row + 1, column, symbol, note)
