"""The results of the ``torchNotes.*`` commands, as JSON-ready data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.lookup import find_notes
from torch_notes.corpus.model import Note
from torch_notes.corpus.search import search
from torch_notes.features.markdown import note_markdown

LIST_SNIPPETS = "torchNotes.listSnippets"
INSERT_SNIPPET = "torchNotes.insertSnippet"
SEARCH_NOTES = "torchNotes.searchNotes"
SHOW_NOTE = "torchNotes.showNote"
SERVER_INFO = "torchNotes.serverInfo"
COMMANDS = (LIST_SNIPPETS, INSERT_SNIPPET, SEARCH_NOTES, SHOW_NOTE, SERVER_INFO)


def _summary(note: Note, lang: str) -> dict[str, Any]:
    return {
        "id": note.id,
        "title": note.title.get(lang),
        "summary": note.summary.get(lang),
        "symbols": list(note.symbols),
    }


def list_snippets(index: CorpusIndex, lang: str) -> list[dict[str, Any]]:
    """The snippet catalogue: id, prefix, title, description and body, in ``lang``."""
    return [
        {
            "id": note.id,
            "prefix": note.snippet.prefix,
            "title": note.title.get(lang),
            "description": note.snippet.description.get(lang),
            "body": note.snippet.body,
        }
        for note in index.snippets
        if note.snippet is not None
    ]


def search_notes(
    index: CorpusIndex, query: str, lang: str, limit: int = 20
) -> list[dict[str, Any]]:
    """Notes matching ``query`` (English or Chinese words), best first."""
    return [
        {**_summary(hit.note, lang), "score": round(hit.score, 3)}
        for hit in search(index.corpus.notes, query, limit=limit)
    ]


def show_note(
    index: CorpusIndex, query: str, lang: str, verified: Mapping[str, str]
) -> dict[str, Any] | None:
    """One note by id (or API name) with its Markdown rendering; ``None`` if there is none."""
    note = index.by_id.get(query)
    if note is None:
        found = find_notes(index.corpus, query)
        if not found:
            return None
        note = found[0]
    return {
        **_summary(note, lang),
        "markdown": note_markdown(note, lang, index, verified),
        "docs": note.docs,
        "verifiedOn": verified.get(note.id),
        "snippetPrefix": note.snippet.prefix if note.snippet else None,
    }
