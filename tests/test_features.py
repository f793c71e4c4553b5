"""Unit tests of the editor features as plain functions (no server involved)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.positions import UTF8, UTF16
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.model import Corpus, Deprecation, Location, Note, Snippet, Text
from torch_notes.features import code_actions, commands, completion
from torch_notes.features.explain import explain
from torch_notes.features.hover import hover
from torch_notes.features.snippets import EditSupport, indent_continuation, snippet_edit
from torch_notes.i18n import resolve_language
from torch_notes.lsp.log import ClientLogHandler, level_for_trace
from torch_notes.lsp.settings import DEFAULT_SETTINGS, Settings
from torch_notes.lsp.state import ClientFacts
from torch_notes.lsp.watch import snapshot, watchers

TRAIN_BODY = "for ${1:epoch} in range(${2:10}):\n    optimizer = torch.optim.${3|SGD,Adam|}(p)\n$0"


def _text(en: str, zh: str) -> Text:
    return Text(en=en, zh=zh)


CONTIGUOUS = Note(
    id="tensor.contiguous",
    symbols=("torch.Tensor.contiguous",),
    title=_text("contiguous() title", "contiguous() 标题"),
    summary=_text("Swap strides summary.", "步长摘要。"),
    body=_text("The *body* text.", "正文。"),
    example="import torch\nassert torch.zeros(2).t().is_contiguous()\n",
    location=Location(Path("n.yaml"), 1),
    example_line=3,
    pitfall=_text("view after transpose fails", "转置后 view 会失败"),
    hover=">>> torch.zeros(2, 3).t().is_contiguous()\nFalse\n",
    related=("training.loop",),
    docs="https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html",
)
LOOP = Note(
    id="training.loop",
    symbols=("torch.optim.Optimizer.zero_grad", "torch.Tensor.backward"),
    title=_text("The training loop", "训练循环"),
    summary=_text("zero_grad, forward, backward, step.", "清零、前向、反向、更新。"),
    body=_text("Loop body.", "循环正文。"),
    example="assert True\n",
    location=Location(Path("n.yaml"), 20),
    example_line=21,
    snippet=Snippet(prefix="pt-train", description=_text("A loop", "一个循环"), body=TRAIN_BODY),
)
OLD = Note(
    id="math.old_norm",
    symbols=("torch.norm",),
    title=_text("torch.norm", "torch.norm"),
    summary=_text("Use vector_norm.", "请用 vector_norm。"),
    body=_text("Old.", "旧。"),
    example="assert True\n",
    location=Location(Path("n.yaml"), 40),
    example_line=41,
    deprecated=Deprecation(since="2.0", replacement="torch.linalg.vector_norm"),
    snippet=Snippet(prefix="pt-norm", description=_text("norm", "范数"), body="n = ${1:x}.norm()"),
)
VERIFIED = {"tensor.contiguous": "2.6.0"}


@pytest.fixture(scope="module")
def index() -> CorpusIndex:
    return CorpusIndex.build(Corpus((CONTIGUOUS, LOOP, OLD)))


def analyse(source: str, encoding: str = UTF16) -> Analysis:
    return Analysis.of(SourceDocument.parse(source, encoding=encoding))


def pos(source: str, marker: str, offset: int = 0) -> types.Position:
    start = source.index(marker) + offset
    return types.Position(source.count("\n", 0, start), start - (source.rfind("\n", 0, start) + 1))


SCRIPT = "import torch\n\nx = torch.zeros(3)\ny = x.t().contiguous()\nloss.backward()\n"


# -- hover ---------------------------------------------------------------------------------


def test_hover_is_a_card(index):
    result = hover(analyse(SCRIPT), pos(SCRIPT, "contiguous"), index, "en", VERIFIED)
    assert result is not None
    assert result.range == types.Range(types.Position(3, 10), types.Position(3, 20))
    value = result.contents.value
    for part in (
        "### contiguous() title",
        "Swap strides summary.",
        "**Pitfall:** view after transpose fails",
        "```python\n>>> torch.zeros(2, 3).t().is_contiguous()\nFalse\n```",
        "Verified on torch 2.6.0",
        "[PyTorch docs](https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html)",
        "[Full note](torch-notes:note/tensor.contiguous)",
        "**Related:** [The training loop](torch-notes:note/training.loop)",
    ):
        assert part in value
    assert "The *body* text." not in value, "the body is in the full note only"
    assert "assert torch.zeros(2)" not in value, "so is the example"


def test_the_full_note_has_body_hover_block_and_example(index):
    value = commands.show_note(index, "tensor.contiguous", "en", VERIFIED)["markdown"]
    for part in (
        "`torch.Tensor.contiguous` · `tensor.contiguous`",
        "The *body* text.",
        ">>> torch.zeros(2, 3).t().is_contiguous()",
        "```python\nimport torch\nassert torch.zeros(2).t().is_contiguous()\n```",
        "**Related:** [The training loop](torch-notes:note/training.loop)",
    ):
        assert part in value


def test_a_name_noted_twice_shows_its_primary_note_and_links_the_other():
    def note(note_id: str, symbols: tuple[str, ...]) -> Note:
        return Note(
            id=note_id,
            symbols=symbols,
            title=_text(f"{note_id} title", "标题"),
            summary=_text("Summary.", "摘要。"),
            body=_text("Body.", "正文。"),
            example="assert True\n",
            location=Location(Path("n.yaml"), 1),
            example_line=2,
        )

    # corpus order puts the secondary claim first; the primary note still wins
    weights_only = note("models.weights_only", ("torch.save", "torch.load"))
    map_location = note("models.map_location", ("torch.load",))
    index = CorpusIndex.build(Corpus((weights_only, map_location)))
    assert [n.id for n in index.notes_for("torch.load")] == [
        "models.map_location",
        "models.weights_only",
    ]
    source = "import torch\nstate = torch.load('m.pt')\n"
    value = hover(analyse(source), pos(source, "load"), index, "en", {}).contents.value
    assert value.startswith("### models.map_location title")
    see_also = "**See also:** [models.weights_only title](torch-notes:note/models.weights_only)"
    assert see_also in value


def test_hover_in_chinese_and_deprecation(index):
    source = "import torch\nn = torch.norm(x)\n"
    value = hover(analyse(source), pos(source, "norm("), index, "zh", {}).contents.value
    assert "### torch.norm" in value and "请用 vector_norm。" in value
    assert "自 torch 2.0 起弃用：请改用 `torch.linalg.vector_norm`。" in value
    assert "尚未经验证器验证" in value


def test_hover_none_where_no_note_applies(index):
    assert hover(analyse(SCRIPT), pos(SCRIPT, "zeros"), index, "en", {}) is None
    assert hover(analyse(SCRIPT), pos(SCRIPT, "x = "), index, "en", {}) is None


def test_hover_range_in_utf8_after_cjk_and_emoji(index):
    source = 'import torch\ns = "训练🚀"; y = x.contiguous()\n'
    result = hover(analyse(source, UTF8), types.Position(1, 24), index, "en", {})
    assert result is not None
    start = len('s = "训练🚀"; y = x.'.encode())
    assert result.range == types.Range(
        types.Position(1, start), types.Position(1, start + len("contiguous"))
    )


# -- completion ------------------------------------------------------------------------------


def test_snippet_completion_with_snippet_support(index):
    source = "import torch\n\ndef f():\n    pt-t\n"
    options = completion.CompletionOptions(snippet_support=True)
    items = completion.complete(analyse(source), pos(source, "pt-t", 4), index, "en", options)
    assert [item.label for item in items] == ["pt-train"]
    item = items[0]
    assert item.kind == types.CompletionItemKind.Snippet
    assert item.insert_text_format == types.InsertTextFormat.Snippet
    assert item.text_edit.new_text == TRAIN_BODY.rstrip("\n")
    assert item.text_edit.range == types.Range(types.Position(3, 4), types.Position(3, 8))
    assert item.documentation is None  # delivered by resolve


def test_snippet_completion_plain_text_is_expanded_and_indented(index):
    source = "def f():\n    \n"
    options = completion.CompletionOptions(snippet_support=False, as_is_support=True)
    items = completion.complete(analyse(source), types.Position(1, 4), index, "en", options)
    train = next(item for item in items if item.label == "pt-train")
    assert train.insert_text_format == types.InsertTextFormat.PlainText
    assert train.insert_text_mode == types.InsertTextMode.AsIs
    assert train.text_edit.new_text == (
        "for epoch in range(10):\n        optimizer = torch.optim.SGD(p)\n"
    )


def test_snippet_completion_can_be_disabled(index):
    options = completion.CompletionOptions(snippets=False, snippet_support=True)
    assert completion.complete(analyse("\n"), types.Position(0, 0), index, "en", options) == []


def test_member_completion_lists_noted_apis_only(index):
    source = "import torch\nx = torch.\ny = x.t().\n"
    options = completion.CompletionOptions()
    after_torch = completion.complete(
        analyse(source), pos(source, "torch.\n", 6), index, "en", options
    )
    assert {item.label for item in after_torch} == {"Tensor", "norm", "optim"}
    after_tensor = completion.complete(
        analyse(source), pos(source, "t().", 4), index, "en", options
    )
    assert {item.label for item in after_tensor} == {"backward", "contiguous", "zero_grad"}


def test_resolve_adds_documentation(index):
    snippet_item = types.CompletionItem(
        label="pt-train", data={"kind": "snippet", "id": "training.loop"}
    )
    doc = completion.resolve(snippet_item, index, "zh", {}).documentation.value
    assert "训练循环" in doc and "```python\nfor epoch in range(10):" in doc and "$" not in doc
    api_item = types.CompletionItem(
        label="contiguous", data={"kind": "api", "symbols": ["torch.Tensor.contiguous"]}
    )
    assert "contiguous() title" in completion.resolve(api_item, index, "en", {}).documentation.value
    assert (
        completion.resolve(types.CompletionItem(label="x"), index, "en", {}).documentation is None
    )


# -- snippets, code actions, commands ----------------------------------------------------------


def test_indent_continuation():
    assert indent_continuation("a\nb\n\nc", "  ") == "a\n  b\n\n  c"


def test_snippet_edit_forms():
    where = types.Range(types.Position(1, 4), types.Position(1, 4))
    doc = SourceDocument.parse("import torch\n    \n", version=3)
    kwargs = {"uri": "file:///a.py", "doc": doc, "bound": {}, "range": where, "indent": "    "}
    snippet = snippet_edit(LOOP, support=EditSupport(snippet_edits=True), **kwargs)
    edit = snippet.document_changes[0].edits[0]
    assert isinstance(edit, types.SnippetTextEdit) and edit.snippet.value.startswith(
        "for ${1:epoch}"
    )
    plain = snippet_edit(LOOP, support=EditSupport(), **kwargs)
    assert plain.changes["file:///a.py"][0].new_text.startswith("for epoch in range(10):\n        ")
    versioned = snippet_edit(LOOP, support=EditSupport(document_changes=True), **kwargs)
    assert versioned.document_changes[0].text_document.version == 3


def test_code_actions_at_statement_starts_only(index):
    source = "import torch\n\nx = 1\n    pt-n\n"
    analysis = analyse(source)
    empty = types.Range(types.Position(1, 0), types.Position(1, 0))
    actions = code_actions.snippet_actions(
        analysis, empty, index, "en", uri="file:///a.py", support=EditSupport()
    )
    assert [a.title for a in actions] == [
        "Insert PyTorch snippet: torch.norm",
        "Insert PyTorch snippet: The training loop",
    ]
    typed = types.Range(types.Position(3, 8), types.Position(3, 8))
    narrowed = code_actions.snippet_actions(
        analysis, typed, index, "zh", uri="file:///a.py", support=EditSupport()
    )
    assert [a.title for a in narrowed] == ["插入 PyTorch 代码片段：torch.norm"]
    replaced = narrowed[0].edit.changes["file:///a.py"][0]
    assert replaced.range == types.Range(types.Position(3, 4), types.Position(3, 8))
    mid_line = types.Range(types.Position(2, 0), types.Position(2, 0))
    args = {"uri": "file:///a.py", "support": EditSupport()}
    assert code_actions.snippet_actions(analysis, mid_line, index, "en", **args) == []
    assert (
        code_actions.snippet_actions(analysis, empty, index, "en", only=["quickfix"], **args) == []
    )
    assert code_actions.snippet_actions(analysis, empty, index, "en", only=["refactor"], **args)


def test_commands(index):
    listed = commands.list_snippets(index, "zh")
    assert [entry["prefix"] for entry in listed] == ["pt-norm", "pt-train"]
    assert listed[1]["title"] == "训练循环" and listed[1]["body"] == TRAIN_BODY
    assert set(listed[1]) == {"id", "prefix", "title", "description", "body"}
    assert [hit["id"] for hit in commands.search_notes(index, "training loop", "en")] == [
        "training.loop"
    ]
    assert commands.search_notes(index, "步长", "zh")[0]["id"] == "tensor.contiguous"
    shown = commands.show_note(index, "tensor.contiguous", "en", VERIFIED)
    assert shown["verifiedOn"] == "2.6.0" and "### contiguous() title" in shown["markdown"]
    assert commands.show_note(index, "torch.Tensor.backward", "en", {})["id"] == "training.loop"
    assert commands.show_note(index, "no.such.note.anywhere", "en", {}) is None


def test_explain(index):
    findings = [(f.line, f.column, f.note.id) for f in explain(analyse(SCRIPT), index)]
    assert findings == [(4, 11, "tensor.contiguous"), (5, 6, "training.loop")]


# -- settings, language, client facts, logging, watching --------------------------------------


def test_settings_defaults_and_parsing():
    assert Settings.from_json({}) == Settings()
    assert Settings().extra_paths == () and DEFAULT_SETTINGS["hover.enable"] is True
    nested = Settings.from_json(
        {"language": "zh", "extraPaths": ["~/notes"], "hover": {"enable": False}}
    )
    assert (
        nested.language == "zh" and nested.extra_paths == ("~/notes",) and not nested.hover_enable
    )
    dotted = Settings.from_json({"completion.snippets": False, "trace": {"server": "verbose"}})
    assert not dotted.completion_snippets and dotted.trace_server == "verbose"


def test_invalid_settings_fall_back_to_defaults(caplog):
    with caplog.at_level(logging.WARNING):
        settings = Settings.from_json(
            {"language": "fr", "extraPaths": "notes", "hover": {"enable": 1}}
        )
    assert settings == Settings()
    assert "torchNotes.language" in caplog.text


@pytest.mark.parametrize(
    ("setting", "locale", "expected"),
    [
        ("auto", "zh-CN", "zh"),
        ("auto", "zh-tw", "zh"),
        ("auto", "en-US", "en"),
        ("auto", None, "en"),
        ("en", "zh-CN", "en"),
        ("zh", "en", "zh"),
    ],
)
def test_resolve_language(setting, locale, expected):
    assert resolve_language(setting, locale) == expected


def test_client_facts_from_real_profiles():
    vscode = ClientFacts.from_initialize(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), locale="zh-cn"
        ),
        "utf-16",
    )
    assert vscode.completion.snippet_support and vscode.completion.as_is_support
    assert (
        vscode.dynamic_watched_files
        and vscode.edits.document_changes
        and not vscode.edits.snippet_edits
    )
    assert vscode.locale == "zh-cn"
    neovim = ClientFacts.from_initialize(
        types.InitializeParams(capabilities=client_capabilities("neovim")), "utf-8"
    )
    assert neovim.encoding == "utf-8" and not neovim.dynamic_watched_files


def test_log_handler_forwards_records():
    sent: list[types.LogMessageParams] = []
    logger = logging.getLogger("torch_notes.test_forward")
    handler = ClientLogHandler(sent.append)
    logger.addHandler(handler)
    try:
        logger.warning("careful: %s", 1)
    finally:
        logger.removeHandler(handler)
    assert sent[0].type == types.MessageType.Warning and "careful: 1" in sent[0].message
    assert level_for_trace("verbose") == logging.DEBUG and level_for_trace(None) == logging.INFO


def test_watchers_and_snapshot(tmp_path):
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    assert list(snapshot([tmp_path])) == [str(tmp_path / "a.yaml")]
    plain = watchers([tmp_path], relative_patterns=False)[0]
    assert plain.glob_pattern == f"{tmp_path.as_posix()}/*.{{yaml,yml}}"
    relative = watchers([tmp_path / "a.yaml"], relative_patterns=True)[0].glob_pattern
    assert relative.pattern == "a.yaml" and relative.base_uri == tmp_path.as_uri()
