"""In this repository, the built-in note files (``snippets/``) are note files too: editing one
gets the live checks, push or pull, from the text in the editor."""

from __future__ import annotations

from authoring_support import row_of
from lsp_support import REPO, diagnostics_of, record_published
from lsprotocol import types
from pytest_lsp import LanguageClient

BUILTIN = REPO / "snippets" / "shapes.yaml"


async def test_a_builtin_note_file_is_checked_as_typed(client: LanguageClient) -> None:
    record_published(client)
    uri = BUILTIN.as_uri()
    text = BUILTIN.read_text(encoding="utf-8")
    first_symbol = next(line for line in text.split("\n") if "symbols:" in line)
    broken = text.replace(first_symbol, first_symbol + "  # typo: torch.nn.Conv2D", 1).replace(
        "symbols: [", "symbols: [torch.nn.Conv2D, ", 1
    )
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "yaml", 1, broken))
    )
    found = await diagnostics_of(client, uri, 1)
    (diagnostic,) = found
    assert diagnostic.range.start.line == row_of(broken, "# typo")
    assert 'did you mean "torch.nn.Conv2d"' in diagnostic.message
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    assert BUILTIN.read_text(encoding="utf-8") == text  # nothing written
