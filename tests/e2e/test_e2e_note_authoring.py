"""Writing a note in the editor, end to end over stdio: the "Write a note" code action,
live checks at the line of each mistake (push and pull), completion, hovers, previews,
and YAML that is not a note file left alone."""

from __future__ import annotations

import pytest_lsp
from authoring_support import (
    answer_code_lens_refresh,
    apply_to_disk,
    change_document,
    eventually,
    open_yaml,
    row_of,
    save_document,
    server_env,
    workspace,
)
from lsp_support import (
    SERVER_COMMAND,
    complete_at,
    hover_at,
    hover_text_until,
    open_document,
    position,
    server_info,
    start_session,
    wait_until,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.note_file_mistakes import EXPECTED, INVALID_YAML_TEXT, MISTAKES_TEXT

ROOT, NOTES, CACHE = workspace("torch-notes-authoring-")
CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(CACHE))
SETTINGS = {"extraPaths": [str(NOTES)]}
PY_URI = (ROOT / "model.py").as_uri()
PY_TEXT = (
    "import torch\nfrom torch import nn\n\n"
    "layer = nn.Bilinear(4, 4, 2)\nshape = nn.Unflatten(1, (2, 2))\nlinear = nn.Linear(4, 2)\n"
)
"""``nn.Bilinear`` and ``nn.Unflatten`` have no built-in note; ``nn.Linear`` has one."""


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    answer_code_lens_refresh(lsp_client)
    await start_session(lsp_client, "visual-studio-code", settings=SETTINGS, root=ROOT)
    yield
    await lsp_client.shutdown_session()


async def code_actions(client: LanguageClient, uri: str, text: str, marker: str, offset: int = 1):
    where = position(client, text, marker, offset)
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(where, where),
            context=types.CodeActionContext(
                diagnostics=[], trigger_kind=types.CodeActionTriggerKind.Invoked
            ),
        )
    )


def pushed(client: LanguageClient, uri: str) -> list[types.Diagnostic] | None:
    return client.diagnostics.get(uri)


async def test_write_a_note_from_the_code(client: LanguageClient) -> None:
    open_document(client, PY_URI, PY_TEXT)
    actions = await code_actions(client, PY_URI, PY_TEXT, "Bilinear", 2)
    titles = [action.title for action in actions]
    assert 'Write a note for "torch.nn.Bilinear"' in titles, titles
    action = next(a for a in actions if a.title.startswith("Write a note"))
    assert isinstance(action, types.Command) and action.command == "torchNotes.newNote"

    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(action.command, action.arguments)
    )
    assert result["created"] and result["newFile"] and result["id"] == "nn.bilinear", result
    edit = client.applied_edits[-1].edit  # type: ignore[attr-defined]
    assert isinstance(edit.document_changes[0], types.CreateFile)
    assert edit.document_changes[0].uri == (NOTES / "nn.yaml").as_uri()
    shown = client.shown_documents[-1]
    assert shown.uri == result["uri"] and shown.take_focus
    (created,) = {p for p in apply_to_disk(edit)}
    text = created.read_text(encoding="utf-8")
    assert "symbols: [torch.nn.Bilinear]" in text and "from torch import nn" in text
    assert ">>> nn.Bilinear" in text
    # the cursor lands in the first text to write: the English title
    line = text.split("\n")[shown.selection.start.line]
    assert line.strip().startswith("title:") and line[
        shown.selection.start.character - 1 :
    ].startswith('""')

    # Opened, it is checked live: every empty text is reported at its line.
    uri = open_yaml(client, created)
    found = await eventually(lambda: pushed(client, uri))
    rows = {d.range.start.line for d in found if "must not be empty" in d.message}
    assert {row_of(text, "title:"), row_of(text, "summary:"), row_of(text, 'en: ""')} <= rows
    assert any("asserts nothing" in d.message for d in found)


async def test_a_second_note_of_the_module_goes_into_its_topic_file(client: LanguageClient) -> None:
    actions = await code_actions(client, PY_URI, PY_TEXT, "Unflatten", 1)
    action = next(a for a in actions if a.title.startswith("Write a note"))
    assert action.title == 'Write a note for "torch.nn.Unflatten"'
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(action.command, action.arguments)
    )
    assert result["created"] and not result["newFile"] and result["path"] == str(NOTES / "nn.yaml")
    edit = client.applied_edits[-1].edit  # type: ignore[attr-defined]
    (change,) = edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    apply_to_disk(edit)
    text = (NOTES / "nn.yaml").read_text(encoding="utf-8")
    assert text.count("  - id: nn.") == 2 and "symbols: [torch.nn.Unflatten]" in text


async def test_no_action_where_a_note_exists_or_torch_has_no_such_name(
    client: LanguageClient,
) -> None:
    text = "import torch\nx = torch.arrange(3)\ny = x.contiguous()\nz = torch.nn.Linear(2, 2)\n"
    uri = (ROOT / "other.py").as_uri()
    open_document(client, uri, text)
    for marker in ("arrange", "contiguous", "Linear"):
        actions = await code_actions(client, uri, text, marker)
        assert not [a for a in actions if a.title.startswith("Write a note")], marker


async def test_every_kind_of_mistake_at_its_line(client: LanguageClient) -> None:
    path = NOTES / "mistakes.yaml"
    path.write_text(MISTAKES_TEXT, encoding="utf-8")
    uri = open_yaml(client, path)
    found = await eventually(lambda: pushed(client, uri))
    by_row: dict[int, list[str]] = {}
    for diagnostic in found:
        by_row.setdefault(diagnostic.range.start.line, []).append(diagnostic.message)
        assert diagnostic.source == "torch-notes" and diagnostic.code
    expected_rows = set()
    for kind, fragment in EXPECTED.items():
        row = row_of(MISTAKES_TEXT, f"# {kind}" if kind != "hover-outside" else "hover-outside:")
        expected_rows.add(row)
        assert any(fragment in message for message in by_row.get(row, [])), (kind, by_row.get(row))
    assert set(by_row) == expected_rows, {r: m for r, m in by_row.items() if r not in expected_rows}
    assert len(EXPECTED) >= 15

    broken = NOTES / "broken.yaml"
    broken.write_text(INVALID_YAML_TEXT, encoding="utf-8")
    broken_uri = open_yaml(client, broken)
    (diagnostic,) = await eventually(lambda: pushed(client, broken_uri))
    assert "invalid YAML" in diagnostic.message
    assert diagnostic.range.start.line == row_of(INVALID_YAML_TEXT, "# invalid-yaml")


async def test_checks_follow_the_typing(client: LanguageClient) -> None:
    path = NOTES / "typing.yaml"
    text = "topic: typing\nnotes:\n  - id: t.one\n    symbols: [torch.nn.Lineer]\n"
    path.write_text(text, encoding="utf-8")
    uri = open_yaml(client, path)
    await eventually(lambda: any("Lineer" in d.message for d in pushed(client, uri) or []))
    fixed = text.replace("Lineer", "Linear")
    change_document(client, uri, fixed, 2)
    await eventually(lambda: not any("Lineer" in d.message for d in pushed(client, uri) or [True]))
    assert any("'title' is missing" in d.message for d in pushed(client, uri))


async def test_completion_of_fields_symbols_and_related_ids(client: LanguageClient) -> None:
    path = NOTES / "complete.yaml"
    text = (
        "topic: complete\nnotes:\n  - id: c.one\n    symbols: [torch.nn.Li]\n"
        "    related: [tensor.cont]\n    su\n"
    )
    path.write_text(text, encoding="utf-8")
    uri = open_yaml(client, path)
    items = await complete_at(client, uri, position(client, text, "Li]", 2))
    linear = next(item for item in items if item.label == "Linear")
    assert (
        linear.text_edit.new_text == "torch.nn.Linear" and linear.filter_text == "torch.nn.Linear"
    )
    assert "LayerNorm" not in {i.label for i in items if not i.label.startswith("L")}
    items = await complete_at(client, uri, position(client, text, "cont]", 4))
    assert "tensor.contiguous" in {item.label for item in items}
    items = await complete_at(client, uri, position(client, text, "    su", 6))
    labels = {item.label for item in items}
    assert "summary" in labels and "symbols" not in labels and "id" not in labels


async def test_hover_on_a_symbol_says_whether_torch_has_it_and_who_notes_it(
    client: LanguageClient,
) -> None:
    path = NOTES / "hovers.yaml"
    text = (
        "topic: hovers\nnotes:\n  - id: h.one\n"
        "    symbols: [torch.Tensor.contiguous, torch.nn.Lineer]\n"
    )
    path.write_text(text, encoding="utf-8")
    uri = open_yaml(client, path)
    hover = await hover_at(client, uri, position(client, text, "contiguous", 2))
    assert hover is not None
    assert "is in the API of torch" in hover.contents.value
    assert "tensor.contiguous" in hover.contents.value  # the note that claims it
    hover = await hover_at(client, uri, position(client, text, "Lineer", 2))
    assert "did you mean `torch.nn.Linear`" in hover.contents.value


async def test_yaml_that_is_not_a_note_file_is_ignored(client: LanguageClient) -> None:
    other = ROOT / "config.yaml"
    text = "notes:\n  - id: x.y\n    symbols: [torch.nn.Lineer]\n"
    other.write_text(text, encoding="utf-8")
    uri = open_yaml(client, other)
    items = await complete_at(client, uri, position(client, text, "Lineer", 2))
    assert items == []
    assert await hover_at(client, uri, position(client, text, "Lineer", 2)) is None
    await wait_until(client, lambda info: True)
    assert uri not in client.diagnostics


async def test_preview_shows_the_card_a_python_file_gets(client: LanguageClient) -> None:
    path = NOTES / "preview.yaml"
    text = (
        "topic: preview\nnotes:\n  - id: p.zeta\n    symbols: [torch.special.zeta]\n"
        '    title: {en: "Hurwitz zeta", zh: "Hurwitz zeta 函数"}\n'
        '    summary: {en: "zeta(x, q).", zh: "zeta(x, q)。"}\n'
        '    body: {en: "Body.", zh: "正文。"}\n'
        "    hover: |\n      >>> torch.special.zeta(torch.tensor(2.0), 1.0)\n      tensor(1.6449)\n"
        "    example: |\n      import torch\n"
        "      assert torch.special.zeta(torch.tensor(2.0), 1.0) > 1.6\n"
    )
    path.write_text(text, encoding="utf-8")
    uri = open_yaml(client, path)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    (lens,) = lenses
    assert lens.command.title == "Preview card" and lens.range.start.line == 2
    preview = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            lens.command.command, [{**lens.command.arguments[0], "show": False}]
        )
    )
    assert "### Hurwitz zeta" in preview["markdown"] and "tensor(1.6449)" in preview["markdown"]
    # the id's hover is the same preview
    hover = await hover_at(client, uri, position(client, text, "p.zeta", 1))
    assert hover.contents.value == preview["markdown"]
    # saved, a Python file's hover shows that very card
    save_document(client, uri, text)
    py = "import torch\nz = torch.special.zeta(x, 1.0)\n"
    py_uri = (ROOT / "zeta.py").as_uri()
    open_document(client, py_uri, py)

    where = position(client, py, "zeta", 1)
    loop_value = await hover_text_until(client, py_uri, where, "Hurwitz zeta", attempts=100)
    assert loop_value == preview["markdown"].split("---\n\n", 1)[1], loop_value


async def test_the_server_stays_without_torch(client: LanguageClient) -> None:
    info = await server_info(client)
    assert info["heavyModules"] == []


NVIM_ROOT, NVIM_NOTES, NVIM_CACHE = workspace("torch-notes-authoring-nvim-")
NVIM_CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(NVIM_CACHE))


@pytest_lsp.fixture(config=NVIM_CONFIG, scope="module")
async def neovim(lsp_client: LanguageClient):
    """A client that pulls diagnostics and applies no create-file operations."""
    settings = {"extraPaths": [str(NVIM_NOTES)]}
    await start_session(lsp_client, "neovim", settings=settings, root=NVIM_ROOT)
    yield
    await lsp_client.shutdown_session()


async def test_without_create_files_the_server_writes_the_new_note(neovim: LanguageClient) -> None:
    result = await neovim.workspace_execute_command_async(
        types.ExecuteCommandParams("torchNotes.newNote", [{"symbol": "torch.nn.Hardswish"}])
    )
    path = NVIM_NOTES / "nn.yaml"
    assert result["created"] and result["path"] == str(path) and path.is_file()
    assert neovim.applied_edits == []  # type: ignore[attr-defined]
    assert neovim.shown_documents[-1].uri == path.as_uri()


async def test_a_pull_client_gets_the_checks_of_the_text_it_sent(neovim: LanguageClient) -> None:
    path = NVIM_NOTES / "mistakes.yaml"
    path.write_text("topic: placeholder\nnotes: []\n", encoding="utf-8")  # not what is checked
    uri = open_yaml(neovim, path, MISTAKES_TEXT)
    report = await neovim.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
    )
    found = {d.range.start.line for d in report.items}
    row = row_of(MISTAKES_TEXT, "# unknown-symbol")
    assert row in found and len(found) == len(EXPECTED)
    change_document(neovim, uri, MISTAKES_TEXT.replace("Lineer", "Linear"), 2)
    report = await neovim.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
    )
    assert row not in {d.range.start.line for d in report.items}


BARE_ROOT, _, BARE_CACHE = workspace("torch-notes-authoring-bare-")
BARE_CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(BARE_CACHE))


@pytest_lsp.fixture(config=BARE_CONFIG, scope="module")
async def bare(lsp_client: LanguageClient):
    """No ``torchNotes.extraPaths``."""
    await start_session(lsp_client, "visual-studio-code", root=BARE_ROOT)
    yield
    await lsp_client.shutdown_session()


async def test_without_a_notes_folder_it_says_how_to_set_one(bare: LanguageClient) -> None:
    result = await bare.workspace_execute_command_async(
        types.ExecuteCommandParams("torchNotes.newNote", [{"symbol": "torch.nn.Bilinear"}])
    )
    assert result == {"created": False, "needsFolder": True, "symbol": "torch.nn.Bilinear"}
    message = bare.messages[-1].message
    assert '"torchNotes.extraPaths"' in message and "torch-notes new torch.nn.Bilinear" in message
    # a client that picks a folder itself (the VS Code extension) is not told
    count = len(bare.messages)
    result = await bare.workspace_execute_command_async(
        types.ExecuteCommandParams(
            "torchNotes.newNote", [{"symbol": "torch.nn.Bilinear", "pickFolder": True}]
        )
    )
    assert result["needsFolder"] and len(bare.messages) == count
    # the folder it picked comes with the command
    folder = BARE_ROOT / "picked"
    result = await bare.workspace_execute_command_async(
        types.ExecuteCommandParams(
            "torchNotes.newNote", [{"symbol": "torch.nn.Bilinear", "dir": str(folder)}]
        )
    )
    assert result["created"] and result["path"] == str(folder / "nn.yaml")
