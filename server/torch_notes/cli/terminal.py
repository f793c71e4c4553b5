"""Plain-terminal rendering of notes: readable without a Markdown viewer, coloured on a TTY."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from torch_notes.corpus.model import Note
from torch_notes.plain_text import map_inline


@dataclass(frozen=True, slots=True)
class Style:
    """ANSI styling, or none."""

    color: bool

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def title(self, text: str) -> str:
        return self._wrap("1;36", text)

    def heading(self, text: str) -> str:
        return self._wrap("1", text)

    def code(self, text: str) -> str:
        return self._wrap("33", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def warn(self, text: str) -> str:
        return self._wrap("1;31", text)

    def inline(self, text: str, *, plain: bool = False) -> str:
        """Inline Markdown: code spans coloured (or just unquoted), emphasis markers dropped."""

        return map_inline(text, (lambda span: span) if plain else self.code)


def _block(text: str, style: Style, indent: str = "  ") -> str:
    return textwrap.indent(style.inline(text.strip()), indent)


def _code(source: str, style: Style) -> str:
    return "\n".join(
        style.code("    " + line) if line else "" for line in source.rstrip().split("\n")
    )


def render_note(note: Note, lang: str, style: Style, verified: str | None = None) -> str:
    """A note as terminal text in ``lang``."""
    label = {"en": _EN, "zh": _ZH}[lang if lang == "zh" else "en"]
    out = [
        style.title(style.inline(note.title.get(lang), plain=True)),
        style.dim(f"{note.id} · {', '.join(note.symbols)}"),
        "",
    ]
    out += [_block(note.summary.get(lang), style, ""), "", _block(note.body.get(lang), style), ""]
    if note.pitfall is not None:
        out += [style.warn(label["pitfall"]), _block(note.pitfall.get(lang), style), ""]
    if note.deprecated is not None:
        dep = note.deprecated
        line = label["deprecated"].format(since=dep.since, replacement=dep.replacement)
        out += [style.warn(line)]
        if dep.message is not None:
            out.append(_block(dep.message.get(lang), style))
        out.append("")
    out += [style.heading(label["example"]), _code(note.example, style), ""]
    if note.snippet is not None:
        snippet = note.snippet
        head = label["snippet"].format(prefix=snippet.prefix)
        out += [style.heading(head), _block(snippet.description.get(lang), style), ""]
        out += [_code(snippet.body, style), ""]
    facts = []
    if verified:
        facts.append(verified)
    if note.requires:
        facts.append(label["requires"] + ", ".join(note.requires))
    if note.since:
        facts.append(label["since"].format(since=note.since))
    if note.related:
        facts.append(label["related"] + ", ".join(note.related))
    if note.docs:
        facts.append(label["docs"] + note.docs)
    out += [style.dim(fact) for fact in facts]
    return "\n".join(out).rstrip() + "\n"


_EN = {
    "pitfall": "Pitfall",
    "deprecated": "Deprecated since {since}: use {replacement}",
    "example": "Example (executed by the validator)",
    "snippet": "Snippet: type '{prefix}'",
    "requires": "Requires: ",
    "since": "Since torch {since}",
    "related": "Related: ",
    "docs": "Docs: ",
}
_ZH = {
    "pitfall": "易错点",
    "deprecated": "自 {since} 起弃用：请改用 {replacement}",
    "example": "示例（已由验证器执行）",
    "snippet": "代码片段：输入 '{prefix}'",
    "requires": "需要：",
    "since": "自 torch {since} 起提供",
    "related": "相关笔记：",
    "docs": "文档：",
}
