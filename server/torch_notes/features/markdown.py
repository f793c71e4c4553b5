"""Markdown renderings of notes and snippets, shared by hover, completion and commands.

Note text is untrusted: every field written by a note's author goes through
:mod:`~torch_notes.features.safe_markdown` (parsed, re-serialised from an allowlist),
the structure around it (headings, labels, code fences, the docs and note links) is
written here. The sanitised fields of a note are kept per note and language
(:func:`note_text`, a bounded cache keyed by the note's content), so a hover costs a
lookup and a few joins, not a Markdown parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note
from torch_notes.corpus.snippet_syntax import parse_snippet
from torch_notes.corpus.verified import LocalVersion
from torch_notes.diagnostics.deprecations import argument_deprecation
from torch_notes.features.safe_markdown import (
    NOTE_LINK_PREFIX,
    code_block,
    code_span,
    escape_text,
    link,
    sanitize,
    sanitize_inline,
)
from torch_notes.i18n import text

__all__ = [
    "MAX_RELATED",
    "NOTE_LINK_PREFIX",
    "card_markdown",
    "note_link",
    "note_markdown",
    "note_text",
    "notes_for_symbols",
    "snippet_markdown",
]

NOTE_TEXT_CACHE = 1024
"""Notes (per language) whose sanitised text is kept: more than any corpus so far."""


@dataclass(frozen=True, slots=True)
class NoteText:
    """A note's author-written fields in one language, as safe Markdown."""

    title: str
    summary: str
    pitfall: str
    deprecation: str
    snippet_description: str


@lru_cache(maxsize=NOTE_TEXT_CACHE)
def note_text(note: Note, lang: str) -> NoteText:
    """The sanitised fields of ``note`` in ``lang`` (cached: notes are frozen values, so
    the key is the note's whole content, as its fingerprint is)."""
    dep = note.deprecated
    return NoteText(
        title=sanitize_inline(note.title.get(lang)),
        summary=sanitize(note.summary.get(lang).strip()),
        pitfall="" if note.pitfall is None else sanitize(note.pitfall.get(lang).strip()),
        deprecation=""
        if dep is None or dep.message is None
        else sanitize_inline(dep.message.get(lang).strip(), links=True),
        snippet_description=""
        if note.snippet is None
        else sanitize(note.snippet.description.get(lang).strip()),
    )


@lru_cache(maxsize=NOTE_TEXT_CACHE)
def _note_body(note: Note, lang: str) -> str:
    return sanitize(note.body.get(lang).strip())


MAX_RELATED = 2
"""Related notes linked from a hover card (the full note links every one)."""


def note_link(note: Note, lang: str) -> str:
    """A Markdown link to ``note``'s full page, titled with its title."""
    return link(note_text(note, lang).title, f"{NOTE_LINK_PREFIX}{note.id}")


def _facts(note: Note, lang: str, verified: Mapping[str, str], *, full_link: bool) -> str:
    """The verified-on line with the requirements and the links to the docs and full note."""
    version = verified.get(note.id)
    key = "verified_local" if isinstance(version, LocalVersion) else "verified"
    status = "✅ " + text(lang, key, version=version) if version else ""
    facts = [status or text(lang, "unverified")]
    if note.requires:
        facts.append(text(lang, "requires", tags=escape_text(", ".join(note.requires))))
    if note.docs:
        facts.append(link(text(lang, "docs"), note.docs))  # re-serialised, https only
    if full_link:
        facts.append(link(text(lang, "full_note"), f"{NOTE_LINK_PREFIX}{note.id}"))
    return " · ".join(facts)


def _deprecation(note: Note, lang: str) -> str:
    if note.deprecated is None:
        return ""
    dep = note.deprecated
    message = note_text(note, lang).deprecation
    if argument_deprecation(note) and message:
        # An argument (``pretrained=``) is deprecated, not the note's symbols: the message says so.
        return "⚠️ " + message
    line = "⚠️ " + text(
        lang, "deprecated", since=escape_text(dep.since), replacement=code_span(dep.replacement)
    )
    return f"{line} {message}" if message else line


def card_markdown(
    note: Note,
    lang: str,
    index: CorpusIndex,
    verified: Mapping[str, str],
    *,
    see_also: tuple[Note, ...] = (),
    deprecation: bool = True,
) -> str:
    """The hover card: title, summary, pitfall, the hover block, verified-on line, links.

    ``see_also`` are other notes on the same symbol, linked before the note's own
    related notes (at most :data:`MAX_RELATED` of those). ``deprecation=False`` leaves
    out the deprecation line (on a flagged range the diagnostic says it already).
    """
    fields = note_text(note, lang)
    parts = [f"### {fields.title}", fields.summary]
    if fields.pitfall:
        parts.append(f"**{text(lang, 'pitfall')}:** {fields.pitfall}")
    if deprecation:
        parts.append(_deprecation(note, lang))
    if note.hover:
        parts.append(code_block(note.hover))
    parts.append(_facts(note, lang, verified, full_link=True))
    shown = {note.id, *(other.id for other in see_also)}
    related = [index.by_id[rid] for rid in note.related if rid in index.by_id and rid not in shown][
        :MAX_RELATED
    ]
    if see_also:
        links = " · ".join(note_link(other, lang) for other in see_also)
        parts.append(f"**{text(lang, 'see_also')}:** {links}")
    if related:
        links = " · ".join(note_link(other, lang) for other in related)
        parts.append(f"**{text(lang, 'related')}:** {links}")
    return "\n\n".join(part for part in parts if part)


def note_markdown(
    note: Note,
    lang: str,
    index: CorpusIndex,
    verified: Mapping[str, str],
    *,
    symbol: str | None = None,
) -> str:
    """The full note: title, summary, body, pitfall, version facts, hover block, example, links."""
    fields = note_text(note, lang)
    parts = [f"### {fields.title}"]
    parts.append(f"{code_span(symbol or note.symbols[0])} · {code_span(note.id)}")
    parts.append(fields.summary)
    parts.append(_note_body(note, lang))
    if fields.pitfall:
        parts.append(f"**{text(lang, 'pitfall')}:** {fields.pitfall}")
    parts.append(_deprecation(note, lang))
    if note.since:
        parts.append(text(lang, "since", since=escape_text(note.since)))
    if note.hover:
        parts.append(code_block(note.hover))
    parts.append(f"**{text(lang, 'example')}**\n\n{code_block(note.example)}")
    parts.append(_facts(note, lang, verified, full_link=False))
    related = [index.by_id[rid] for rid in note.related if rid in index.by_id]
    if related:
        links = " · ".join(note_link(other, lang) for other in related)
        parts.append(f"**{text(lang, 'related')}:** {links}")
    return "\n\n".join(part for part in parts if part)


def notes_for_symbols(index: CorpusIndex, symbols: tuple[str, ...]) -> tuple[Note, ...]:
    """The notes of ``symbols`` (likeliest first), each once."""
    seen: dict[str, Note] = {}
    for symbol in symbols:
        for note in index.notes_for(symbol):
            seen.setdefault(note.id, note)
    return tuple(seen.values())


def snippet_markdown(note: Note, lang: str) -> str:
    """A snippet's documentation: description, what it inserts (defaults filled in, as
    Python), then the note's summary."""
    assert note.snippet is not None
    snippet = note.snippet
    fields = note_text(note, lang)
    return "\n\n".join(
        [
            f"**{fields.title}** — {text(lang, 'snippet', prefix=snippet.prefix)}",
            fields.snippet_description,
            code_block(parse_snippet(snippet.body).expand()),
            fields.summary,
        ]
    )
