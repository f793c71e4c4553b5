"""Ranked full-text search over notes, in English and Chinese.

English is matched by word prefixes, Chinese by characters and character
pairs (no segmenter needed). Ids and API names weigh most, then titles,
summaries and bodies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from torch_notes.corpus.model import Note

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

WEIGHTS = {"name": 6.0, "title": 4.0, "summary": 2.0, "body": 1.0}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A note and how well it matched."""

    note: Note
    score: float


def terms(text: str) -> set[str]:
    """Lower-case words and parts of dotted/underscored names, CJK characters and pairs."""
    found: set[str] = set()
    for word in _WORD.findall(text):
        lower = word.lower()
        found.add(lower)
        found.update(part for part in lower.split("_") if part)
    for run in _CJK.findall(text):
        found.update(run)
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    return found


def _field_terms(note: Note) -> dict[str, set[str]]:
    names = " ".join((note.id, *note.symbols, note.snippet.prefix if note.snippet else ""))
    return {
        "name": terms(names.replace(".", " ").replace("-", " ")),
        "title": terms(note.title.en + " " + note.title.zh),
        "summary": terms(note.summary.en + " " + note.summary.zh),
        "body": terms(note.body.en + " " + note.body.zh),
    }


def _matches(query_term: str, field: set[str]) -> float:
    if query_term in field:
        return 1.0
    prefix_ok = len(query_term) >= 3 and query_term.isascii()
    if prefix_ok and any(t.startswith(query_term) for t in field):
        return 0.6
    return 0.0


def search(notes: Iterable[Note], query: str, limit: int = 20) -> list[SearchHit]:
    """Notes matching ``query``, best first; every query term must match somewhere."""
    wanted = terms(query)
    if not wanted:
        return []
    ascii_terms = {t for t in wanted if t.isascii()}
    cjk_chars = {t for t in wanted if not t.isascii() and len(t) == 1}
    hits: list[SearchHit] = []
    for note in notes:
        fields = _field_terms(note)
        score = 0.0
        matched: set[str] = set()
        for term in wanted:
            for name, field in fields.items():
                weight = _matches(term, field) * WEIGHTS[name]
                if weight:
                    score += weight
                    matched.add(term)
        # Every English word and every Chinese character must occur; pairs only boost.
        if (ascii_terms | cjk_chars) <= matched and score > 0:
            hits.append(SearchHit(note, score))
    hits.sort(key=lambda hit: (-hit.score, hit.note.id))
    return hits[:limit]
