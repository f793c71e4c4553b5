"""A good guest beside the main Python server: nothing duplicated, no noise, plain text.

Two sessions: one like our VS Code extension (it sends ``clientHints``: a palette for
snippets, a note viewer, Pylance as the main server) and one like Neovim (no hints).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest_lsp
from lsp_support import CONFIG, complete_at, hover_at, open_document, position, start_session
from lsprotocol import types
from pytest_lsp import LanguageClient

VSCODE_HINTS = {"snippetCommands": True, "noteViewer": True, "pythonServer": "Pylance"}
SOURCE = (
    '"""A training script."""\n'
    "import torch\n"
    "\n"
    "\n"
    "def main():\n"
    '    name = "abc"\n'
    "    name.\n"
    "    x = torch.rand(2, 3)\n"
    "    x.\n"
    "    torch.\n"
    "    pt-datase\n"
)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def vscode(lsp_client: LanguageClient):
    await start_session(lsp_client, "visual-studio-code", hints=VSCODE_HINTS)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def neovim(lsp_client: LanguageClient):
    await start_session(lsp_client, "neovim")
    yield
    await lsp_client.shutdown_session()


def at(client: LanguageClient, marker: str, after: str = "") -> types.Position:
    """The end of the line holding ``marker`` (where the user is typing)."""
    line = next(row for row in SOURCE.split("\n") if row.strip() == marker.strip())
    return position(client, SOURCE, line, len(line))


async def code_actions(client, where: types.Position, trigger=None) -> list:
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier("file:///w/sidecar.py"),
            range=types.Range(where, where),
            context=types.CodeActionContext(diagnostics=[], trigger_kind=trigger),
        )
    )


async def test_beside_pylance_members_are_left_to_the_main_server(vscode) -> None:
    open_document(vscode, "file:///w/sidecar.py", SOURCE)
    assert await complete_at(vscode, "file:///w/sidecar.py", at(vscode, "    torch.")) == []
    snippets = await complete_at(vscode, "file:///w/sidecar.py", at(vscode, "    pt-datase"))
    assert [item.label for item in snippets] == ["pt-dataset"], "snippets are ours alone"
    hover = await hover_at(vscode, "file:///w/sidecar.py", position(vscode, SOURCE, "rand", 1))
    assert hover is not None


async def test_with_a_palette_no_snippet_code_actions(vscode) -> None:
    empty = position(vscode, SOURCE, "\n\ndef", 1)
    invoked = types.CodeActionTriggerKind.Invoked
    assert not await code_actions(vscode, empty, invoked), "VS Code has Insert Snippet…"
    on_name = position(vscode, SOURCE, "rand", 1)
    assert not await code_actions(vscode, on_name, invoked), "and a note viewer"


async def test_members_only_on_receivers_that_may_be_tensors(neovim) -> None:
    open_document(neovim, "file:///w/sidecar.py", SOURCE)
    uri = "file:///w/sidecar.py"
    assert await complete_at(neovim, uri, at(neovim, "    name.")) == [], "a str is no tensor"
    members = await complete_at(neovim, uri, at(neovim, "    x."))
    labels = {item.label for item in members}
    assert {"view", "contiguous"} <= labels
    assert not [label for label in labels if label.startswith("__")], "no dunder methods"
    torch_members = await complete_at(neovim, uri, at(neovim, "    torch."))
    assert "nn" in {item.label for item in torch_members}


async def test_plain_text_where_clients_show_plain_text(neovim) -> None:
    uri = "file:///w/sidecar.py"
    members = await complete_at(neovim, uri, at(neovim, "    x."))
    for item in members:
        assert "`" not in (item.detail or "") and "*" not in (item.detail or "")
        described = item.label_details.description if item.label_details else ""
        assert "`" not in (described or ""), item
    on_name = position(neovim, SOURCE, "rand", 1)
    actions = await code_actions(neovim, on_name, types.CodeActionTriggerKind.Invoked)
    assert actions and all("`" not in action.title for action in actions)


async def test_snippet_documentation_is_python_with_defaults(neovim) -> None:
    uri = "file:///w/sidecar.py"
    (item,) = await complete_at(neovim, uri, at(neovim, "    pt-datase"))
    resolved = await neovim.completion_item_resolve_async(item)
    value = resolved.documentation.value
    code = value.split("```python\n", 1)[1].split("```", 1)[0]
    assert "$" not in code and "${" not in code, "no snippet syntax in the documentation"


async def test_snippet_imports_go_to_the_import_block(neovim) -> None:
    uri = "file:///w/sidecar.py"
    (item,) = await complete_at(neovim, uri, at(neovim, "    pt-datase"))
    assert "import torch\n" not in item.text_edit.new_text, "the body goes at the cursor"
    assert "from torch.utils.data import" not in item.text_edit.new_text
    (imports,) = item.additional_text_edits
    assert imports.range.start == types.Position(2, 0), "after the docstring and imports"
    assert "import torch\n" not in imports.new_text, "the file imports torch already"
    assert "from torch.utils.data import DataLoader, Dataset\n" in imports.new_text

    neovim.applied_edits.clear()  # type: ignore[attr-defined]
    await neovim.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="torchNotes.insertSnippet",
            arguments=[{"id": "pt-dataset", "uri": uri, "position": {"line": 10, "character": 4}}],
        )
    )
    (applied,) = neovim.applied_edits  # type: ignore[attr-defined]
    text = str(applied.edit)
    assert "from torch.utils.data import DataLoader, Dataset\\n" in text


async def test_a_py_file_without_a_language_id_is_served(neovim) -> None:
    text = "import torch\ny = torch.rand(2).contiguous()\n"
    neovim.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem("file:///w/demo.py", "", 1, text))
    )
    hover = await hover_at(neovim, "file:///w/demo.py", position(neovim, text, "contiguous", 1))
    assert hover is not None


async def test_open_note_shows_the_full_note_as_a_page(neovim) -> None:
    on_name = position(neovim, SOURCE, "rand", 1)
    actions = await code_actions(neovim, on_name, types.CodeActionTriggerKind.Invoked)
    opener = next(a for a in actions if isinstance(a, types.Command))
    result = await neovim.workspace_execute_command_async(
        types.ExecuteCommandParams(command=opener.command, arguments=opener.arguments)
    )
    assert result["shown"] is True
    shown = neovim.shown_documents[-1]
    assert shown.uri == result["page"] and shown.take_focus
    page = Path(urllib.parse.unquote(urllib.parse.urlparse(result["page"]).path))
    text = page.read_text(encoding="utf-8")
    assert text == result["markdown"] and "```python" in text, "the full note, example included"
