"""Hover cards stay cards: the budgets of issue 10, over every built-in note in both languages.

The limits live in ``torch_notes.authoring.budgets``: the editor warns about a user's note
that exceeds one, with the same numbers.

A card is measured as the editor receives it (``card_markdown``: the rendered Markdown of
one note, its links included), with every note shown as verified, as after a green run.
"""

from __future__ import annotations

import statistics

import pytest

from torch_notes.authoring.budgets import (
    CARD_MAX,
    CARD_MEDIAN_MAX,
    HOVER_LINES_MAX,
    PITFALL_MAX,
    SUMMARY_MAX,
    VERIFIED_SAMPLE,
)
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.features.markdown import card_markdown
from torch_notes.i18n import LANGUAGES

CORPUS = load_corpus([])
INDEX = CorpusIndex.build(CORPUS)
VERIFIED = {note.id: VERIFIED_SAMPLE for note in CORPUS.notes}


def _card(note, lang: str) -> str:
    return card_markdown(note, lang, INDEX, VERIFIED)


def _over(limit: int, measure) -> list[str]:
    return [
        f"{note.id} ({lang}): {size}"
        for note in CORPUS.notes
        for lang in LANGUAGES
        if (size := measure(note, lang)) > limit
    ]


def test_the_builtin_corpus_loads_cleanly() -> None:
    assert CORPUS.errors == ()
    assert len(CORPUS.notes) > 80


def test_every_builtin_note_has_a_hover_block() -> None:
    assert [note.id for note in CORPUS.notes if not note.hover] == []


def test_hover_blocks_are_short() -> None:
    assert _over(HOVER_LINES_MAX, lambda note, _: len(note.hover.strip("\n").split("\n"))) == []


def test_summaries_fit_the_budget() -> None:
    assert _over(SUMMARY_MAX, lambda note, lang: len(note.summary.get(lang))) == []


def test_pitfalls_fit_the_budget() -> None:
    def size(note, lang: str) -> int:
        return len(note.pitfall.get(lang)) if note.pitfall is not None else 0

    assert _over(PITFALL_MAX, size) == []


def test_no_card_is_longer_than_the_maximum() -> None:
    assert _over(CARD_MAX, lambda note, lang: len(_card(note, lang))) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_median_card_fits(lang: str) -> None:
    median = statistics.median(len(_card(note, lang)) for note in CORPUS.notes)
    assert median <= CARD_MEDIAN_MAX, f"median {lang} card: {median} characters"
