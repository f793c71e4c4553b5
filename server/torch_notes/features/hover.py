"""Hover: the notes for the torch API under the cursor."""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from torch_notes.analysis.resolve import Analysis, resolve_at
from torch_notes.corpus.index import CorpusIndex
from torch_notes.features.render import note_markdown

MAX_NOTES = 3
"""At most this many notes in one hover (a member name may be noted on several classes)."""


def hover(
    analysis: Analysis,
    position: types.Position,
    index: CorpusIndex,
    lang: str,
    verified: Mapping[str, str],
) -> types.Hover | None:
    """The hover for ``position``: the token's range and its notes; ``None`` if none apply."""
    resolution = resolve_at(analysis, analysis.doc.point_at(position), index)
    if resolution is None:
        return None
    sections: list[str] = []
    seen: set[str] = set()
    for symbol in resolution.symbols:
        for note in index.notes_for(symbol):
            if note.id not in seen and len(seen) < MAX_NOTES:
                seen.add(note.id)
                sections.append(note_markdown(note, lang, index, verified, symbol=symbol))
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)
        ),
        range=analysis.doc.range_of(resolution.node),
    )
