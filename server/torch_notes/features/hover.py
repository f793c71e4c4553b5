"""Hover: the notes for the torch API under the cursor.

:func:`hover_notes` picks the notes a hover shows; :func:`hover` renders them as a card (with
any computed section). ``torch-notes coverage`` counts a hit exactly when :func:`hover_notes`
finds a note, so a hit in ``coverage`` is a card in the editor's hover.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lsprotocol import types
from tree_sitter import Point

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.expressions import identifier_at
from torch_notes.analysis.resolve import Resolution, resolve_at
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note
from torch_notes.diagnostics.lsp_convert import lsp_range
from torch_notes.diagnostics.model import Diagnostic
from torch_notes.features.conv_hover import conv_hover
from torch_notes.features.markdown import card_markdown, notes_for_symbols

MAX_SEE_ALSO = 3
"""At most this many other notes linked below the card (a name may be noted several times)."""


@dataclass(frozen=True, slots=True)
class NoteHover:
    """The resolved token and the notes its hover shows: the card's first, then "see also"."""

    resolution: Resolution
    notes: tuple[Note, ...]


def hover_notes(analysis: Analysis, point: Point, index: CorpusIndex) -> NoteHover | None:
    """The notes of the token at ``point`` (likeliest first); ``None`` where no note applies."""
    resolution = resolve_at(analysis, point, index)
    if resolution is None:
        return None
    return NoteHover(resolution, notes_for_symbols(index, resolution.symbols))


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
    found = hover_notes(analysis, point, index)
    computed = conv_hover(analysis.doc, analysis.imports, point)
    if found is None:
        token = identifier_at(analysis.doc, point) if computed else None
        if token is None or computed is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=computed),
            range=analysis.doc.range_of(token),
        )
    notes = found.notes
    sections = [] if computed is None else [computed]
    if notes:
        card = card_markdown(notes[0], lang, index, verified, see_also=notes[1 : 1 + MAX_SEE_ALSO])
        sections.append(card)
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(sections)
        ),
        range=analysis.doc.range_of(found.resolution.node),
    )


def finding_hover(
    analysis: Analysis,
    findings: Iterable[Diagnostic],
    position: types.Position,
    index: CorpusIndex,
    lang: str,
    verified: Mapping[str, str],
) -> types.Hover | None:
    """On a flagged range: the card of the finding's note.

    The finding's message is not repeated: editors show a diagnostic's message in the
    hover themselves (VS Code) or beside the line (Neovim, Helix).
    """
    for finding in findings:
        span = lsp_range(analysis.doc, finding.span)
        if not (span.start <= position <= span.end) or not finding.note_id:
            continue
        note = index.by_id.get(finding.note_id)
        if note is not None:
            card = card_markdown(note, lang, index, verified, deprecation=False)
            return types.Hover(
                contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=card),
                range=span,
            )
    return None
