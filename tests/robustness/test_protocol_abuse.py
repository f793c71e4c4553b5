"""Protocol abuse: raw JSON-RPC over stdio to a spawned server.

Each abuse is followed by a hover that must still answer with the note: the server
answers per the LSP/JSON-RPC spec and keeps working. Lifecycle cases (before
``initialize``, after ``shutdown``, ``exit``) get a server of their own.
"""

from __future__ import annotations

import json
import random
import time

import psutil
import pytest
from rpc import REPO, RpcServer, frame

pytestmark = pytest.mark.timeout(120)

URI = "file:///abuse/train.py"
SOURCE = "import torch\nx = torch.zeros(2, 3)\ny = x.t().contiguous()\n"
CONTIGUOUS = (2, 12)  # inside `contiguous`

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED, REQUEST_CANCELLED = -32002, -32800


def position(line: int, character: int) -> dict:
    return {"line": line, "character": character}


def text_params(uri: str, line: int, character: int) -> dict:
    return {"textDocument": {"uri": uri}, "position": position(line, character)}


@pytest.fixture(scope="module")
def server():
    with RpcServer() as srv:
        srv.initialize()
        srv.open(URI, SOURCE)
        yield srv


@pytest.fixture
def alive(server: RpcServer):
    """After the test: the server still answers a hover with the note."""
    yield server
    response = server.hover(URI, *CONTIGUOUS)
    assert "contiguous" in response["result"]["contents"]["value"], response
    assert server.proc.poll() is None
    assert not server.shown_messages(), "abuse never pops up a window"


def error_code(response: dict) -> int | None:
    return response.get("error", {}).get("code")


# -- malformed messages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json}", PARSE_ERROR),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover"', PARSE_ERROR),
        (b"\xff\xfe\x00garbage", PARSE_ERROR),
        (b"[1, 2, 3]", INVALID_REQUEST),
        (b"42", INVALID_REQUEST),
        (b'{"id": 5, "method": "textDocument/hover"}', INVALID_REQUEST),
    ],
    ids=["broken-json", "truncated-json", "not-utf8", "array", "scalar", "no-jsonrpc"],
)
def test_malformed_body_gets_an_error_with_null_id(alive: RpcServer, body: bytes, code: int):
    alive.send_raw(frame(body))
    response = alive.wait_response(None)
    assert error_code(response) == code
    assert response.get("id") is None


def test_garbage_header_lines_are_skipped(alive: RpcServer):
    alive.send_raw(b"X-Whatever: 1\r\nnonsense\r\n")
    assert "contiguous" in json.dumps(alive.hover(URI, *CONTIGUOUS))
    assert error_code(alive.wait_response(None)) == PARSE_ERROR


def test_request_with_invalid_params_gets_invalid_params(alive: RpcServer):
    body = {"jsonrpc": "2.0", "id": "bad-1", "method": "textDocument/hover"}
    body["params"] = {"textDocument": 5}
    alive.send_raw(frame(json.dumps(body).encode()))
    assert error_code(alive.wait_response("bad-1")) == INVALID_PARAMS
    negative = alive.request("textDocument/hover", text_params(URI, -1, -5))
    assert error_code(negative) == INVALID_PARAMS


def test_notification_with_invalid_params_is_logged(alive: RpcServer):
    alive.notify("textDocument/didOpen", {"textDocument": 5})
    alive.drain(0.3)


def test_unsolicited_response_is_ignored(alive: RpcServer):
    alive.send({"id": 987654, "result": {"anything": True}})
    alive.send({"id": 987655, "error": {"code": -1, "message": "no"}})


# -- unknown methods and documents -------------------------------------------------------


@pytest.mark.parametrize("method", ["foo/bar", "textDocument/notAThing", "$/customRequest"])
def test_unknown_request_gets_method_not_found(alive: RpcServer, method: str):
    assert error_code(alive.request(method, {})) == METHOD_NOT_FOUND


@pytest.mark.parametrize("method", ["foo/baz", "$/customNotification", "$/progress"])
def test_unknown_notification_is_ignored(alive: RpcServer, method: str):
    alive.notify(method, {"token": 1, "value": {}})
    alive.drain(0.1)
    assert not any("error" in json.dumps(r) for r in alive.null_responses)


def test_unknown_uri_is_never_read_from_disk(alive: RpcServer):
    """A real file on disk full of notes, never opened: nothing (the server reads no files)."""
    uri = (REPO / "examples" / "train_cifar_like.py").as_uri()
    assert alive.hover(uri, 0, 8)["result"] is None
    completion = alive.request("textDocument/completion", text_params(uri, 3, 10))
    assert completion["result"]["items"] == []
    action = alive.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {"start": position(0, 0), "end": position(0, 0)},
            "context": {"diagnostics": []},
        },
    )
    assert action["result"] == []
    assert alive.hover("untitled:Untitled-1", 0, 0)["result"] is None
    assert alive.hover("not a uri at all", 0, 0)["result"] is None


def test_position_far_outside_the_document(alive: RpcServer):
    assert alive.hover(URI, 10_000, 0)["result"] is None
    assert alive.hover(URI, 0, 2**31 - 1)["result"] is None


def test_unknown_command_and_bad_arguments(alive: RpcServer):
    unknown = alive.request("workspace/executeCommand", {"command": "nope", "arguments": []})
    assert "error" in unknown
    for arguments in ([], [{"id": "x"}], [{"id": "nope", "uri": URI, "position": 5}]):
        response = alive.request(
            "workspace/executeCommand",
            {"command": "torchNotes.insertSnippet", "arguments": arguments},
        )
        assert error_code(response) == INVALID_PARAMS, response


# -- document lifecycle --------------------------------------------------------------------


def test_duplicate_did_open_takes_the_new_text(alive: RpcServer):
    uri = "file:///abuse/dup.py"
    alive.open(uri, "import os\n")
    alive.open(uri, SOURCE)
    assert "contiguous" in json.dumps(alive.hover(uri, *CONTIGUOUS))
    alive.open(uri, "import os\n")
    assert alive.hover(uri, *CONTIGUOUS)["result"] is None


def test_change_and_close_of_a_closed_document_are_ignored(alive: RpcServer):
    uri = "file:///abuse/never-opened.py"
    before = len(alive.log_messages(min_type=1))
    change = {"range": {"start": position(0, 0), "end": position(0, 0)}, "text": "x"}
    alive.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
    )
    alive.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert alive.hover(uri, 0, 0)["result"] is None
    assert len(alive.log_messages(min_type=1)) == before, "no error logged"


def test_closed_document_is_forgotten(alive: RpcServer):
    uri = "file:///abuse/closed.py"
    alive.open(uri, SOURCE)
    assert alive.hover(uri, *CONTIGUOUS)["result"] is not None
    alive.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert alive.hover(uri, *CONTIGUOUS)["result"] is None


def test_other_language_gets_nothing(alive: RpcServer):
    uri = "file:///abuse/notes.md"
    alive.open(uri, SOURCE, language="markdown")
    assert alive.hover(uri, *CONTIGUOUS)["result"] is None


def test_cancel_request(alive: RpcServer):
    """Every request is answered exactly once: its result, or RequestCancelled."""
    ids = [
        alive.request_nowait("textDocument/hover", text_params(URI, *CONTIGUOUS)) for _ in range(30)
    ]
    for msg_id in ids:
        alive.notify("$/cancelRequest", {"id": msg_id})
    alive.notify("$/cancelRequest", {"id": 10**9})  # unknown id: ignored
    for msg_id in ids:
        response = alive.wait_response(msg_id)
        assert "result" in response or error_code(response) == REQUEST_CANCELLED, response


# -- size ------------------------------------------------------------------------------


def _rss_mib(server: RpcServer) -> float:
    return psutil.Process(server.proc.pid).memory_info().rss / 2**20


def test_five_megabyte_document(alive: RpcServer):
    """Bounded: answers within 10 s, resident memory stays under 300 MB."""
    line = "y = x.t().contiguous().view(-1)  # 中文注释 😀 and a comment to pad it\n"
    text = "import torch\nx = torch.zeros(2)\n" + line * (5_000_000 // len(line.encode()))
    uri = "file:///abuse/huge.py"
    start = time.monotonic()
    alive.open(uri, text)
    alive.hover(uri, 1000, 12, timeout=10)
    alive.request("textDocument/completion", text_params(uri, 3, 6), timeout=10)
    change = {"range": {"start": position(5, 0), "end": position(5, 0)}, "text": "z = 1\n"}
    alive.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
    )
    alive.hover(uri, 2000, 12, timeout=10)
    elapsed = time.monotonic() - start
    rss = _rss_mib(alive)
    print(f"5 MB document: {elapsed:.2f} s, RSS {rss:.0f} MiB")
    assert elapsed < 10
    assert rss < 300
    alive.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_binary_file_opened_as_python(alive: RpcServer):
    rng = random.Random(6)
    raw = bytes(rng.randrange(256) for _ in range(300_000))
    text = raw.decode("latin-1") + "\x00\ud800\udfff\ufffe"  # NULs, lone surrogates
    uri = "file:///abuse/model.bin"
    start = time.monotonic()
    alive.open(uri, text)
    for line in (0, 50, 5000):
        assert "result" in alive.hover(uri, line, 3, timeout=10)
    completion = alive.request("textDocument/completion", text_params(uri, 10, 2), timeout=10)
    assert "result" in completion
    elapsed = time.monotonic() - start
    print(f"binary document: {elapsed:.2f} s, RSS {_rss_mib(alive):.0f} MiB")
    assert elapsed < 10
    assert _rss_mib(alive) < 300
    alive.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


# -- lifecycle: a server of its own each ----------------------------------------------------


def test_requests_before_initialize():
    with RpcServer() as srv:
        assert error_code(srv.hover(URI, 0, 0)) == SERVER_NOT_INITIALIZED
        shutdown = srv.request("shutdown")
        assert error_code(shutdown) == SERVER_NOT_INITIALIZED
        srv.open(URI, SOURCE)  # dropped: notifications before initialize are ignored
        assert "result" in srv.initialize()
        assert srv.hover(URI, *CONTIGUOUS)["result"] is None, "the early didOpen was dropped"
        srv.open(URI, SOURCE)
        assert "contiguous" in json.dumps(srv.hover(URI, *CONTIGUOUS))
        again = srv.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        assert error_code(again) == INVALID_REQUEST


def test_shutdown_then_requests_then_exit_0():
    with RpcServer() as srv:
        srv.initialize()
        srv.open(URI, SOURCE)
        assert srv.request("shutdown") == {"jsonrpc": "2.0", "id": 2, "result": None}
        assert error_code(srv.hover(URI, *CONTIGUOUS)) == INVALID_REQUEST
        assert error_code(srv.request("shutdown")) == INVALID_REQUEST
        srv.notify("textDocument/didClose", {"textDocument": {"uri": URI}})  # dropped
        srv.notify("exit")
        assert srv.exit_code() == 0


def test_exit_without_shutdown_is_1():
    with RpcServer() as srv:
        srv.initialize()
        srv.notify("exit")
        assert srv.exit_code() == 1


def test_exit_before_initialize_is_1():
    with RpcServer() as srv:
        srv.notify("exit")
        assert srv.exit_code() == 1


def test_client_vanishing_ends_the_server():
    with RpcServer() as srv:
        srv.initialize()
        assert srv.proc.stdin is not None
        srv.proc.stdin.close()
        assert srv.exit_code() == 1


@pytest.mark.parametrize("odd", ["\x0c", "\x1c", "\x85", "\u2028", "\x0b"])
def test_incremental_edit_after_an_odd_line_break_character(alive: RpcServer, odd: str):
    """Only ``\\n`` (and ``\\r\\n``) end a line: ``str.splitlines`` breaks at more (a pygls bug)."""
    uri = "file:///abuse/odd.py"
    alive.open(uri, f"a = '{odd}'\nimport torch\nx = torch.zeros(2)\n")
    change = {"range": {"start": position(3, 0), "end": position(3, 0)}, "text": SOURCE}
    alive.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
    )
    hover = alive.hover(uri, 3 + CONTIGUOUS[0], CONTIGUOUS[1])
    assert "contiguous" in json.dumps(hover), hover
    alive.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
