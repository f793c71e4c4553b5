"""Jupyter notebooks end to end: a notebook client syncs cells; every feature works per cell.

Cells are analysed top to bottom (cell 3 sees cell 1's ``import torch.nn as nn``); cells are
inserted, deleted, moved and edited through ``notebookDocument/didChange``; IPython
syntax and a broken cell never break the other cells; diagnostics are per cell URI (pushed
to the VS Code profile, pulled by the Neovim one) with quick fixes whose edits name the
cell. The two profiles negotiate UTF-16 and UTF-8 positions.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    PROFILES,
    complete_at,
    hover_at,
    is_pull,
    position,
    record_published,
    start_session,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

_counter = itertools.count()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    await start_session(lsp_client, request.param)
    record_published(lsp_client)
    yield
    await lsp_client.shutdown_session()


class Notebook:
    """A notebook as a client holds it: cells in order, each a document with a version."""

    def __init__(self, client: LanguageClient, cells: list[str]) -> None:
        self.client = client
        self.uri = f"file:///workspace/nb{next(_counter)}/训练 notebook.ipynb".replace(" ", "%20")
        self.version = 1
        self._next = itertools.count()
        self.cells = [self._new_cell(text) for text in cells]

    def _new_cell(self, text: str, kind: str = "code") -> dict:
        number = next(self._next)
        uri = f"vscode-notebook-cell:{self.uri.removeprefix('file://')}#W{number}sZmlsZQ%3D%3D"
        return {"uri": uri, "text": text, "version": 1, "kind": kind}

    def _item(self, cell: dict) -> types.TextDocumentItem:
        language = "python" if cell["kind"] == "code" else "markdown"
        return types.TextDocumentItem(cell["uri"], language, cell["version"], cell["text"])

    def _nb_cell(self, cell: dict) -> types.NotebookCell:
        kind = (
            types.NotebookCellKind.Code if cell["kind"] == "code" else types.NotebookCellKind.Markup
        )
        return types.NotebookCell(kind=kind, document=cell["uri"])

    def open(self) -> None:
        self.client.notebook_document_did_open(
            types.DidOpenNotebookDocumentParams(
                notebook_document=types.NotebookDocument(
                    uri=self.uri,
                    notebook_type="jupyter-notebook",
                    version=self.version,
                    cells=[self._nb_cell(cell) for cell in self.cells],
                ),
                cell_text_documents=[self._item(cell) for cell in self.cells],
            )
        )

    def _change(self, change: types.NotebookDocumentChangeEvent) -> None:
        self.version += 1
        self.client.notebook_document_did_change(
            types.DidChangeNotebookDocumentParams(
                notebook_document=types.VersionedNotebookDocumentIdentifier(
                    version=self.version, uri=self.uri
                ),
                change=change,
            )
        )

    def insert(self, index: int, text: str, kind: str = "code") -> dict:
        cell = self._new_cell(text, kind)
        self.cells.insert(index, cell)
        self._structure(index, 0, [cell], [])
        return cell

    def delete(self, index: int) -> None:
        cell = self.cells.pop(index)
        self._structure(index, 1, [], [cell])

    def move(self, index: int, to: int) -> None:
        """Move a cell as VS Code does: a deletion and an insertion, the document kept."""
        cell = self.cells.pop(index)
        self._structure(index, 1, [], [])
        self.cells.insert(to, cell)
        self._structure(to, 0, [cell], [], opened=False)

    def _structure(self, start, delete_count, new, closed, opened=True) -> None:
        self._change(
            types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    structure=types.NotebookDocumentCellChangeStructure(
                        array=types.NotebookCellArrayChange(
                            start=start,
                            delete_count=delete_count,
                            cells=[self._nb_cell(cell) for cell in new],
                        ),
                        did_open=[self._item(cell) for cell in new] if opened else None,
                        did_close=[types.TextDocumentIdentifier(c["uri"]) for c in closed] or None,
                    )
                )
            )
        )

    def edit(self, index: int, text: str) -> None:
        cell = self.cells[index]
        cell["text"] = text
        cell["version"] += 1
        self._change(
            types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(
                                version=cell["version"], uri=cell["uri"]
                            ),
                            changes=[types.TextDocumentContentChangeWholeDocument(text)],
                        )
                    ]
                )
            )
        )

    def close(self) -> None:
        self.client.notebook_document_did_close(
            types.DidCloseNotebookDocumentParams(
                notebook_document=types.NotebookDocumentIdentifier(self.uri),
                cell_text_documents=[types.TextDocumentIdentifier(c["uri"]) for c in self.cells],
            )
        )

    async def hover(self, index: int, marker: str, offset: int = 1) -> types.Hover | None:
        cell = self.cells[index]
        return await hover_at(
            self.client, cell["uri"], position(self.client, cell["text"], marker, offset)
        )

    async def diagnostics(self, index: int) -> list[types.Diagnostic]:
        """The cell's current diagnostics: pulled, or the last push for its version."""
        cell = self.cells[index]
        if is_pull(self.client):
            report = await self.client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(types.TextDocumentIdentifier(cell["uri"]))
            )
            return list(report.items)
        await asyncio.sleep(0.5)  # past the debounce: the newest push is the answer
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while loop.time() < deadline:
            pushed = [p for p in self.client.published if p.uri == cell["uri"]]  # type: ignore[attr-defined]
            if pushed:
                return list(pushed[-1].diagnostics)
            await asyncio.sleep(0.05)
        raise AssertionError(f"nothing published for cell {index}")


IMPORTS = "import torch\nimport torch.nn as nn\n"
USE = "x = torch.rand(2, 3)\ny = nn.Flatten()(x.transpose(0, 1).contiguous())\n"


def card_of(hover: types.Hover | None) -> str:
    assert hover is not None
    return hover.contents.value


async def test_imports_flow_from_earlier_cells(client: LanguageClient) -> None:
    nb = Notebook(client, [IMPORTS, "# 训练 🚀 data\n", USE])
    nb.open()
    assert "(torch-notes:note/tensor.contiguous)" in card_of(await nb.hover(2, "contiguous"))
    assert (await nb.hover(2, "Flatten")) is not None, "nn from cell 1 reaches cell 3"
    hover = await nb.hover(2, "transpose")
    assert hover is not None and hover.range.start.line == 1, "positions are the cell's own"
    nb.close()


async def test_inserting_deleting_and_moving_cells(client: LanguageClient) -> None:
    nb = Notebook(client, [IMPORTS, USE])
    nb.open()
    nb.insert(0, "z = torch.arrange(3)\n")  # before the import cell: torch is not bound yet
    assert await nb.hover(0, "arrange") is None
    assert await nb.diagnostics(0) == []
    assert await nb.hover(2, "Flatten") is not None

    nb.move(1, 2)  # the import cell below its use
    assert [c["text"] for c in nb.cells] == ["z = torch.arrange(3)\n", USE, IMPORTS]
    assert await nb.hover(1, "Flatten") is None
    nb.move(2, 0)
    assert await nb.hover(2, "Flatten") is not None
    codes = [d.code for d in await nb.diagnostics(1)]
    assert codes == ["unknown-torch-attr"], "the inserted cell now sees the import"

    nb.delete(0)  # the import cell
    assert await nb.hover(1, "Flatten") is None
    assert await nb.diagnostics(0) == []
    nb.close()


async def test_magics_shell_lines_and_markdown_cells(client: LanguageClient) -> None:
    magic = (
        "%matplotlib inline\n!pip install torch\nfiles = !ls\ntorch.rand?\n"
        "x = torch.rand(2, 3)\ny = x.transpose(0, 1).view(-1)\n"
    )
    nb = Notebook(client, [IMPORTS, magic, "%%bash\necho torch.arrange\n"])
    nb.insert(1, "Some **markdown** with torch.arrange(3)", kind="markdown")
    nb.open()
    assert "(torch-notes:note/" in card_of(await nb.hover(2, "transpose"))
    assert [d.code for d in await nb.diagnostics(2)] == ["view-after-transpose"]
    assert await nb.diagnostics(3) == [], "a %%bash cell is not Python"
    assert await nb.hover(3, "arrange") is None
    nb.close()


async def test_a_broken_cell_does_not_break_the_next(client: LanguageClient) -> None:
    nb = Notebook(client, [IMPORTS, "y = nn.Flatten(\nfor\n", "z = torch.arrange(3)\n" + USE])
    nb.open()
    assert "(torch-notes:note/tensor.contiguous)" in card_of(await nb.hover(2, "contiguous"))
    assert [d.code for d in await nb.diagnostics(2)] == ["unknown-torch-attr"]
    nb.close()


async def test_diagnostics_and_quick_fixes_per_cell(client: LanguageClient) -> None:
    nb = Notebook(client, [IMPORTS, "x = 1\n", "n = torch.arrange(3)\n"])
    nb.open()
    (finding,) = await nb.diagnostics(2)
    assert finding.code == "unknown-torch-attr"
    assert finding.range.start == types.Position(0, len("n = torch."))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(nb.cells[2]["uri"]),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    (fix,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert list(fix.edit.changes) == [nb.cells[2]["uri"]], "the edit names the cell"
    (edit,) = fix.edit.changes[nb.cells[2]["uri"]]
    assert edit.new_text == "arange" and edit.range == finding.range

    nb.edit(2, "n = torch.arange(3)\n")
    assert await nb.diagnostics(2) == []
    nb.edit(0, "import numpy as torch\n")  # cell 1 changes what cell 3 means
    assert await nb.diagnostics(2) == []
    nb.close()


async def test_completion_and_snippet_insertion_in_a_cell(client: LanguageClient) -> None:
    nb = Notebook(client, [IMPORTS, "pt-tr", "model = torch.nn.Linear(2, 2)\ntorch."])
    nb.open()
    items = await complete_at(client, nb.cells[1]["uri"], types.Position(0, 5))
    assert "pt-train" in {item.label for item in items}
    members = await complete_at(client, nb.cells[2]["uri"], types.Position(1, 6))
    assert "nn" in {item.label for item in members}

    client.applied_edits.clear()  # type: ignore[attr-defined]
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="torchNotes.insertSnippet",
            arguments=[
                {
                    "id": "pt-flatten",
                    "uri": nb.cells[1]["uri"],
                    "position": {"line": 0, "character": 0},
                }
            ],
        )
    )
    assert result["applied"] is True
    (applied,) = client.applied_edits  # type: ignore[attr-defined]
    assert nb.cells[1]["uri"] in str(applied.edit)
    nb.close()


@pytest.mark.parametrize("name", ["closed", "never-opened"])
async def test_changes_to_notebooks_that_are_not_open_are_ignored(client, name) -> None:
    nb = Notebook(client, [IMPORTS])
    if name == "closed":
        nb.open()
        nb.close()
    nb.edit(0, "import torch\n")
    nb.close()
    nb2 = Notebook(client, [IMPORTS, USE])
    nb2.open()
    assert await nb2.hover(1, "contiguous") is not None, "the server is still serving"
    nb2.close()
