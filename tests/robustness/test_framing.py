"""Hostile framing and JSON-RPC envelopes over a real server's stdio (and TCP).

Each case sends bytes no client library would, then a valid hover that must be
answered with the note: the server never exits or wedges on input, and answers what
the JSON-RPC spec asks (``ParseError`` with ``id: null`` where it cannot read a message).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from rpc import REPO, SERVER_COMMAND, RpcServer, frame
from test_protocol_abuse import (
    CONTIGUOUS,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    SOURCE,
    URI,
    error_code,
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def server():
    with RpcServer() as srv:
        srv.initialize()
        srv.open(URI, SOURCE)
        yield srv


@pytest.fixture
def alive(server: RpcServer):
    """Before: nothing pending. After: the hover still answers, no window popped up."""
    server.null_responses.clear()
    yield server
    response = server.hover(URI, *CONTIGUOUS)
    assert "contiguous" in response["result"]["contents"]["value"], response
    assert server.proc.poll() is None
    assert not server.shown_messages(), "malformed input never pops up a window"


def body(message: dict) -> bytes:
    return json.dumps({"jsonrpc": "2.0", **message}).encode()


HOVER = {
    "id": "framing",
    "method": "textDocument/hover",
    "params": {"textDocument": {"uri": URI}, "position": {"line": 2, "character": 12}},
}

BAD_FRAMES = {
    "length abc": b"Content-Length: abc\r\n\r\n" + body(HOVER),
    "length -5": b"Content-Length: -5\r\n\r\n" + body(HOVER),
    "length missing": b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + body(HOVER),
    "length 30000000000": b"Content-Length: 30000000000\r\n\r\n" + body(HOVER),
    "length 20 digits": b"Content-Length: 99999999999999999999\r\n\r\n" + body(HOVER),
    "garbage line": b"this is not a header\r\n\r\n",
    "binary": bytes(range(256)),
    **{
        f"length {delta:+d}": b"Content-Length: %d\r\n\r\n" % (len(body(HOVER)) + delta)
        + body(HOVER)
        for delta in (-3, -1, 1, 3)
    },
}


@pytest.mark.parametrize("bad", list(BAD_FRAMES.values()), ids=list(BAD_FRAMES))
def test_bad_framing_gets_parse_error_and_the_next_request_is_answered(alive, bad: bytes):
    alive.send_raw(bad)
    answer = alive.hover(URI, *CONTIGUOUS)
    assert "contiguous" in answer["result"]["contents"]["value"]
    error = alive.wait_response(None)
    assert error_code(error) == PARSE_ERROR and error["id"] is None, error


@pytest.mark.parametrize(
    "header", [b"content-length: %d\r\n\r\n", b"Content-Length: %d\n\n", b"CONTENT-LENGTH:%d\n\r\n"]
)
def test_lenient_headers_are_read(alive, header: bytes):
    payload = body({**HOVER, "id": "lenient"})
    alive.send_raw(header % len(payload) + payload)
    assert "contiguous" in json.dumps(alive.wait_response("lenient"))
    assert not alive.null_responses


def test_too_long_length_is_detected_when_the_next_message_arrives(alive):
    """The client waits for an answer: the server must not wait for the missing bytes."""
    payload = body({**HOVER, "id": "too-long"})
    alive.send_raw(b"Content-Length: %d\r\n\r\n" % (len(payload) + 10) + payload)
    time.sleep(0.2)  # the server now holds a partial body
    answer = alive.hover(URI, *CONTIGUOUS)
    assert "contiguous" in answer["result"]["contents"]["value"]
    assert error_code(alive.wait_response(None)) == PARSE_ERROR


def test_json_nested_100000_deep(alive):
    deep = b'{"jsonrpc": "2.0", "id": "deep", "method": "x", "params": ' + b"[" * 100_000
    deep += b"]" * 100_000 + b"}"
    alive.send_raw(frame(deep))
    assert error_code(alive.wait_response(None)) == PARSE_ERROR


@pytest.mark.parametrize(
    ("message", "code", "answer_id"),
    [
        ({"id": "u1", "method": "foo/unknown"}, METHOD_NOT_FOUND, "u1"),
        ({"id": "u2", "method": "$/unknownRequest"}, METHOD_NOT_FOUND, "u2"),
        ({"id": {}, "method": "textDocument/hover"}, INVALID_REQUEST, None),
        ({"id": [1], "method": "foo/unknown"}, INVALID_REQUEST, None),
        ({"id": 1.5, "method": "foo/unknown"}, INVALID_REQUEST, None),
        ({"id": True, "method": "foo/unknown"}, INVALID_REQUEST, None),
        ({"id": "m5", "method": 5}, INVALID_REQUEST, "m5"),
        ({"method": 5}, INVALID_REQUEST, None),
        ({"id": "nothing"}, INVALID_REQUEST, "nothing"),
        ({"id": "n1", "method": "initialized", "params": {}}, INVALID_REQUEST, "n1"),
        ({"id": "n2", "method": "$/cancelRequest", "params": {"id": 1}}, INVALID_REQUEST, "n2"),
        ({"id": "n3", "method": "exit"}, INVALID_REQUEST, "n3"),
    ],
    ids=[
        "unknown-without-params",
        "dollar-without-params",
        "id-object",
        "id-array",
        "id-float",
        "id-bool",
        "method-5",
        "method-5-no-id",
        "no-method-no-result",
        "notification-with-id",
        "cancel-with-id",
        "exit-with-id",
    ],
)
def test_envelope_errors(alive, message: dict, code: int, answer_id):
    alive.send_raw(frame(body(message)))
    response = alive.wait_response(answer_id)
    assert error_code(response) == code, response
    assert response["id"] == answer_id


def test_did_open_sent_with_an_id_is_refused_and_not_run(alive):
    uri = "file:///framing/with-id.py"
    did_open = {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}}
    alive.send_raw(
        frame(body({"id": "open", "method": "textDocument/didOpen", "params": did_open}))
    )
    assert error_code(alive.wait_response("open")) == INVALID_REQUEST
    assert alive.hover(uri, *CONTIGUOUS)["result"] is None


@pytest.mark.parametrize("command", ["torchNotes.showNote", "torchNotes.searchNotes"])
@pytest.mark.parametrize(
    "arguments",
    [[None], [[1, 2]], [{"id": {"x": 1}, "query": {"x": 1}}], [5], [True], [{"id": None}]],
    ids=["null", "list", "object", "int", "bool", "null-in-object"],
)
def test_command_arguments_of_the_wrong_type(alive, command: str, arguments: list):
    response = alive.request(
        "workspace/executeCommand", {"command": command, "arguments": arguments}
    )
    assert error_code(response) == INVALID_PARAMS, response


@pytest.mark.parametrize(
    "arguments",
    [
        [None],
        [{"id": ["x"], "uri": URI, "position": {"line": 0, "character": 0}}],
        [{"id": "pt-train", "uri": {"u": 1}, "position": {"line": 0, "character": 0}}],
        [{"id": "pt-train", "uri": URI, "position": {"line": "0", "character": 0}}],
        [{"id": "pt-train", "uri": URI, "position": {"line": -1, "character": 0}}],
        [{"id": "pt-train", "uri": URI, "position": [0, 0]}],
    ],
    ids=["null", "id-list", "uri-object", "line-string", "line-negative", "position-list"],
)
def test_insert_snippet_arguments_of_the_wrong_type(alive, arguments: list):
    response = alive.request(
        "workspace/executeCommand", {"command": "torchNotes.insertSnippet", "arguments": arguments}
    )
    assert error_code(response) == INVALID_PARAMS, response


def test_message_over_the_configured_limit():
    with RpcServer("--max-message-bytes", "4096") as srv:
        srv.initialize()
        srv.open(URI, SOURCE)
        srv.open("file:///framing/big.py", "x = 1\n" * 1000)
        assert error_code(srv.wait_response(None)) == PARSE_ERROR
        assert "contiguous" in json.dumps(srv.hover(URI, *CONTIGUOUS))
        assert srv.hover("file:///framing/big.py", 0, 0)["result"] is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_tcp_transport_uses_the_same_framing():
    port = _free_port()
    proc = subprocess.Popen(
        [*SERVER_COMMAND, "--tcp", f"127.0.0.1:{port}"],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "the server did not listen"
                time.sleep(0.1)
        initialize = {"id": 1, "method": "initialize", "params": {"processId": None,
                      "rootUri": None, "capabilities": {}}}  # fmt: skip
        payload = body(initialize)
        conn.sendall(b"Content-Length: abc\r\n\r\n{}" + b"content-length: %d\n\n" % len(payload))
        conn.sendall(payload)
        received = b""
        while b'"id": 1' not in received and b'"id":1' not in received:
            chunk = conn.recv(65536)
            assert chunk, "connection closed"
            received += chunk
        assert b"-32700" in received and b'"capabilities"' in received
        conn.sendall(frame(body({"id": 2, "method": "shutdown"})) + frame(body({"method": "exit"})))
        assert proc.wait(timeout=30) == 0
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_stdin_closed_mid_message_ends_the_server():
    with RpcServer() as srv:
        srv.initialize()
        srv.send_raw(b"Content-Length: 100\r\n\r\n{")
        assert srv.proc.stdin is not None
        srv.proc.stdin.close()
        assert srv.exit_code() == 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
