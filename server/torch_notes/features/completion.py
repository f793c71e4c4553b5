"""Completion: snippets where a statement starts, noted APIs after ``torch.``-like receivers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.completion_context import MemberAccess, StatementStart, completion_context
from torch_notes.analysis.resolve import rank_members
from torch_notes.analysis.values import TORCH
from torch_notes.corpus.index import CorpusIndex, owner_class
from torch_notes.features.client_support import CompletionOptions
from torch_notes.features.markdown import card_markdown, notes_for_symbols, snippet_markdown
from torch_notes.features.snippets import fuzzy_match, insertion, leading_whitespace
from torch_notes.plain_text import plain_text


def _snippet_items(
    analysis: Analysis,
    context: StatementStart,
    index: CorpusIndex,
    lang: str,
    options: CompletionOptions,
) -> list[types.CompletionItem]:
    doc = analysis.doc
    indent = leading_whitespace(doc.line(context.row))
    edit_range = doc.span_range(context.row, context.start, context.end)
    items = []
    for note in index.snippets:
        assert note.snippet is not None
        if not fuzzy_match(context.word, note.snippet.prefix):
            continue
        as_snippet = options.snippet_support
        inserted = insertion(
            note, doc, analysis.imports, context.row, as_snippet=as_snippet, indent=indent
        )
        item = types.CompletionItem(
            label=note.snippet.prefix,
            kind=types.CompletionItemKind.Snippet,
            detail=plain_text(note.title.get(lang), lang),
            filter_text=note.snippet.prefix,
            sort_text=f"~{note.snippet.prefix}",
            text_edit=types.TextEdit(range=edit_range, new_text=inserted.text),
            additional_text_edits=[inserted.imports] if inserted.imports else None,
            insert_text_format=(
                types.InsertTextFormat.Snippet if as_snippet else types.InsertTextFormat.PlainText
            ),
            data={"kind": "snippet", "id": note.id},
        )
        if not as_snippet and options.as_is_support:
            item.insert_text_mode = types.InsertTextMode.AsIs
        items.append(item)
    return items


def _kind(symbol: str, index: CorpusIndex) -> types.CompletionItemKind:
    name = symbol.rpartition(".")[2]
    if name[:1].isupper():
        return types.CompletionItemKind.Class
    if owner_class(symbol) is not None:
        return types.CompletionItemKind.Method
    if not index.notes_for(symbol) and index.is_namespace(symbol):
        return types.CompletionItemKind.Module
    return types.CompletionItemKind.Function


def _member_items(
    analysis: Analysis, context: MemberAccess, index: CorpusIndex, lang: str
) -> list[types.CompletionItem]:
    owner = None  # foreign receivers (``name = "abc"`` then ``name.``) get no context at all
    if context.receiver is not None:
        symbols = {
            name: (f"{context.receiver}.{name}",) for name in index.children(context.receiver)
        }
    else:
        value = context.value
        owner = value.what if value is not None and value.kind == TORCH else None
        symbols = {name: rank_members(found, owner) for name, found in index.methods.items()}
    items = []
    for name, candidates in sorted(symbols.items()):
        if name.startswith("__"):
            continue  # dunder methods are not what anyone types after a dot
        symbol = candidates[0]
        notes = [note for s in candidates for note in index.notes_for(s)]
        items.append(
            types.CompletionItem(
                label=name,
                kind=_kind(symbol, index),
                detail=symbol if len(candidates) == 1 else f"{symbol} (+{len(candidates) - 1})",
                label_details=types.CompletionItemLabelDetails(
                    description=plain_text(notes[0].title.get(lang), lang) if notes else None
                ),
                sort_text=None if owner is None else f"{owner_class(symbol) != owner:d}{name}",
                data={"kind": "api", "symbols": list(candidates)},
            )
        )
    return items


def complete(
    analysis: Analysis,
    position: types.Position,
    index: CorpusIndex,
    lang: str,
    options: CompletionOptions,
) -> list[types.CompletionItem]:
    """Completion items at ``position`` (documentation comes later, from :func:`resolve`)."""
    context = completion_context(analysis, position)
    if isinstance(context, StatementStart):
        return _snippet_items(analysis, context, index, lang, options) if options.snippets else []
    if isinstance(context, MemberAccess):
        return _member_items(analysis, context, index, lang) if options.members else []
    return []


def resolve(
    item: types.CompletionItem, index: CorpusIndex, lang: str, verified: Mapping[str, str]
) -> types.CompletionItem:
    """Fill in the documentation of an item produced by :func:`complete`."""
    data: Any = item.data if isinstance(item.data, dict) else {}
    value = None
    if data.get("kind") == "snippet":
        note = index.by_id.get(str(data.get("id")))
        if note is not None and note.snippet is not None:
            value = snippet_markdown(note, lang)
    elif data.get("kind") == "api":
        symbols = [str(symbol) for symbol in data.get("symbols", [])]
        notes = notes_for_symbols(index, tuple(symbols))
        if notes:
            value = card_markdown(notes[0], lang, index, verified, see_also=notes[1:])
    if value is not None:
        item.documentation = types.MarkupContent(kind=types.MarkupKind.Markdown, value=value)
    return item
