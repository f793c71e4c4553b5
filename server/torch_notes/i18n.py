"""Every user-facing text of torch-notes in every supported language: one catalogue.

Editor features (hover cards, code actions, messages), the diagnostics' messages and
fix titles (see :mod:`torch_notes.diagnostics.messages`) and the command line all take
their texts from :data:`CATALOGUE`. Notes carry their own texts (:class:`Text`).
Chinese texts keep API names in backticks and use full-width punctuation.
"""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "zh")
"""The languages of every text (notes and catalogue); the first is the fallback."""

CATALOGUE: dict[str, dict[str, str]] = {
    # -- editor features ------------------------------------------------------------------
    "pitfall": {
        "en": "Pitfall",
        "zh": "易错点",
    },
    "deprecated": {
        "en": "Deprecated since torch {since}: use `{replacement}` instead.",
        "zh": "自 torch {since} 起弃用：请改用 `{replacement}`。",
    },
    "since": {
        "en": "Available since torch {since}.",
        "zh": "自 torch {since} 起提供。",
    },
    "example": {
        "en": "Example",
        "zh": "示例",
    },
    "verified": {
        "en": "Verified on torch {version}",
        "zh": "已在 torch {version} 上验证",
    },
    "unverified": {
        "en": "Not yet verified by the validator",
        "zh": "尚未经验证器验证",
    },
    "docs": {
        "en": "PyTorch docs",
        "zh": "PyTorch 文档",
    },
    "related": {
        "en": "Related",
        "zh": "相关笔记",
    },
    "see_also": {
        "en": "See also",
        "zh": "另见",
    },
    "full_note": {
        "en": "Full note",
        "zh": "完整笔记",
    },
    "requires": {
        "en": "Needs: {tags}",
        "zh": "需要：{tags}",
    },
    "snippet": {
        "en": "Snippet `{prefix}`",
        "zh": "代码片段 `{prefix}`",
    },
    "open_note_action": {
        "en": "Open note: {title}",
        "zh": "打开笔记：{title}",
    },
    "insert_action": {
        "en": "Insert PyTorch snippet: {title}",
        "zh": "插入 PyTorch 代码片段：{title}",
    },
    "broken_notes": {
        "en": "torch-notes: {count} problem(s) in your notes; first: {first}. Good notes are "
        "still served; see the output log for details.",
        "zh": "torch-notes：你的笔记中有 {count} 处问题，第一处：{first}。"
        "其余正确的笔记照常提供，详情见输出日志。",
    },
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
"""Key → language → ``str.format`` template (``{name}`` fields are parameters)."""


def text(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (English when ``lang`` is unknown), formatted."""
    templates = CATALOGUE[key]
    template = templates.get(lang, templates[LANGUAGES[0]])
    return template.format(**values) if values else template


def resolve_language(setting: str, locale: str | None) -> str:
    """``"zh"`` or ``"en"``: the explicit setting, else the client's locale (``zh-CN`` → zh)."""
    if setting in LANGUAGES:
        return setting
    return "zh" if (locale or "").lower().startswith("zh") else "en"
