"""The server object's own mechanics: features, background tasks, the document accessor."""

from __future__ import annotations

import asyncio
import logging

import pytest
from lsprotocol import types
from pygls.workspace import Workspace

from torch_notes.lsp.diagnostics import DiagnosticsFeature
from torch_notes.lsp.feature import ServerFeature
from torch_notes.lsp.handlers import create_server
from torch_notes.lsp.server import TorchNotesServer


class Recorder(ServerFeature):
    def __init__(self, server: TorchNotesServer) -> None:
        super().__init__(server)
        self.events: list[str] = []

    def document_opened(self, uri: str) -> None:
        self.events.append(f"open {uri}")

    def document_closed(self, uri: str) -> None:
        self.events.append(f"close {uri}")


def test_features_are_registered_and_found_by_type() -> None:
    server = create_server()
    assert isinstance(server.get_feature(DiagnosticsFeature), DiagnosticsFeature)
    recorder = Recorder(server)
    server.add_feature(recorder)
    assert server.get_feature(Recorder) is recorder
    assert server.features[-1] is recorder
    with pytest.raises(KeyError):
        server.get_feature(type("Unknown", (ServerFeature,), {}))


async def test_a_failing_background_task_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    server = TorchNotesServer()

    async def broken() -> None:
        raise RuntimeError("boom in the background")

    with caplog.at_level(logging.ERROR, logger="torch_notes"):
        task = server.run_task(broken(), "broken job")
        with pytest.raises(RuntimeError):
            await task
        await asyncio.sleep(0)
    assert "background task 'broken job' failed" in caplog.text
    assert "boom in the background" in caplog.text


async def test_a_cancelled_background_task_is_not_an_error(caplog) -> None:
    server = TorchNotesServer()
    with caplog.at_level(logging.ERROR, logger="torch_notes"):
        task = server.run_task(asyncio.sleep(10), "sleeper")
        await asyncio.sleep(0)
        task.cancel()
        await asyncio.sleep(0)
    assert caplog.text == ""


def test_one_key_for_every_spelling_of_a_uri() -> None:
    key = TorchNotesServer.document_key
    assert key("file:///tmp/a%20b.py") == key("file:///tmp/a b.py") == "file:///tmp/a b.py"
    assert key("file:///w/%E8%AE%AD%E7%BB%83.py") == "file:///w/训练.py"


def test_documents_are_reached_through_the_accessor_only() -> None:
    server = TorchNotesServer()
    server.protocol._workspace = Workspace(None)  # what ``initialize`` would create
    server.workspace.put_text_document(
        types.TextDocumentItem("file:///w/a%20b.py", "python", 3, "import torch\n")
    )
    recorder = Recorder(server)
    server.add_feature(recorder)
    for spelling in ("file:///w/a%20b.py", "file:///w/a b.py", "file:///w/a%20b%2Epy"):
        document = server.document(spelling)
        assert document is not None and document.version == 3
    assert list(server.open_uris()) == ["file:///w/a%20b.py"], "as the client wrote it"
    assert server.document("file:///w/other.py") is None, "never read from disk"
    server.document_opened("file:///w/a%20b.py")
    server.document_closed("file:///w/a%20b.py")
    assert recorder.events == ["open file:///w/a%20b.py", "close file:///w/a%20b.py"]
