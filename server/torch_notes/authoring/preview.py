"""The hover card a Python file would show for a note being written.

The card is rendered by the very function the hover uses (``card_markdown``) over the
corpus as it would be after saving: the other files' notes plus this file's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Corpus, Note
from torch_notes.features.hover import MAX_SEE_ALSO
from torch_notes.features.markdown import card_markdown, notes_for_symbols
from torch_notes.i18n import text


def merged_index(
    index: CorpusIndex, elsewhere: Mapping[str, Note], notes: Iterable[Note]
) -> CorpusIndex:
    """The corpus with ``notes`` (one file's, as written now) beside the other files' notes."""
    mine = tuple(notes)
    ids = {note.id for note in mine}
    others = tuple(note for note in elsewhere.values() if note.id not in ids)
    return CorpusIndex.build(Corpus(notes=others + mine, errors=index.corpus.errors))


def card_preview(note: Note, lang: str, index: CorpusIndex, verified: Mapping[str, str]) -> str:
    """The card shown on the note's first symbol, as in a Python file (``index`` holds the
    note). When another note comes first on that symbol, a line says so above the card."""
    symbol = note.symbols[0]
    ranked = notes_for_symbols(index, (symbol,))
    header = text(lang, "note_preview_title", symbol=symbol)
    parts = [f"*{header}*"]
    if ranked and ranked[0].id != note.id:
        parts.append(text(lang, "note_preview_other_first", symbol=symbol, other=ranked[0].id))
        card = card_markdown(note, lang, index, verified)
    else:
        see_also = tuple(other for other in ranked if other.id != note.id)[:MAX_SEE_ALSO]
        card = card_markdown(note, lang, index, verified, see_also=see_also)
    return "\n\n".join([*parts, "---", card])
