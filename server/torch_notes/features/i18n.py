"""User-facing strings of the editor features, in every supported language."""

from __future__ import annotations

_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "pitfall": "Pitfall",
        "deprecated": "Deprecated since torch {since}: use `{replacement}` instead.",
        "since": "Available since torch {since}.",
        "example": "Example",
        "verified": "Verified on torch {version}",
        "unverified": "Not yet verified by the validator",
        "docs": "PyTorch docs",
        "related": "Related",
        "see_also": "See also",
        "full_note": "Full note",
        "requires": "Needs: {tags}",
        "snippet": "Snippet `{prefix}`",
        "insert_action": "Insert PyTorch snippet: {title}",
        "broken_notes": "torch-notes: {count} problem(s) in your notes; first: {first}. Good notes "
        "are still served; see the output log for details.",
    },
    "zh": {
        "pitfall": "易错点",
        "deprecated": "自 torch {since} 起弃用：请改用 `{replacement}`。",
        "since": "自 torch {since} 起提供。",
        "example": "示例",
        "verified": "已在 torch {version} 上验证",
        "unverified": "尚未经验证器验证",
        "docs": "PyTorch 文档",
        "related": "相关笔记",
        "see_also": "另见",
        "full_note": "完整笔记",
        "requires": "需要：{tags}",
        "snippet": "代码片段 `{prefix}`",
        "insert_action": "插入 PyTorch 代码片段：{title}",
        "broken_notes": "torch-notes：你的笔记中有 {count} 处问题，第一处：{first}。"
        "其余正确的笔记照常提供，详情见输出日志。",
    },
}


def text(lang: str, key: str, **values: object) -> str:
    """The UI string ``key`` in ``lang`` (English when ``lang`` is unknown), formatted."""
    table = _STRINGS.get(lang, _STRINGS["en"])
    return table[key].format(**values) if values else table[key]


def resolve_language(setting: str, locale: str | None) -> str:
    """``"zh"`` or ``"en"``: the explicit setting, else the client's locale (``zh-CN`` → zh)."""
    if setting in ("en", "zh"):
        return setting
    return "zh" if (locale or "").lower().startswith("zh") else "en"
