"""Diagnostics in the user's language: the catalogue, the rules' keys and the LSP edge."""

from __future__ import annotations

import re

import pytest
from lsprotocol import types

from tests.diagnostics_support import builtin_index, check
from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.model import Text
from torch_notes.diagnostics.lsp_convert import quick_fixes, to_lsp
from torch_notes.diagnostics.messages import (
    PASS_THROUGH,
    Message,
    fields,
    render,
)
from torch_notes.diagnostics.registry import RULES
from torch_notes.i18n import CATALOGUE, LANGUAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
CODE_SPAN = re.compile(r"`[^`]*`")
FIELD = re.compile(r"\{[^{}]*\}")
ASCII_PUNCTUATION = re.compile(r"[:;,.?!()]")


def _prose(text: str) -> str:
    """``text`` without code spans and format fields: what full-width rules apply to."""
    return FIELD.sub("", CODE_SPAN.sub("", text))


def test_every_rule_declares_its_messages() -> None:
    for rule in RULES:
        assert rule.messages, f"{rule.code} declares no message keys"
        for key in rule.messages:
            assert key in CATALOGUE, f"{rule.code}: no catalogue entry {key!r}"
            assert key.startswith(f"{rule.code}."), key


def test_every_diagnostic_entry_belongs_to_a_rule() -> None:
    declared = {key for rule in RULES for key in rule.messages}
    codes = {rule.code for rule in RULES}
    diagnostic = {key for key in CATALOGUE if key.partition(".")[0] in codes}
    assert diagnostic == declared
    assert all("." not in key for key in set(CATALOGUE) - diagnostic), "UI keys are plain words"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_entry_exists_in_every_language_with_the_same_fields(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert fields(entry["zh"]) == fields(entry["en"])


@pytest.mark.parametrize("key", sorted(set(CATALOGUE) - PASS_THROUGH))
def test_chinese_entry_is_chinese_with_full_width_punctuation(key: str) -> None:
    zh, en = CATALOGUE[key]["zh"], CATALOGUE[key]["en"]
    assert CJK.search(zh), zh
    assert not CJK.search(en), en
    assert not ASCII_PUNCTUATION.search(_prose(zh)), zh
    assert set(CODE_SPAN.findall(zh)) == set(CODE_SPAN.findall(en))  # API names untouched


def test_render_formats_parameters_and_localized_parameters() -> None:
    note = Text(en="Use `b`.", zh="请用 `b`。")
    message = Message.of("deprecated-api.message.note", name="a", since="1.0", note=note)
    assert render(message, "en") == "`a` is deprecated since 1.0. Use `b`."
    assert message.render("zh") == "`a` 自 1.0 起已弃用。请用 `b`。"
    assert message.render("fr") == message.render("en")  # unknown languages fall back
    assert hash(message) == hash(
        Message.of("deprecated-api.message.note", note=note, since="1.0", name="a")
    )
    with pytest.raises(KeyError):
        Message.of("no-such-rule.message")


# Every message and fix key, reached through real code; English exactly as it always was.
CASES = [
    (
        "import torch\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).view(-1)\n",
        "`view` on the result of `transpose()` fails when the new shape merges or splits the "
        "swapped dimensions: the tensor is no longer contiguous. "
        "Call `.contiguous()` first or use `reshape`.",
        ["Insert `.contiguous()` before `.view`", "Use `reshape` instead of `view`"],
        "对 `transpose()` 的结果调用 `view`，若新形状合并或拆分了被交换的维度就会报错：此时张量已"
        "不再连续。请先调用 `.contiguous()`，或改用 `reshape`。",
        ["在 `.view` 前插入 `.contiguous()`", "改用 `reshape` 代替 `view`"],
    ),
    (
        "import torch as th\ny = th.arrange(5)\n",
        "`torch.arrange` does not exist: did you mean `arange`?",
        ["Change to `arange`"],
        "`torch.arrange` 不存在：你是想用 `arange` 吗？",
        ["改为 `arange`"],
    ),
    (
        "import torch\ny = torch.nosuchthingatall(5)\n",
        None,
        [],
        None,
        [],
    ),
    (
        "from torch import arrange\narrange = 3\n",
        "`torch.arrange` does not exist: did you mean `arange`?",
        ["Import `arange` as `arrange`"],
        "`torch.arrange` 不存在：你是想用 `arange` 吗？",
        ["导入 `arange` 并命名为 `arrange`"],
    ),
    (
        "import torch\nn = torch.norm(x, p=2, dim=1)\n",
        "`torch.norm` is deprecated since 1.7. Use `torch.linalg.vector_norm` for vector norms "
        "and `torch.linalg.matrix_norm` for matrix norms.",
        ["Use `torch.linalg.vector_norm`"],
        "`torch.norm` 自 1.7 起已弃用。向量范数请用 `torch.linalg.vector_norm`，"
        "矩阵范数请用 `torch.linalg.matrix_norm`。",
        ["改用 `torch.linalg.vector_norm`"],
    ),
    (
        "from torchvision import models\nm = models.resnet18(pretrained=True)\n",
        None,
        ['Replace with `weights="DEFAULT"`'],
        None,
        ['替换为 `weights="DEFAULT"`'],
    ),
    (
        "import torch\ny = torch.rand(2, 3).repeate(2, 1)\n",
        "Tensor has no method `repeate`: did you mean `repeat`?",
        ["Change to `repeat`"],
        "Tensor 没有方法 `repeate`：你是想用 `repeat` 吗？",
        ["改为 `repeat`"],
    ),
]


@pytest.mark.parametrize(("code", "en", "en_fixes", "zh", "zh_fixes"), CASES)
def test_rule_messages_in_both_languages(
    code: str, en: str | None, en_fixes: list[str], zh: str | None, zh_fixes: list[str]
) -> None:
    (diagnostic,) = check(code)
    if en is not None:
        assert diagnostic.message == diagnostic.message_in("en") == en
    if zh is not None:
        assert diagnostic.message_in("zh") == zh
    assert CJK.search(diagnostic.message_in("zh"))
    assert not CJK.search(diagnostic.message_in("en"))
    assert [fix.title for fix in diagnostic.fixes] == en_fixes
    assert [fix.title_in("zh") for fix in diagnostic.fixes] == zh_fixes


def test_missing_name_message_and_note_deprecations_in_chinese() -> None:
    (missing,) = check("import torch\ny = torch.nosuchthingatall(5)\n")
    assert missing.message.startswith("`torch.nosuchthingatall` does not exist in torch ")
    assert missing.message_in("zh").endswith(" 的公开 API 中没有 `torch.nosuchthingatall`")
    (pretrained,) = check("from torchvision import models\nm = models.resnet18(pretrained=True)\n")
    note = builtin_index().by_id["models.torchvision_weights"]
    assert note.deprecated is not None and note.deprecated.message is not None
    assert pretrained.message == note.deprecated.message.en
    assert pretrained.message_in("zh") == note.deprecated.message.zh
    (amp,) = check("import torch\nwith torch.cuda.amp.autocast():\n    pass\n")
    assert amp.message_in("zh").startswith("`torch.cuda.amp.autocast` 自 2.4 起已弃用。")


def test_lsp_edge_renders_in_the_requested_language() -> None:
    text = "import torch\nx = torch.rand(2, 3)\ny = x.t().view(3, 2)\n"
    doc = SourceDocument.parse(text)
    index = builtin_index()
    found = check(text)
    english = to_lsp(found[0], doc, index, "en")
    chinese = to_lsp(found[0], doc, index, "zh")
    assert english.message.startswith('"view" on the result of "t()"')
    assert chinese.message.startswith("对 “t()” 的结果调用 “view”")
    assert chinese.code == english.code == "view-after-transpose"
    everywhere = types.Range(types.Position(0, 0), types.Position(9, 0))
    actions = quick_fixes(found, doc, index, "file:///a.py", everywhere, "zh")
    assert [a.title for a in actions] == [
        "在 “.view” 前插入 “.contiguous()”",
        "改用 “reshape” 代替 “view”",
    ]
    assert actions[0].diagnostics == [chinese]
