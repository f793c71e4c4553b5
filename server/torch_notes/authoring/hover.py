"""Hovers in note files: what torch has of a symbol and who notes it, related notes' cards,
and on a note's id the card a Python file would show."""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from torch_notes.authoring.api import EXISTS, MISSING, check_symbol, covered
from torch_notes.authoring.context import value_context
from torch_notes.authoring.cursor import NoteFileCursor
from torch_notes.authoring.preview import card_preview
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note
from torch_notes.corpus.note_parser import SYMBOL
from torch_notes.diagnostics.inventory import ApiInventory
from torch_notes.features.markdown import card_markdown
from torch_notes.i18n import text


def symbol_markdown(symbol: str, index: CorpusIndex, inventory: ApiInventory, lang: str) -> str:
    """Whether torch has ``symbol`` and which notes explain it (``index``: as written now)."""
    check = check_symbol(symbol, inventory)
    version = inventory.torch_version
    if check.status == EXISTS:
        status = "✅ " + text(lang, "note_symbol_exists", symbol=symbol, version=version)
    elif check.status == MISSING:
        key = "note_symbol_suggest" if check.suggestion else "note_symbol_missing"
        status = "⚠️ " + text(
            lang,
            key,
            symbol=symbol,
            version=version,
            name=check.name,
            parent=check.parent,
            suggestion=check.suggestion or "",
        )
    else:
        listed = ", ".join(f"`{name}`" for name in covered(inventory))
        status = text(lang, "note_symbol_unchecked", symbol=symbol, version=version, covered=listed)
    notes = index.notes_for(symbol)
    if notes:
        claims = text(
            lang,
            "note_symbol_claimed",
            notes=", ".join(f"`{note.id}` ({note.location})" for note in notes),
        )
    else:
        claims = text(lang, "note_symbol_unclaimed")
    return f"**`{symbol}`**\n\n{status}\n\n{claims}"


def note_file_hover(
    cursor: NoteFileCursor, *, verified: Mapping[str, str], notes: Mapping[str, Note]
) -> types.Hover | None:
    """The hover at ``cursor``; ``notes`` are the file's loadable notes by id."""
    index, lang = cursor.index, cursor.lang
    found = value_context(cursor.lines, cursor.row, cursor.column, forward=True)
    if found is None or not found.word:
        return None
    word = found.word
    if found.field == "symbols" and SYMBOL.match(word):
        value = symbol_markdown(word, index, cursor.inventory, lang)
    elif found.field == "related" and word in index.by_id:
        value = card_markdown(index.by_id[word], lang, index, verified)
    elif found.field == "id" and word in notes:
        value = card_preview(notes[word], lang, index, verified)
    else:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value),
        range=cursor.span(found.start, found.end),
    )
