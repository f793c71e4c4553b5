"""Languages, settings changes, live reload of user notes and broken user notes."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    PROFILES,
    complete_at,
    diagnostics_of,
    hover_at,
    open_document,
    position,
    record_published,
    start_session,
    wait_until,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from torch_notes.corpus.loader import load_corpus

SOURCE = "import torch\nx = torch.zeros(2, 3)\ny = x.t().contiguous()\nz = y.bfloat16()\n\n"
URI = "file:///workspace/settings.py"

USER_NOTE = """\
topic: user
notes:
  - id: user.bfloat16
    symbols: [torch.Tensor.bfloat16]
    title: {{en: "{title}", zh: "{title}（中文）"}}
    summary: {{en: "Half the memory of float32.", zh: "内存只有 float32 的一半。"}}
    body: {{en: "bfloat16 keeps the float32 exponent.", zh: "bfloat16 保留 float32 的指数位。"}}
    example: |
      x = 1
      assert x == 1
"""

BROKEN_NOTE = """\
topic: broken
notes:
  - id: user.broken
    symbols: [torch.Tensor.half]
    title: {en: "Broken", zh: "坏的"}
    body: {en: "No summary.", zh: "没有摘要。"}
    example: |
      assert True
"""


@pytest_lsp.fixture(config=CONFIG, params=PROFILES)
async def fresh(lsp_client: LanguageClient, request):
    """A fresh server per test: the test starts the session itself."""
    lsp_client.profile = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def hover_text(client: LanguageClient, marker: str, offset: int = 1) -> str | None:
    result = await hover_at(client, URI, position(client, SOURCE, marker, offset))
    return None if result is None else result.contents.value


async def language_shown(client: LanguageClient) -> str:
    """``zh`` or ``en``: the language of a hover and of the snippet catalogue, which must agree."""
    card = await hover_text(client, "contiguous")
    chinese_hover = any("\u4e00" <= ch <= "\u9fff" for ch in card.partition("\n")[0])
    snippets = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="torchNotes.listSnippets", arguments=[])
    )
    chinese_titles = any("\u4e00" <= ch <= "\u9fff" for entry in snippets for ch in entry["title"])
    assert chinese_hover == chinese_titles
    return "zh" if chinese_hover else "en"


@pytest.mark.parametrize(
    ("locale", "expected", "override"), [("zh-CN", "zh", "en"), ("en-US", "en", "zh")]
)
async def test_languages(fresh: LanguageClient, locale, expected, override):
    """The locale picks the language; ``torchNotes.language`` overrides it."""
    await start_session(fresh, fresh.profile, locale=locale, settings={})  # type: ignore[attr-defined]
    open_document(fresh, URI, SOURCE)
    assert await language_shown(fresh) == expected
    fresh.set_configuration({"language": override}, section="torchNotes")
    fresh.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_until(fresh, lambda info: info["language"] == override)
    assert await language_shown(fresh) == override


async def test_settings_change_without_restart(fresh: LanguageClient):
    await start_session(fresh, fresh.profile, settings={})  # type: ignore[attr-defined]
    open_document(fresh, URI, SOURCE)
    assert await hover_text(fresh, "contiguous") is not None
    assert await complete_at(fresh, URI, types.Position(4, 0))

    assert not [log for log in fresh.log_messages if log.type == types.MessageType.Log]
    fresh.set_trace(types.SetTraceParams(types.TraceValue.Verbose))  # logs now include DEBUG
    fresh.set_configuration(
        {"hover": {"enable": False}, "completion": {"snippets": False}, "language": "zh"},
        section="torchNotes",
    )
    fresh.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_until(fresh, lambda info: info["language"] == "zh")
    assert await hover_text(fresh, "contiguous") is None
    assert await complete_at(fresh, URI, types.Position(4, 0)) == []
    dot = await complete_at(fresh, URI, position(fresh, SOURCE, "zeros", 0))
    assert "zeros" in {item.label for item in dot}  # API completions stay on
    debug = [log for log in fresh.log_messages if log.type == types.MessageType.Log]
    assert any("settings applied" in log.message for log in debug)


async def test_live_reload_of_user_notes(fresh: LanguageClient, tmp_path: Path):
    notes = tmp_path / "my-notes"
    notes.mkdir()
    note_file = notes / "user.yaml"
    note_file.write_text(USER_NOTE.format(title="First title"), encoding="utf-8")
    await start_session(fresh, fresh.profile, settings={"extraPaths": [str(notes)]})  # type: ignore[attr-defined]
    open_document(fresh, URI, SOURCE)
    assert "First title" in await hover_text(fresh, "bfloat16")
    if fresh.profile == "visual-studio-code":  # type: ignore[attr-defined]
        watched = [
            r for r in fresh.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        ]  # type: ignore[attr-defined]
        assert watched and str(notes) in str(watched[-1].register_options)

    note_file.write_text(USER_NOTE.format(title="Second title"), encoding="utf-8")
    if fresh.profile == "visual-studio-code":  # the editor reports the change; Neovim: polling
        fresh.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=note_file.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
    for _ in range(100):
        value = await hover_text(fresh, "bfloat16")
        if value and "Second title" in value:
            break
        await asyncio.sleep(0.05)
    assert "Second title" in value
    assert not fresh.messages
    changes = fresh.corpus_changes  # type: ignore[attr-defined]
    assert changes, "the server announces reloads with torchNotes/corpusChanged"
    last = changes[-1]
    notes = getattr(last, "notes", None) if not isinstance(last, dict) else last["notes"]
    assert notes == len(load_corpus([note_file]).notes)


async def test_broken_user_notes(fresh: LanguageClient, tmp_path: Path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.yaml").write_text(USER_NOTE.format(title="Good one"), encoding="utf-8")
    broken = notes / "broken.yaml"
    broken.write_text(textwrap.dedent(BROKEN_NOTE), encoding="utf-8")
    await start_session(fresh, fresh.profile, settings={"extraPaths": [str(notes)]})  # type: ignore[attr-defined]
    open_document(fresh, URI, SOURCE)
    assert "Good one" in await hover_text(fresh, "bfloat16")  # good notes are still served
    for _ in range(100):
        if fresh.messages:
            break
        await asyncio.sleep(0.05)
    (message,) = fresh.messages
    assert message.type == types.MessageType.Warning
    assert "broken.yaml:3" in message.message and "'summary'" in message.message
    assert any("broken.yaml" in log.message for log in fresh.log_messages)


DEPRECATING_NOTE = """\
topic: user
notes:
  - id: user.old_det
    symbols: [torch.det]
    title: {en: "torch.det is the old spelling", zh: "torch.det 是旧写法"}
    summary: {en: "Use torch.linalg.det.", zh: "请改用 torch.linalg.det。"}
    body: {en: "Same result, linalg namespace.", zh: "结果相同，位于 linalg 命名空间。"}
    example: |
      assert True
    deprecated:
      since: "2.0"
      replacement: torch.linalg.det
"""


async def test_user_note_change_rechecks_open_documents(fresh: LanguageClient, tmp_path: Path):
    """A reload of the user's notes re-runs the diagnostics of open documents."""
    notes = tmp_path / "notes"
    notes.mkdir()
    await start_session(fresh, fresh.profile, settings={"extraPaths": [str(notes)]})  # type: ignore[attr-defined]
    record_published(fresh)
    uri = "file:///workspace/det.py"
    source = "import torch\nd = torch.det(torch.eye(2))\n"
    open_document(fresh, uri, source)
    assert [d.code for d in await diagnostics_of(fresh, uri)] == []

    note_file = notes / "old.yaml"
    note_file.write_text(DEPRECATING_NOTE, encoding="utf-8")
    if fresh.profile == "visual-studio-code":  # type: ignore[attr-defined]
        fresh.published.clear()  # type: ignore[attr-defined]
        fresh.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=note_file.as_uri(), type=types.FileChangeType.Created)]
            )
        )
    codes: list[object] = []
    for _ in range(100):  # Neovim's profile: the server polls the directory
        codes = [d.code for d in await diagnostics_of(fresh, uri)]
        if codes:
            break
        await asyncio.sleep(0.05)
    assert codes == ["deprecated-api"]
