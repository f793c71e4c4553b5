"""Documents are found whatever form their URI takes, and pull reports carry a ``resultId``.

pygls keeps documents under decoded URIs; the client writes them percent-encoded
(``a%20b.py``, ``%E8%AE%AD%E7%BB%83.py`` for ``训练.py``). Every lookup goes through one
accessor, and what the server sends back names the document as the client wrote it:
push clients get their diagnostics (after opening, editing, a settings change and
closing) under that URI, pull clients get full and then unchanged reports.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    PROFILES,
    diagnostics_of,
    hover_at,
    is_pull,
    open_document,
    position,
    record_published,
    start_session,
    wait_until,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

TEXT = "import torch\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).view(-1)\nz = torch.arrange(3)\n"
_counter = itertools.count()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    await start_session(lsp_client, request.param)
    record_published(lsp_client)
    yield
    await lsp_client.shutdown_session()


def encoded_uri(name: str) -> str:
    """A percent-encoded file URI, as VS Code and Neovim send it."""
    return f"file:///workspace/{next(_counter)}/{name}"


async def published_after(client: LanguageClient, uri: str, count: int) -> list[types.Diagnostic]:
    """The first diagnostics pushed for exactly ``uri`` after the ``count``-th push."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        for params in client.published[count:]:  # type: ignore[attr-defined]
            if params.uri == uri:
                return list(params.diagnostics)
        await asyncio.sleep(0.02)
    raise AssertionError(f"nothing published for {uri}")


NAMES = ["a%20b.py", "%E8%AE%AD%E7%BB%83.py"]  # "a b.py", "训练.py"


@pytest.mark.parametrize("name", NAMES)
async def test_an_encoded_uri_gets_hover_and_diagnostics(client: LanguageClient, name: str):
    uri = encoded_uri(name)
    open_document(client, uri, TEXT)
    found = await diagnostics_of(client, uri)
    assert {d.code for d in found} == {"view-after-transpose", "unknown-torch-attr"}
    hover = await hover_at(client, uri, position(client, TEXT, "transpose", 1))
    assert hover is not None and "(torch-notes:note/" in hover.contents.value

    edited = TEXT.replace("torch.arrange", "torch.arange")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(edited)],
        )
    )
    assert [d.code for d in await diagnostics_of(client, uri, version=2)] == [
        "view-after-transpose"
    ]


@pytest.mark.parametrize("name", NAMES)
async def test_pushed_diagnostics_keep_the_client_uri(client: LanguageClient, name: str):
    if is_pull(client):
        pytest.skip("a pull client is never pushed to")
    uri = encoded_uri(name)
    open_document(client, uri, TEXT)
    await diagnostics_of(client, uri)

    count = len(client.published)  # type: ignore[attr-defined]
    client.set_configuration({"language": "zh"}, section="torchNotes")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await wait_until(client, lambda info: info["language"] == "zh")
    again = await published_after(client, uri, count)
    assert len(again) == 2, "re-published under the URI the client sent"
    client.set_configuration({"language": "en"}, section="torchNotes")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await wait_until(client, lambda info: info["language"] == "en")

    count = len(client.published)  # type: ignore[attr-defined]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    assert await published_after(client, uri, count) == [], "cleared under that URI too"
    decoded = uri.replace("%20", " ")
    assert all(p.uri != decoded for p in client.published if decoded != uri)  # type: ignore[attr-defined]


async def test_pull_reports_carry_a_result_id(client: LanguageClient):
    if not is_pull(client):
        pytest.skip("a push client does not pull")
    uri = encoded_uri(NAMES[1])
    open_document(client, uri, TEXT)

    async def pull(previous: str | None):
        return await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                types.TextDocumentIdentifier(uri), previous_result_id=previous
            )
        )

    first = await pull(None)
    assert first.kind == "full" and len(first.items) == 2 and first.result_id
    same = await pull(first.result_id)
    assert same.kind == "unchanged" and same.result_id == first.result_id

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(TEXT.replace("arrange", "arange"))],
        )
    )
    changed = await pull(first.result_id)
    assert changed.kind == "full" and len(changed.items) == 1
    assert changed.result_id not in (None, first.result_id)

    client.set_configuration({"diagnostics": {"enable": False}}, section="torchNotes")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await wait_until(client, lambda info: info["settings"]["diagnostics_enable"] is False)
    disabled = await pull(changed.result_id)
    assert disabled.kind == "full" and list(disabled.items) == [], "new settings: a new report"
    client.set_configuration({"diagnostics": {"enable": True}}, section="torchNotes")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
    await wait_until(client, lambda info: info["settings"]["diagnostics_enable"] is True)
