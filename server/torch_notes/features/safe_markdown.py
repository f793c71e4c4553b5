"""Note text is untrusted Markdown: parse it, keep what is allowed, write it out again.

A note may come from the user's notes or from a workspace someone else wrote. Its text
is parsed with markdown-it-py (CommonMark) and re-serialised from an allowlist:

- text, with every character that could start Markdown syntax escaped (``*`` ``_`` ``[``
  ``<`` ``&`` ``~`` ``|`` backticks, backslashes; list and heading markers at the start
  of a line; ``http:``, ``www.`` and ``@``, which GFM renderers would turn into links);
- code spans and fenced code (a fence longer than any backtick run inside it);
- emphasis, paragraphs, bullet and ordered lists;
- links whose target, after the parser decoded entities and escapes, is ``https://`` on
  a plain host name, or a note link ``torch-notes:note/<id>``; any other link keeps its
  text and loses its target (``command:``, ``&#99;ommand:``, ``command&#58;``, a link
  reference definition ``[r]: command:...``, ``javascript:``, ``http:``);
- images become their alt text; raw HTML is shown as text, never passed on; headings,
  quotes and rules become plain paragraphs.

Size and nesting are bounded: a field is cut at :data:`MAX_FIELD_CHARS` characters
before it is parsed and the parser stops nesting at :data:`MAX_NESTING` levels, so no
note can make a hover slow or large. markdown-it is imported on first use, never at
start-up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

NOTE_LINK_PREFIX = "torch-notes:note/"
"""Links to a full note: ``torch-notes:note/<id>``. The VS Code extension opens the
rendered note; other clients show the link text (and offer the note as a code action)."""

MAX_FIELD_CHARS = 8_000
"""Longest note text parsed (the longest built-in field is ~1,100 characters)."""

MAX_NESTING = 20
"""Deepest nesting of blocks and inline markup the parser follows."""

MAX_URL_CHARS = 2_048
"""Longest link target kept."""

_NOTE_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::[0-9]{1,5})?")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+-]{1,32}")
_SPECIAL = re.compile(r"[\\`*\[\]<>&~|@]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_GFM_AUTOLINK = re.compile(r"(?i)\b(?:(http|ftp)(:)|(www)(\.))")
_LINE_START = re.compile(r"([#>+=-])|([0-9]{1,9})([.)])")
_BACKTICKS = re.compile(r"`+")
_ENTITY_START = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_PATH_SAFE = "/:@!$&'*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


# -- pieces we write ourselves ---------------------------------------------------------


def escape_text(text: str, *, line_start: bool = False) -> str:
    """``text`` as Markdown that renders exactly as ``text`` (no markup, no links)."""
    escaped = _SPECIAL.sub(lambda m: "\\" + m[0], text)
    escaped = _GFM_AUTOLINK.sub(lambda m: f"{m[1] or m[3]}\\{m[2] or m[4]}", escaped)
    if line_start:
        escaped = escaped.lstrip()
        found = _LINE_START.match(escaped)
        if found is not None:
            if found[1]:
                escaped = "\\" + escaped
            else:
                escaped = f"{found[2]}\\{found[3]}{escaped[found.end() :]}"
    return escaped


def code_span(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    text = text.replace("\r\n", " ").replace("\n", " ")
    if not text:
        return ""
    fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    pad = (
        " "
        if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip())
        else ""
    )
    return f"{fence}{pad}{text}{pad}{fence}"


def code_block(source: str, language: str = "python") -> str:
    """A fenced code block that no line of ``source`` can close."""
    fence = "`" * max(3, max(map(len, _BACKTICKS.findall(source)), default=0) + 1)
    info = language if _LANGUAGE.fullmatch(language or "") else ""
    return f"{fence}{info}\n{source.rstrip()}\n{fence}"


def safe_link_target(url: str) -> str | None:
    """``url`` re-serialised if it may be a link target, else ``None``.

    Allowed: ``https://`` on a plain host name (no user, no odd characters), its path,
    query and fragment percent-encoded so that no parenthesis, bracket, angle bracket,
    quote or space can end the link early; and ``torch-notes:note/<note id>``.
    """
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        return None
    if url.startswith(NOTE_LINK_PREFIX):
        note_id = url[len(NOTE_LINK_PREFIX) :]
        return url if _NOTE_ID.fullmatch(note_id) else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or not _HOST.fullmatch(parts.netloc):
        return None
    serialised = urlunsplit(
        (
            "https",
            parts.netloc.lower(),
            quote(parts.path, safe=_PATH_SAFE) or "/",
            quote(parts.query, safe=_QUERY_SAFE),
            quote(parts.fragment, safe=_QUERY_SAFE),
        )
    )
    return _ENTITY_START.sub("%26", serialised)  # no "&#99;" for a renderer to decode


def link(text_markdown: str, url: str) -> str:
    """A Markdown link, or just the text when ``url`` is not an allowed target."""
    target = safe_link_target(url)
    return text_markdown if target is None else f"[{text_markdown}]({target})"


# -- untrusted Markdown ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})


def prepare() -> None:
    """Import and build the parser now (e.g. in a thread after start-up), not on a hover."""
    _parser()


def _bounded(text: str) -> str:
    return text if len(text) <= MAX_FIELD_CHARS else text[:MAX_FIELD_CHARS] + "…"


def sanitize_inline(text: str, *, links: bool = False) -> str:
    """Untrusted Markdown as one line of safe inline Markdown (titles, short notes).

    ``links=False`` drops every link target (for text that becomes a link's text).
    """
    tokens = _parser().parseInline(_bounded(text))
    children = tokens[0].children if tokens else None
    return _inline(children or [], links=links, line_start=True).strip()


def sanitize(text: str) -> str:
    """Untrusted Markdown as safe Markdown: see the module docstring for what is kept."""
    return _Blocks().render(_parser().parse(_bounded(text)))


def _plain(tokens: list[Token]) -> str:
    """The text of inline tokens (an image's alt text), formatting dropped."""
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline", "text_special"))


def _inline(children: list[Token], *, links: bool, line_start: bool) -> str:
    """Inline tokens as safe Markdown (iterative: nesting cannot exhaust the stack)."""
    out: list[str] = []
    open_links: list[str | None] = []
    started = not line_start
    for token in children:
        kind = token.type
        at_start = not started
        if kind in ("text", "text_special", "html_inline"):
            out.append(escape_text(token.content, line_start=at_start))
        elif kind == "code_inline":
            out.append(code_span(token.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind in ("em_open", "em_close"):
            out.append("*")
        elif kind in ("strong_open", "strong_close"):
            out.append("**")
        elif kind == "link_open":
            target = safe_link_target(str(token.attrGet("href") or "")) if links else None
            open_links.append(target)
            if target is not None:
                out.append("[")
        elif kind == "link_close":
            target = open_links.pop() if open_links else None
            if target is not None:
                out.append(f"]({target})")
        elif kind == "image":
            out.append(escape_text(_plain(token.children or []), line_start=at_start))
        else:  # anything else the parser may add: its text, escaped
            out.append(escape_text(token.content, line_start=at_start))
        started = started or bool(out and out[-1].strip())
    return "".join(out)


class _Blocks:
    """Block tokens as safe Markdown: paragraphs, lists and code fences."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indents: list[str] = []
        self.lists: list[list[Any]] = []  # [ordered, next number]
        self.marker: str | None = None
        self.hidden = False  # the paragraph is in a tight list: no blank line before it
        self.gap = False  # a list began or ended: a blank line before the next block

    def render(self, tokens: list[Token]) -> str:
        for token in tokens:
            kind = token.type
            if kind == "paragraph_open":
                self.hidden = token.hidden
            elif kind in ("bullet_list_open", "ordered_list_open"):
                start = token.attrGet("start") if kind == "ordered_list_open" else None
                self.lists.append([kind == "ordered_list_open", int(start or 1)])
                self.gap = self.gap or len(self.lists) == 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                self.gap = self.gap or not self.lists
            elif kind == "list_item_open":
                ordered, number = self.lists[-1]
                self.marker = f"{number}. " if ordered else "- "
                self.lists[-1][1] += 1
                self.indents.append(" " * len(self.marker))
            elif kind == "list_item_close":
                if self.marker is not None:  # an empty item
                    self._emit([""], loose=False)
                self.indents.pop()
            elif kind == "inline":
                text = _inline(token.children or [], links=True, line_start=True)
                self._emit([text], loose=not self.hidden)
                self.hidden = False
            elif kind in ("fence", "code_block"):
                info = token.info.strip().split(" ")[0] if kind == "fence" else ""
                self._emit(code_block(token.content, info).split("\n"), loose=True)
            elif kind == "html_block":
                self._emit(
                    [escape_text(" ".join(token.content.split()), line_start=True)], loose=True
                )
            # the open and close of headings and quotes, rules: no output of their own
        return "\n".join(self.lines).strip("\n")

    def _emit(self, lines: list[str], *, loose: bool) -> None:
        """Write a block's lines under the current list item (after a blank line if loose)."""
        if self.lines and (loose or self.gap):
            self.lines.append("")
        self.gap = False
        outer = "".join(self.indents[:-1])
        inner = "".join(self.indents)
        for index, line in enumerate(lines):
            if index == 0 and self.marker is not None:
                self.lines.append(f"{outer}{self.marker}{line}".rstrip())
                self.marker = None
            else:
                self.lines.append(f"{inner}{line}".rstrip() if line else "")
