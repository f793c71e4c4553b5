"""Diagnostics in the user's language: a ``zh-CN`` client, and ``torchNotes.language`` live.

Messages, quick-fix titles and the hover on a flagged range follow the language the
server resolved (locale, or the setting); rule codes stay the same in every language.
"""

from __future__ import annotations

import asyncio
import itertools
import re

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

CJK = re.compile(r"[\u4e00-\u9fff]")
TEXT = "import torch\nx = torch.rand(2, 3)\ny = x.t().view(3, 2)\nz = torch.arrange(2)\n"
_counter = itertools.count()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    """One server per profile, for a client whose UI is in Simplified Chinese."""
    await start_session(lsp_client, request.param, locale="zh-CN")
    record_published(lsp_client)
    yield
    await lsp_client.shutdown_session()


def new_uri() -> str:
    return f"file:///workspace/diag_zh_{next(_counter)}.py"


async def code_actions(
    client: LanguageClient, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(
                diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction)]


async def test_chinese_diagnostics_quick_fixes_and_hover(client: LanguageClient) -> None:
    uri = new_uri()
    open_document(client, uri, TEXT)
    view, attr = await diagnostics_of(client, uri)
    assert (view.code, attr.code) == ("view-after-transpose", "unknown-torch-attr")
    assert view.message == (
        "对 “t()” 的结果调用 “view”，若新形状合并或拆分了被交换的维度就会报错："
        "此时张量已不再连续。请先调用 “.contiguous()”，或改用 “reshape”。"
    )
    assert attr.message == "“torch.arrange” 不存在：你是想用 “arange” 吗？"

    actions = await code_actions(client, uri, view)
    assert [a.title for a in actions] == [
        "在 “.view” 前插入 “.contiguous()”",
        "改用 “reshape” 代替 “view”",
    ]
    assert all(CJK.search(d.message) for a in actions for d in a.diagnostics or [])
    (rename,) = await code_actions(client, uri, attr)
    assert rename.title == "改为 “arange”"

    hover = await hover_at(client, uri, position(client, TEXT, "arrange", 2))
    assert hover is not None
    assert "(torch-notes:note/creation.arange_linspace)" in hover.contents.value
    assert CJK.search(hover.contents.value.partition("\n")[0]), "the note's card, in Chinese"
    assert attr.message not in hover.contents.value, "the editor shows the message itself"
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


async def test_switching_the_language_republishes_diagnostics(client: LanguageClient) -> None:
    uri = new_uri()
    open_document(client, uri, TEXT)
    first = await diagnostics_of(client, uri)
    assert all(CJK.search(d.message) for d in first)

    async def switch(language: str, expected: str) -> list[types.Diagnostic]:
        count = len(client.published)  # type: ignore[attr-defined]
        client.set_configuration({"language": language}, section="torchNotes")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
        await wait_until(client, lambda info: info["language"] == expected)
        if is_pull(client):
            return await diagnostics_of(client, uri)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while loop.time() < deadline:
            fresh = [p for p in client.published[count:] if p.uri == uri]  # type: ignore[attr-defined]
            if fresh:
                return list(fresh[-1].diagnostics)
            await asyncio.sleep(0.02)
        raise AssertionError("diagnostics not re-published after the language changed")

    english = await switch("en", "en")
    assert [d.code for d in english] == [d.code for d in first]
    assert english[1].message == '"torch.arrange" does not exist: did you mean "arange"?'
    assert not any(CJK.search(d.message) for d in english)
    (rename,) = await code_actions(client, uri, english[1])
    assert rename.title == 'Change to "arange"'

    back = await switch("auto", "zh")  # the zh-CN locale again
    assert [d.message for d in back] == [d.message for d in first]
    (rename,) = await code_actions(client, uri, back[1])
    assert rename.title == "改为 “arange”"
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
