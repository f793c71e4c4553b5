"""Hover: the notes for the torch API under the cursor."""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from torch_notes.analysis.resolve import Analysis, identifier_at, resolve_at
from torch_notes.computed.conv_hover import conv_hover
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
    point = analysis.doc.point_at(position)
    resolution = resolve_at(analysis, point, index)
    computed = conv_hover(analysis.doc, analysis.imports, point)
    if resolution is None:
        token = identifier_at(analysis.doc, point) if computed else None
        if token is None or computed is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=computed),
            range=analysis.doc.range_of(token),
        )
    sections: list[str] = []
    seen: set[str] = set()
    for symbol in resolution.symbols:
        for note in index.notes_for(symbol):
            if note.id not in seen and len(seen) < MAX_NOTES:
                seen.add(note.id)
                sections.append(note_markdown(note, lang, index, verified, symbol=symbol))
    if computed is not None:
        sections.insert(0, computed)
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)
        ),
        range=analysis.doc.range_of(resolution.node),
    )
