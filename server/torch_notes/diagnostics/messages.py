"""Diagnostic messages: a catalogue key and its parameters, rendered at the edge.

The texts live in the one catalogue of :mod:`torch_notes.i18n`. Rules stay
language-free: a finding carries a :class:`Message` (a catalogue key and its
parameters), and the edge (LSP conversion, ``torch-notes check --lang``) renders it in
the user's language with :func:`render`. A parameter is plain text (an API name, a
version: the same in every language) or a corpus :class:`~torch_notes.corpus.model.Text`
(a note's own ``deprecated.message``), which is rendered in the requested language too.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from torch_notes.corpus.model import Text
from torch_notes.i18n import CATALOGUE, LANGUAGES

ParamValue = str | Text
"""A message parameter: the same text in every language, or one text per language."""


PASS_THROUGH: frozenset[str] = frozenset({"deprecated-api.message.note-only"})
"""Keys whose whole text is a parameter (a note's own localized message): no CJK of their own."""


@dataclass(frozen=True, slots=True)
class Message:
    """A catalogue key and its parameters: a text not yet put in any language."""

    key: str
    params: tuple[tuple[str, ParamValue], ...] = ()

    @classmethod
    def of(cls, key: str, **params: ParamValue) -> Message:
        """``Message.of("tensor-method-typo.message", name="repeate", guess="repeat")``."""
        if key not in CATALOGUE:
            raise KeyError(f"no diagnostic message {key!r}")
        return cls(key, tuple(sorted(params.items())))

    def render(self, lang: str) -> str:
        """This message in ``lang`` (see :func:`render`)."""
        return render(self, lang)


def render(message: Message, lang: str) -> str:
    """``message`` in ``lang`` (``"en"`` or ``"zh"``; English for any other value)."""
    templates = CATALOGUE[message.key]
    lang = lang if lang in templates else LANGUAGES[0]
    values = {
        name: value.get(lang) if isinstance(value, Text) else value
        for name, value in message.params
    }
    return templates[lang].format(**values)


def fields(template: str) -> frozenset[str]:
    """The parameter names a template uses (``"{name} {since}"`` → name, since)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
