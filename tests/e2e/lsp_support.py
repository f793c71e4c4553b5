"""Helpers for the end-to-end tests: client profiles, sessions, positions, requests."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from torch_notes.analysis.positions import units_from_index
from torch_notes.lsp.settings import Settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SERVER_COMMAND = [sys.executable, "-m", "torch_notes", "lsp", "--poll-interval", "0.2"]
PROFILES = ["visual-studio-code", "neovim"]
CONFIG = ClientServerConfig(server_command=SERVER_COMMAND)


def capabilities(profile: str, **changes: Any) -> types.ClientCapabilities:
    """A real client profile, optionally with tweaks (``snippet_support=False``...)."""
    caps = copy.deepcopy(client_capabilities(profile))
    if "snippet_support" in changes:
        caps.text_document.completion.completion_item.snippet_support = changes["snippet_support"]
    if "snippet_edit_support" in changes:
        caps.workspace.workspace_edit.snippet_edit_support = changes["snippet_edit_support"]
    return caps


def install_recorders(client: LanguageClient) -> None:
    """Answer the server's requests the way an editor would, and keep what it sent."""
    client.applied_edits = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.corpus_changes = []  # type: ignore[attr-defined]

    @client.feature("torchNotes/corpusChanged")
    def corpus_changed(params) -> None:  # unannotated: pygls would inject the client
        client.corpus_changes.append(params)  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams) -> None:
        return None


async def start_session(
    client: LanguageClient,
    profile: str,
    *,
    locale: str | None = None,
    settings: dict[str, Any] | None = None,
    root: Path = REPO,
    hints: dict[str, Any] | None = None,
    **changes: Any,
) -> None:
    """Initialize like ``profile`` would, with workspace settings, and wait until applied.

    ``hints`` are the ``clientHints`` an editor integration sends (the VS Code extension).
    """
    install_recorders(client)
    if settings is not None:
        client.set_configuration(settings, section="torchNotes")
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(profile, **changes),
            locale=locale,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options={"clientHints": hints} if hints is not None else None,
        )
    )
    client.encoding = str(result.capabilities.position_encoding or "utf-16")  # type: ignore[attr-defined]
    client.profile = profile  # type: ignore[attr-defined]
    if settings is not None:
        expected = json.loads(json.dumps(dataclasses.asdict(Settings.from_json(settings))))
        await wait_until(client, lambda info: info["settings"] == expected)


async def server_info(client: LanguageClient) -> dict[str, Any]:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="torchNotes.serverInfo", arguments=[])
    )


async def wait_until(
    client: LanguageClient, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> dict[str, Any]:
    """Poll ``torchNotes.serverInfo`` until ``predicate`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        info = await server_info(client)
        if predicate(info):
            return info
        if loop.time() > deadline:
            raise AssertionError(f"timed out; last serverInfo: {info}")
        await asyncio.sleep(0.05)


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
    )


def position(client: LanguageClient, text: str, marker: str, offset: int = 0) -> types.Position:
    """Where ``marker`` (+ ``offset`` characters) is, in the client's position encoding."""
    start = text.index(marker) + offset
    row = text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start : text.find("\n", start) if "\n" in text[start:] else len(text)]
    return types.Position(row, units_from_index(line, start - line_start, client.encoding))  # type: ignore[attr-defined]


async def hover_at(client: LanguageClient, uri: str, where: types.Position) -> types.Hover | None:
    return await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), where)
    )


async def hover_text_until(
    client: LanguageClient, uri: str, where: types.Position, wanted: str, attempts: int
) -> str:
    """The hover's text at ``where``, asked again (one serverInfo round trip apart) until it
    contains ``wanted`` or ``attempts`` hovers were asked; the last text either way."""
    value = ""
    for _ in range(attempts):
        found = await hover_at(client, uri, where)
        value = found.contents.value if found else ""
        if wanted in value:
            break
        await server_info(client)
    return value


async def complete_at(
    client: LanguageClient, uri: str, where: types.Position
) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), where)
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


def token_range(client: LanguageClient, text: str, offset: int) -> types.Range:
    """The range of the identifier covering character ``offset`` of ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start:].split("\n", 1)[0]
    row = text.count("\n", 0, offset)
    begin = end = offset - line_start
    while begin > 0 and (line[begin - 1].isalnum() or line[begin - 1] == "_"):
        begin -= 1
    while end < len(line) and (line[end].isalnum() or line[end] == "_"):
        end += 1
    encoding = client.encoding  # type: ignore[attr-defined]
    return types.Range(
        types.Position(row, units_from_index(line, begin, encoding)),
        types.Position(row, units_from_index(line, end, encoding)),
    )


def record_published(client: LanguageClient) -> None:
    """Keep every ``publishDiagnostics`` the server sends, in order, in ``client.published``."""
    client.published = []  # type: ignore[attr-defined]
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)  # type: ignore[attr-defined]
        original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record


def is_pull(client: LanguageClient) -> bool:
    """Whether the client pulls diagnostics (the Neovim profile) rather than being pushed them."""
    return client.profile == "neovim"  # type: ignore[attr-defined]


async def diagnostics_of(
    client: LanguageClient, uri: str, version: int = 1, timeout: float = 10.0
) -> list[types.Diagnostic]:
    """Pull them, or wait for the push of ``version`` (needs :func:`record_published`)."""
    if is_pull(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert report.kind == "full"
        return list(report.items)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for params in reversed(client.published):  # type: ignore[attr-defined]
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        await asyncio.sleep(0.02)
    raise AssertionError(f"no diagnostics published for {uri} v{version}")
