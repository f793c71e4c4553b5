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
        "en": "Deprecated since torch {since}: use {replacement} instead.",
        "zh": "自 torch {since} 起弃用：请改用 {replacement}。",
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
    # -- writing notes (note files in the editor) -----------------------------------------
    "verified_local": {
        "en": "Verified on torch {version} (your environment)",
        "zh": "已在你的环境中用 torch {version} 验证",
    },
    "note_symbol_suggest": {
        "en": "`{symbol}`: torch {version} has no `{name}` in `{parent}`; "
        "did you mean `{suggestion}`?",
        "zh": "`{symbol}`：torch {version} 的 `{parent}` 里没有 `{name}`，"
        "是不是想写 `{suggestion}`？",
    },
    "note_symbol_missing": {
        "en": "`{symbol}`: torch {version} has no `{name}` in `{parent}`.",
        "zh": "`{symbol}`：torch {version} 的 `{parent}` 里没有 `{name}`。",
    },
    "note_related_suggest": {
        "en": "No note has the id `{id}` (did you mean `{suggestion}`?): the note is not loaded "
        "until this is fixed.",
        "zh": "没有 id 为 `{id}` 的笔记（是不是想写 `{suggestion}`？）；改正之前这条笔记不会加载。",
    },
    "note_related_missing": {
        "en": "No note has the id `{id}`: the note is not loaded until this is fixed.",
        "zh": "没有 id 为 `{id}` 的笔记；改正之前这条笔记不会加载。",
    },
    "note_budget_summary": {
        "en": "The summary ({language}) has {size} characters; a card's summary has at most "
        "{limit}.",
        "zh": "摘要（{language}）有 {size} 个字符；卡片的摘要最多 {limit} 个。",
    },
    "note_budget_pitfall": {
        "en": "The pitfall ({language}) has {size} characters; a card's pitfall has at most "
        "{limit}.",
        "zh": "易错点（{language}）有 {size} 个字符；卡片的易错点最多 {limit} 个。",
    },
    "note_budget_hover": {
        "en": "The hover block has {size} lines; a card shows at most {limit}.",
        "zh": "hover 代码块有 {size} 行；卡片最多显示 {limit} 行。",
    },
    "note_budget_card": {
        "en": "The card ({language}) has {size} characters, more than {limit}: shorten the "
        "summary, the pitfall or the hover block.",
        "zh": "卡片（{language}）有 {size} 个字符，超过 {limit}："
        "请缩短摘要、易错点或 hover 代码块。",
    },
    "note_example_no_assert": {
        "en": "The example asserts nothing: `assert` what the note claims (shapes, dtypes, values, "
        "raised errors).",
        "zh": "示例没有任何断言：请用 `assert` 验证笔记所说的内容"
        "（形状、dtype、数值、抛出的异常）。",
    },
    "note_validation_failed": {
        "en": "{reason} ({label}, run on torch {version})",
        "zh": "{reason}（{label}，在 torch {version} 上运行）",
    },
    "note_symbol_exists": {
        "en": "`{symbol}` is in the API of torch {version}.",
        "zh": "torch {version} 的 API 中有 `{symbol}`。",
    },
    "note_symbol_unchecked": {
        "en": "`{symbol}` is not covered by the shipped API inventory of torch {version} (it "
        "lists {covered}): use it in the example so the validator runs it.",
        "zh": "随附的 torch {version} API 清单不包含 `{symbol}`（清单只列出 {covered}）：请在示例中"
        "用到它，让验证器实际运行。",
    },
    "note_symbol_claimed": {
        "en": "Notes on it (a Python hover shows the first): {notes}",
        "zh": "讲它的笔记（Python 文件中的悬停显示第一条）：{notes}",
    },
    "note_symbol_unclaimed": {
        "en": "No note explains it yet.",
        "zh": "还没有笔记讲它。",
    },
    "note_preview_other_first": {
        "en": "A Python hover on `{symbol}` shows the note `{other}` first; this one is linked "
        "under “See also”.",
        "zh": "在 Python 文件中悬停 `{symbol}` 时先显示笔记 `{other}`，这条笔记列在“另见”里。",
    },
    "note_preview_title": {
        "en": "Card preview: `{symbol}` in a Python file",
        "zh": "卡片预览：Python 文件中的 `{symbol}`",
    },
    "note_lens_preview": {
        "en": "Preview card",
        "zh": "预览卡片",
    },
    "note_lens_passed": {
        "en": "✓ verified on torch {version} (your environment)",
        "zh": "✓ 已在你的环境中用 torch {version} 验证",
    },
    "note_lens_failed": {
        "en": "✗ failed on save: {reason}",
        "zh": "✗ 保存时验证失败：{reason}",
    },
    "note_lens_skipped": {
        "en": "skipped on save: {reason}",
        "zh": "保存时跳过：{reason}",
    },
    "note_progress_title": {
        "en": "Validating {count} note(s)",
        "zh": "正在验证 {count} 条笔记",
    },
    "note_progress_report": {
        "en": "{done}/{total}: {label}",
        "zh": "第 {done}/{total} 项：{label}",
    },
    "note_progress_starting": {
        "en": "starting the validator (imports torch)",
        "zh": "正在启动验证器（导入 torch）",
    },
    "note_validation_no_python": {
        "en": "torch-notes: set `torchNotes.validation.python` to a Python interpreter that has "
        "torch to run your notes' examples when you save them (`torch-notes validate FILE` "
        "does it in a terminal).",
        "zh": "torch-notes：把 `torchNotes.validation.python` 设为装有 torch 的 Python 解释器，"
        "保存笔记时即可运行其中的示例（终端中可用 `torch-notes validate FILE`）。",
    },
    "note_validation_no_start": {
        "en": "torch-notes: the validator could not run with {python}: {reason}",
        "zh": "torch-notes：验证器无法用 {python} 运行：{reason}",
    },
    "new_note_action": {
        "en": "Write a note for `{symbol}`",
        "zh": "为 `{symbol}` 写一条笔记",
    },
    "new_note_no_folder": {
        "en": "torch-notes: to write your own notes, set `torchNotes.extraPaths` to a folder for "
        "them (in your editor's settings), then run the action again. From a terminal: "
        "`torch-notes new {symbol} --dir DIR`.",
        "zh": "torch-notes：要写自己的笔记，请在编辑器设置中把 `torchNotes.extraPaths` "
        "设为存放笔记的文件夹，然后再执行一次。终端中可用：`torch-notes new {symbol} --dir DIR`。",
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
