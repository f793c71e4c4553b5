"""Every ``torchNotes.*`` command, code actions, and the no-torch guarantee."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import CONFIG, hover_at, open_document, position, server_info, start_session
from lsprotocol import types
from pytest_lsp import LanguageClient

SOURCE = (
    "import torch\n\ndef main():\n    x = torch.zeros(2, 3)\n    \n    y = x.t().contiguous()\n"
)
URI = "file:///workspace/commands.py"


async def execute(client: LanguageClient, command: str, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


async def test_list_snippets(client: LanguageClient):
    catalogue = await execute(client, "torchNotes.listSnippets")
    assert len(catalogue) >= 3
    for entry in catalogue:
        assert set(entry) == {"id", "prefix", "title", "description", "body"}
        assert entry["prefix"].startswith("pt-") and entry["body"]


async def test_search_and_show(client: LanguageClient):
    hits = await execute(client, "torchNotes.searchNotes", {"query": "contiguous"})
    assert hits[0]["id"] == "tensor.contiguous"
    chinese = await execute(client, "torchNotes.searchNotes", {"query": "连续"})
    assert "tensor.contiguous" in [hit["id"] for hit in chinese]
    note = await execute(client, "torchNotes.showNote", {"id": "tensor.contiguous"})
    assert note["id"] == "tensor.contiguous" and "```python" in note["markdown"]
    assert await execute(client, "torchNotes.showNote", {"id": "no.such.note_here"}) is None


async def test_unknown_arguments_are_errors(client: LanguageClient):
    with pytest.raises(Exception, match="query"):
        await execute(client, "torchNotes.searchNotes", {"text": "x"})


async def test_insert_snippet_applies_an_edit(client: LanguageClient):
    open_document(client, URI, SOURCE)
    client.applied_edits.clear()  # type: ignore[attr-defined]
    where = position(client, SOURCE, "    \n", 4)
    result = await execute(
        client,
        "torchNotes.insertSnippet",
        {
            "id": "training.loop",
            "uri": URI,
            "position": {"line": where.line, "character": where.character},
        },
    )
    assert result == {"applied": True, "id": "training.loop"}
    (params,) = client.applied_edits  # type: ignore[attr-defined]
    edit = params.edit
    if edit.document_changes:  # VS Code: versioned document changes
        (text_edit,) = edit.document_changes[0].edits
    else:  # Neovim: a plain changes map
        (text_edit,) = edit.changes[URI]
    assert isinstance(text_edit, types.TextEdit)  # neither profile advertises snippet edits
    assert "$" not in text_edit.new_text and "\n    " in text_edit.new_text
    assert text_edit.range == types.Range(where, where)


async def test_code_actions_at_a_statement_start(client: LanguageClient):
    open_document(client, URI, SOURCE)
    empty = position(client, SOURCE, "    \n", 4)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(URI),
            range=types.Range(empty, empty),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [action.title for action in actions]
    assert any(title.startswith("Insert PyTorch snippet: ") for title in titles)
    assert all(action.edit is not None for action in actions)
    inside = position(client, SOURCE, "zeros", 2)

    async def actions_at(where: types.Position, **context) -> list:
        return await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(URI),
                range=types.Range(where, where),
                context=types.CodeActionContext(diagnostics=[], **context),
            )
        )

    on_name = await actions_at(inside)
    assert on_name, "a noted name offers its full note"
    for action in on_name:
        assert isinstance(action, types.Command) and action.command == "torchNotes.showNote"
        assert action.title.startswith("Open note: ") and "`" not in action.title
    automatic = types.CodeActionTriggerKind.Automatic
    assert not await actions_at(empty, trigger_kind=automatic), "no light bulb on empty lines"
    assert not await actions_at(inside, trigger_kind=automatic)


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def snippet_edit_client(lsp_client: LanguageClient):
    """A VS Code-like client that advertises LSP 3.18 snippet edits."""
    await start_session(lsp_client, "visual-studio-code", snippet_edit_support=True)
    yield
    await lsp_client.shutdown_session()


async def test_insert_snippet_as_snippet_edit(snippet_edit_client: LanguageClient):
    client = snippet_edit_client
    open_document(client, URI, SOURCE)
    result = await execute(
        client,
        "torchNotes.insertSnippet",
        {"id": "pt-train", "uri": URI, "position": {"line": 4, "character": 4}},
    )
    assert result["applied"]
    (params,) = client.applied_edits  # type: ignore[attr-defined]
    (edit,) = params.edit.document_changes[0].edits
    assert isinstance(edit, types.SnippetTextEdit)
    assert "${" in edit.snippet.value


async def test_server_never_imports_torch(client: LanguageClient):
    open_document(client, URI, SOURCE)
    await hover_at(client, URI, position(client, SOURCE, "contiguous", 1))
    await execute(client, "torchNotes.showNote", {"id": "tensor.contiguous"})
    info = await server_info(client)
    assert info["heavyModules"] == []
    assert info["notes"] > 10
    maps = Path(f"/proc/{info['pid']}/maps")
    if sys.platform.startswith("linux") and maps.exists():  # independent of the server's word
        assert "libtorch" not in maps.read_text()
