"""Plain text for the places where clients show plain text.

Completion labels, details and ``labelDetails``, diagnostic messages, code-action titles
and status texts are never rendered as Markdown by editors: backticks and asterisks
would show literally. Notes and the catalogue write inline Markdown; :func:`plain_text`
turns it into readable plain text (code names quoted, emphasis markers dropped).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_INLINE = re.compile(r"(`+)(.+?)\1|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")
"""A code span (kept verbatim, even with ``*`` inside), or strong/emphasised text."""

_QUOTES = {"zh": ("“", "”")}
_DEFAULT_QUOTES = ('"', '"')


def map_inline(text: str, code: Callable[[str], str]) -> str:
    """``text`` with each code span replaced by ``code(span)`` and emphasis markers dropped."""

    def replace(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return code(match.group(2).strip() if match.group(1) != "`" else match.group(2))
        return match.group(3) or match.group(4)

    return _INLINE.sub(replace, text)


def plain_text(text: str, lang: str) -> str:
    """Inline Markdown as plain text in ``lang``: ``"view"`` in English, “view” in Chinese."""
    left, right = _QUOTES.get(lang, _DEFAULT_QUOTES)
    return map_inline(text, lambda span: f"{left}{span}{right}")
