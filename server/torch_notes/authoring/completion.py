"""Completion in note files: field names, API symbols, note ids for ``related``, tags."""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from torch_notes.authoring.api import ROOTS, children
from torch_notes.authoring.context import key_context, value_context
from torch_notes.authoring.cursor import NoteFileCursor
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import FILE_FIELDS
from torch_notes.corpus.model import REQUIRES_TAGS
from torch_notes.corpus.note_parser import DEPRECATED_FIELDS, NOTE_FIELDS, SNIPPET_FIELDS
from torch_notes.diagnostics.inventory import ApiInventory
from torch_notes.i18n import LANGUAGES
from torch_notes.plain_text import plain_text

MAX_ITEMS = 400
"""More candidates than this are narrowed to the typed prefix (and the list marked incomplete)."""

TEXT_FIELDS = ("title", "summary", "body", "pitfall", "description", "message")
FIELDS_BELOW: dict[str | None, tuple[str, ...]] = {
    None: FILE_FIELDS,
    "notes": NOTE_FIELDS,
    "snippet": SNIPPET_FIELDS,
    "deprecated": DEPRECATED_FIELDS,
    **{name: LANGUAGES for name in TEXT_FIELDS},
}
"""The keys allowed below each parent key (``None``: the top of the file)."""

_KINDS = {
    "module": types.CompletionItemKind.Module,
    "class": types.CompletionItemKind.Class,
    "function": types.CompletionItemKind.Function,
    "member": types.CompletionItemKind.Method,
}


def complete(cursor: NoteFileCursor, note_id: str | None = None) -> types.CompletionList:
    """What to offer at ``cursor``; ``note_id`` is the note the cursor is in."""
    lines, row, column = cursor.lines, cursor.row, cursor.column
    index, inventory, lang = cursor.index, cursor.inventory, cursor.lang
    value = value_context(lines, row, column)
    if value is not None:
        edit = cursor.span(value.start, column)
        if value.field == "symbols":
            return _symbols(value.word, edit, index, inventory, lang)
        if value.field == "related":
            ids = (i for i in index.by_id if i != note_id)
            return _words(ids, edit, types.CompletionItemKind.Reference, index, lang)
        if value.field == "requires":
            return _words(REQUIRES_TAGS, edit, types.CompletionItemKind.EnumMember, index, lang)
        return types.CompletionList(is_incomplete=False, items=[])
    key = key_context(lines, row, column)
    if key is None:
        return types.CompletionList(is_incomplete=False, items=[])
    parent = "notes" if key.new_item and key.parent.key == "notes" else key.parent.key
    allowed = FIELDS_BELOW.get(parent, ())
    present = set() if key.new_item else set(key.parent.siblings)
    edit = cursor.span(key.start, column)
    items = [
        types.CompletionItem(
            label=name,
            kind=types.CompletionItemKind.Property,
            sort_text=f"{position:02d}",
            text_edit=types.TextEdit(edit, f"{name}: "),
        )
        for position, name in enumerate(allowed)
        if name not in present
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def _symbols(
    word: str, edit: types.Range, index: CorpusIndex, inventory: ApiInventory, lang: str
) -> types.CompletionList:
    parent, _, partial = word.rpartition(".")
    if not parent:
        candidates = [(root, "module") for root in ROOTS]
    else:
        candidates = [(child.name, child.kind) for child in children(parent, inventory, index)]
    incomplete = len(candidates) > MAX_ITEMS
    if incomplete:
        folded = partial.casefold()
        candidates = [c for c in candidates if c[0].casefold().startswith(folded)][:MAX_ITEMS]
    items = []
    for name, kind in candidates:
        full = f"{parent}.{name}" if parent else name
        notes = index.notes_for(full)
        detail = f"{kind} · {notes[0].id}" if notes else kind
        items.append(
            types.CompletionItem(
                label=name,
                kind=_KINDS.get(kind, types.CompletionItemKind.Value),
                detail=detail,
                filter_text=full,
                text_edit=types.TextEdit(edit, full),
                documentation=plain_text(notes[0].title.get(lang), lang) if notes else None,
            )
        )
    return types.CompletionList(is_incomplete=incomplete, items=items)


def _words(
    words: Iterable[str],
    edit: types.Range,
    kind: types.CompletionItemKind,
    index: CorpusIndex,
    lang: str,
) -> types.CompletionList:
    items = []
    for word in sorted(words):
        note = index.by_id.get(word)
        items.append(
            types.CompletionItem(
                label=word,
                kind=kind,
                detail=plain_text(note.title.get(lang), lang) if note else None,
                filter_text=word,
                text_edit=types.TextEdit(edit, word),
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)
