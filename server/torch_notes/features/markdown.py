"""Markdown renderings of notes and snippets, shared by hover, completion and commands."""

from __future__ import annotations

import re
from collections.abc import Mapping

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note
from torch_notes.corpus.snippet_syntax import parse_snippet
from torch_notes.diagnostics.deprecations import argument_deprecation
from torch_notes.i18n import text

_COMMAND_LINK = re.compile(r"(\]\(\s*<?|href\s*=\s*[\"']?|<)(command:)", re.IGNORECASE)


def defang(markdown: str) -> str:
    """Neutralise ``command:`` link targets a (user's) note may carry.

    Hovers are never marked trusted, so VS Code would not run them anyway; this keeps
    other clients, and any future trusted rendering, from ever seeing one.
    """
    return _COMMAND_LINK.sub(r"\1#blocked-\2", markdown)


def _code_block(source: str) -> str:
    fence = "````" if "```" in source else "```"
    return f"{fence}python\n{source.rstrip()}\n{fence}"


NOTE_LINK_PREFIX = "torch-notes:note/"
"""Links to a full note: ``torch-notes:note/<id>``. The VS Code extension opens the
rendered note; other clients show the link text (and offer the note as a code action)."""

MAX_RELATED = 2
"""Related notes linked from a hover card (the full note links every one)."""


def note_link(note: Note, lang: str) -> str:
    """A Markdown link to ``note``'s full page, titled with its title."""
    return f"[{note.title.get(lang)}]({NOTE_LINK_PREFIX}{note.id})"


def _facts(note: Note, lang: str, verified: Mapping[str, str], *, full_link: bool) -> str:
    """The verified-on line with the requirements and the links to the docs and full note."""
    version = verified.get(note.id)
    status = "✅ " + text(lang, "verified", version=version) if version else ""
    facts = [status or text(lang, "unverified")]
    if note.requires:
        facts.append(text(lang, "requires", tags=", ".join(note.requires)))
    if note.docs:
        facts.append(f"[{text(lang, 'docs')}]({note.docs})")
    if full_link:
        facts.append(f"[{text(lang, 'full_note')}]({NOTE_LINK_PREFIX}{note.id})")
    return " · ".join(facts)


def _deprecation(note: Note, lang: str) -> str:
    if note.deprecated is None:
        return ""
    dep = note.deprecated
    if argument_deprecation(note) and dep.message is not None:
        # An argument (``pretrained=``) is deprecated, not the note's symbols: the message says so.
        return "⚠️ " + dep.message.get(lang).strip()
    line = "⚠️ " + text(lang, "deprecated", since=dep.since, replacement=dep.replacement)
    if dep.message is not None:
        line += " " + dep.message.get(lang).strip()
    return line


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
    parts = [f"### {note.title.get(lang)}", note.summary.get(lang).strip()]
    if note.pitfall is not None:
        parts.append(f"**{text(lang, 'pitfall')}:** {note.pitfall.get(lang).strip()}")
    if deprecation:
        parts.append(_deprecation(note, lang))
    if note.hover:
        parts.append(_code_block(note.hover))
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
    return defang("\n\n".join(part for part in parts if part))


def note_markdown(
    note: Note,
    lang: str,
    index: CorpusIndex,
    verified: Mapping[str, str],
    *,
    symbol: str | None = None,
) -> str:
    """The full note: title, summary, body, pitfall, version facts, hover block, example, links."""
    parts = [f"### {note.title.get(lang)}"]
    parts.append(f"`{symbol or note.symbols[0]}` · `{note.id}`")
    parts.append(note.summary.get(lang).strip())
    parts.append(note.body.get(lang).strip())
    if note.pitfall is not None:
        parts.append(f"**{text(lang, 'pitfall')}:** {note.pitfall.get(lang).strip()}")
    parts.append(_deprecation(note, lang))
    if note.since:
        parts.append(text(lang, "since", since=note.since))
    if note.hover:
        parts.append(_code_block(note.hover))
    parts.append(f"**{text(lang, 'example')}**\n\n{_code_block(note.example)}")
    parts.append(_facts(note, lang, verified, full_link=False))
    related = [index.by_id[rid] for rid in note.related if rid in index.by_id]
    if related:
        links = " · ".join(note_link(other, lang) for other in related)
        parts.append(f"**{text(lang, 'related')}:** {links}")
    return defang("\n\n".join(part for part in parts if part))


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
    return defang(
        "\n\n".join(
            [
                f"**{note.title.get(lang)}** — {text(lang, 'snippet', prefix=snippet.prefix)}",
                snippet.description.get(lang).strip(),
                _code_block(parse_snippet(snippet.body).expand()),
                note.summary.get(lang).strip(),
            ]
        )
    )
