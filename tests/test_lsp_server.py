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
    assert server.features == (), "created at start-up, after initialize is answered"
    server.create_features()
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


def test_every_notebook_notification_it_asks_for_is_handled() -> None:
    """``NOTEBOOK_SYNC`` asks for saves too: a save must not be an unknown method (pygls logs
    each one as a warning, which VS Code shows as an error in the extension's log)."""
    from torch_notes.lsp.capabilities import NOTEBOOK_SYNC

    handled = set(create_server().protocol.fm.features)
    assert NOTEBOOK_SYNC.save
    for method in (
        types.NOTEBOOK_DOCUMENT_DID_OPEN,
        types.NOTEBOOK_DOCUMENT_DID_CHANGE,
        types.NOTEBOOK_DOCUMENT_DID_SAVE,
        types.NOTEBOOK_DOCUMENT_DID_CLOSE,
    ):
        assert method in handled, method


class _Sink:
    """A writer that keeps what the server sends."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def close(self) -> None:
        pass


async def test_closing_documents_leaves_nothing_behind() -> None:
    """No bookkeeping survives a document or a finished notification (the leak of issue 12).

    pygls kept the future of every notification in ``_request_futures`` forever; the
    server's own per-URI state must be emptied on close too.
    """
    from torch_notes.lsp.transport import Message

    server = create_server()
    server.protocol.set_writer(_Sink())
    receive = server.protocol.receive

    def send(method: str, params: object, msg_id: int | None = None) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        receive(Message(message if msg_id is None else {**message, "id": msg_id}))

    send("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, 0)
    send("initialized", {})
    huge = "x = 1\n" * 400_000  # over MAX_DOCUMENT_CHARS: remembered as too large
    for number in range(20):
        uri = f"file:///leak/doc_{number}.py"
        text = huge if number == 3 else "import torch\ny = torch.zeros(2).t().contiguous()\n"
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        send("textDocument/didOpen", {"textDocument": item})
        change = {"range": {"start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 0}}, "text": "#\n"}  # fmt: skip
        send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
        )
        position = {"line": 2, "character": 24}
        send("textDocument/hover", {"textDocument": {"uri": uri}, "position": position}, number + 1)
        send("textDocument/didClose", {"textDocument": {"uri": uri}})
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    protocol = server.protocol
    assert [f for f in protocol._request_futures.values() if f.done()] == []
    assert len(protocol._request_futures) <= 1  # at most `initialized`, if still running
    assert server.state.documents == {}
    assert server._too_large == set()
    diagnostics = server.get_feature(DiagnosticsFeature)
    assert diagnostics._cache == {} and diagnostics._timers == {} and diagnostics._tasks == {}
    assert server.workspace.text_documents == {}
    assert any(b"contiguous" in data for data in server.protocol.writer.sent)  # type: ignore[union-attr]
