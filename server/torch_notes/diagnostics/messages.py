"""Every user-facing text of the diagnostics, in every supported language.

Rules stay language-free: a finding carries a :class:`Message` (a catalogue key and its
parameters), and the edge (LSP conversion, ``torch-notes check --lang``) renders it in
the user's language with :func:`render`. A parameter is plain text (an API name, a
version: the same in every language) or a corpus :class:`~torch_notes.corpus.model.Text`
(a note's own ``deprecated.message``), which is rendered in the requested language too.

Chinese texts keep API names in backticks and use full-width punctuation.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from torch_notes.corpus.model import Text

LANGUAGES: tuple[str, ...] = ("en", "zh")
"""The languages every catalogue entry is written in; the first is the fallback."""

ParamValue = str | Text
"""A message parameter: the same text in every language, or one text per language."""

CATALOGUE: dict[str, dict[str, str]] = {
    # -- view-after-transpose ------------------------------------------------------------
    "view-after-transpose.message": {
        "en": "`view` on the result of `{operation}` fails when the new shape merges or splits "
        "the swapped dimensions: the tensor is no longer contiguous. "
        "Call `.contiguous()` first or use `reshape`.",
        "zh": "对 `{operation}` 的结果调用 `view`，若新形状合并或拆分了被交换的维度就会报错："
        "此时张量已不再连续。请先调用 `.contiguous()`，或改用 `reshape`。",
    },
    "view-after-transpose.fix.contiguous": {
        "en": "Insert `.contiguous()` before `.view`",
        "zh": "在 `.view` 前插入 `.contiguous()`",
    },
    "view-after-transpose.fix.reshape": {
        "en": "Use `reshape` instead of `view`",
        "zh": "改用 `reshape` 代替 `view`",
    },
    # -- unknown-torch-attr --------------------------------------------------------------
    "unknown-torch-attr.message.suggest": {
        "en": "`{name}` does not exist: did you mean `{guess}`?",
        "zh": "`{name}` 不存在：你是想用 `{guess}` 吗？",
    },
    "unknown-torch-attr.message.missing": {
        "en": "`{name}` does not exist in torch {version}'s public API",
        "zh": "torch {version} 的公开 API 中没有 `{name}`",
    },
    "unknown-torch-attr.fix.rename": {
        "en": "Change to `{guess}`",
        "zh": "改为 `{guess}`",
    },
    "unknown-torch-attr.fix.import-as": {
        "en": "Import `{new}` as `{old}`",
        "zh": "导入 `{new}` 并命名为 `{old}`",
    },
    # -- deprecated-api ------------------------------------------------------------------
    "deprecated-api.message.note": {
        "en": "`{name}` is deprecated since {since}. {note}",
        "zh": "`{name}` 自 {since} 起已弃用。{note}",
    },
    "deprecated-api.message.replacement": {
        "en": "`{name}` is deprecated since {since}: use `{replacement}` instead.",
        "zh": "`{name}` 自 {since} 起已弃用：请改用 `{replacement}`。",
    },
    "deprecated-api.message.pretrained": {
        "en": "`pretrained=` is deprecated since torchvision {since}: use `weights=`.",
        "zh": "`pretrained=` 自 torchvision {since} 起已弃用：请改用 `weights=`。",
    },
    "deprecated-api.message.note-only": {
        "en": "{note}",
        "zh": "{note}",
    },
    "deprecated-api.fix.use": {
        "en": "Use `{replacement}`",
        "zh": "改用 `{replacement}`",
    },
    "deprecated-api.fix.replace": {
        "en": "Replace with `{replacement}`",
        "zh": "替换为 `{replacement}`",
    },
    # -- tensor-method-typo --------------------------------------------------------------
    "tensor-method-typo.message": {
        "en": "Tensor has no method `{name}`: did you mean `{guess}`?",
        "zh": "Tensor 没有方法 `{name}`：你是想用 `{guess}` 吗？",
    },
    "tensor-method-typo.fix.rename": {
        "en": "Change to `{guess}`",
        "zh": "改为 `{guess}`",
    },
}
"""Message key → language → ``str.format`` template (``{name}`` fields are parameters)."""

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
