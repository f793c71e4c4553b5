"""Which note a finding links to, when the rule's data does not name one."""

from __future__ import annotations

import re

from torch_notes.corpus.index import CorpusIndex


def note_for_symbol(index: CorpusIndex, symbol: str) -> str | None:
    """The first note that explains ``symbol``."""
    notes = index.notes_for(symbol)
    return notes[0].id if notes else None


_TEXTS: dict[int, tuple[object, tuple[tuple[str, str], ...]]] = {}


def _english_texts(index: CorpusIndex) -> tuple[tuple[str, str], ...]:
    """``(note id, English summary + body + pitfall)`` per note, built once per corpus."""
    cached = _TEXTS.get(id(index.corpus))
    if cached is not None and cached[0] is index.corpus:
        return cached[1]
    texts = tuple(
        (
            note.id,
            "\n".join((note.summary.en, note.body.en, note.pitfall.en if note.pitfall else "")),
        )
        for note in index.corpus.notes
    )
    if len(_TEXTS) > 8:
        _TEXTS.clear()
    _TEXTS[id(index.corpus)] = (index.corpus, texts)
    return texts


def note_mentioning(index: CorpusIndex, name: str) -> str | None:
    """The first note whose English text names ``name`` as a whole word (``torch.arrange``)."""
    pattern: re.Pattern[str] | None = None
    for note_id, text in _english_texts(index):
        if name not in text:
            continue
        pattern = pattern or re.compile(rf"(?<![\w.]){re.escape(name)}(?!\w)")
        if pattern.search(text):
            return note_id
    return None
