"""Markdown renderings of notes and snippets, shared by hover, completion and commands."""

from __future__ import annotations

import re
from collections.abc import Mapping

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Note
from torch_notes.features.i18n import text

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


def note_markdown(
    note: Note,
    lang: str,
    index: CorpusIndex,
    verified: Mapping[str, str],
    *,
    symbol: str | None = None,
) -> str:
    """A full note: title, summary, body, pitfall, version facts, example, provenance, links."""
    parts = [f"### {note.title.get(lang)}"]
    parts.append(f"`{symbol or note.symbols[0]}` · `{note.id}`")
    parts.append(note.summary.get(lang).strip())
    parts.append(note.body.get(lang).strip())
    if note.pitfall is not None:
        parts.append(f"**{text(lang, 'pitfall')}:** {note.pitfall.get(lang).strip()}")
    if note.deprecated is not None:
        dep = note.deprecated
        line = "⚠️ " + text(lang, "deprecated", since=dep.since, replacement=dep.replacement)
        if dep.message is not None:
            line += " " + dep.message.get(lang).strip()
        parts.append(line)
    if note.since:
        parts.append(text(lang, "since", since=note.since))
    parts.append(f"**{text(lang, 'example')}**\n\n{_code_block(note.example)}")
    facts = []
    version = verified.get(note.id)
    facts.append(
        "✅ " + text(lang, "verified", version=version) if version else text(lang, "unverified")
    )
    if note.requires:
        facts.append(text(lang, "requires", tags=", ".join(note.requires)))
    if note.docs:
        facts.append(f"[{text(lang, 'docs')}]({note.docs})")
    parts.append(" · ".join(facts))
    related = [index.by_id[rid] for rid in note.related if rid in index.by_id]
    if related:
        links = "; ".join(f"`{other.id}` — {other.title.get(lang)}" for other in related)
        parts.append(f"**{text(lang, 'related')}:** {links}")
    return defang("\n\n".join(part for part in parts if part))


def notes_markdown(
    notes: tuple[Note, ...],
    lang: str,
    index: CorpusIndex,
    verified: Mapping[str, str],
    *,
    symbol: str | None = None,
) -> str:
    """Several notes, separated by rules."""
    return "\n\n---\n\n".join(
        note_markdown(note, lang, index, verified, symbol=symbol) for note in notes
    )


def snippet_markdown(note: Note, lang: str) -> str:
    """A snippet's documentation: description, the template as code, then the note's summary."""
    assert note.snippet is not None
    snippet = note.snippet
    return defang(
        "\n\n".join(
            [
                f"**{note.title.get(lang)}** — {text(lang, 'snippet', prefix=snippet.prefix)}",
                snippet.description.get(lang).strip(),
                _code_block(snippet.body),
                note.summary.get(lang).strip(),
            ]
        )
    )
