"""Helpers for the note-writing tests: a workspace with a notes folder, edits applied to disk."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pytest_lsp import LanguageClient


def workspace(prefix: str) -> tuple[Path, Path, Path]:
    """A fresh workspace root, its notes folder (not created yet) and a cache folder."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    cache = root / ".cache"
    cache.mkdir()
    return root, root / "notes", cache


def server_env(cache: Path) -> dict[str, str]:
    """The server's environment: the test's, with its own cache (pages, local record)."""
    return {**os.environ, "XDG_CACHE_HOME": str(cache)}


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def _offset(text: str, position: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


def apply_to_disk(edit: types.WorkspaceEdit) -> list[Path]:
    """Apply a workspace edit (create-file operations, text edits) to the files, as an editor
    would (ASCII edits: positions are characters); returns the files touched."""
    touched: list[Path] = []
    changes: list[Any] = list(edit.document_changes or [])
    for uri, edits in (edit.changes or {}).items():
        changes.append(
            types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(uri, None), edits)
        )
    for change in changes:
        if isinstance(change, types.CreateFile):
            path = path_of(change.uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_text("", encoding="utf-8")
            touched.append(path)
            continue
        path = path_of(change.text_document.uri)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        for text_edit in sorted(
            change.edits, key=lambda e: _offset(text, e.range.start), reverse=True
        ):
            start, end = _offset(text, text_edit.range.start), _offset(text, text_edit.range.end)
            text = text[:start] + text_edit.new_text + text[end:]
        path.write_text(text, encoding="utf-8")
        touched.append(path)
    return touched


def open_yaml(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    """Open a note file in the client (its text from disk unless given); returns its URI."""
    uri = path.as_uri()
    body = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "yaml", version, body))
    )
    return uri


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Replace the whole text of an open document."""
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def save_document(client: LanguageClient, uri: str, text: str) -> None:
    """Write the text to disk and tell the server, as an editor saving the file."""
    path_of(uri).write_text(text, encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


async def eventually(
    check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s; last: {value!r}")
        await asyncio.sleep(interval)


def row_of(text: str, marker: str) -> int:
    """The 0-based row of the line containing ``marker``."""
    for row, line in enumerate(text.split("\n")):
        if marker in line:
            return row
    raise AssertionError(f"{marker!r} not in the text")


def answer_code_lens_refresh(client: LanguageClient) -> None:
    """Answer ``workspace/codeLens/refresh`` as VS Code does (the profile says it can)."""
    client.lens_refreshes = 0  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(params) -> None:  # unannotated: pygls would inject the client
        client.lens_refreshes += 1  # type: ignore[attr-defined]
