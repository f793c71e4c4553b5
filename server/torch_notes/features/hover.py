"""Hover: the notes for the torch API under the cursor."""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.expressions import identifier_at
from torch_notes.analysis.resolve import resolve_at
from torch_notes.corpus.index import CorpusIndex
from torch_notes.features.conv_hover import conv_hover
from torch_notes.features.markdown import card_markdown, notes_for_symbols

MAX_SEE_ALSO = 3
"""At most this many other notes linked below the card (a name may be noted several times)."""


def hover(
    analysis: Analysis,
    position: types.Position,
    index: CorpusIndex,
    lang: str,
    verified: Mapping[str, str],
) -> types.Hover | None:
    """The hover for ``position``: the token's range and a card; ``None`` if no note applies.

    The card is the likeliest note's (the primary note of the likeliest symbol); other
    notes on the same name are linked below it.
    """
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
    notes = notes_for_symbols(index, resolution.symbols)
    sections = [] if computed is None else [computed]
    if notes:
        card = card_markdown(notes[0], lang, index, verified, see_also=notes[1 : 1 + MAX_SEE_ALSO])
        sections.append(card)
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)
        ),
        range=analysis.doc.range_of(resolution.node),
    )
