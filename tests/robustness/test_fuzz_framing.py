"""Property-based fuzzing of the framing layer: random header and body corruptions.

Each case is one framed message corrupted one to three ways (``corruptions.py``)
followed by a valid message. In process, the decoder must read the valid message
whatever chunks the bytes arrive in and hold nothing afterwards; over a real server's
stdio, the valid request (a hover) must be answered with the note every time, and the
server must never exit, wedge or pop up a window.

The number of cases: ``TORCH_NOTES_FUZZ_CASES`` for the server (default 400, 10,000 in
CI), five times as many for the decoder alone (it needs no process).
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
from corruptions import corrupted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rpc import RpcServer, frame
from test_protocol_abuse import CONTIGUOUS, SOURCE, URI

from torch_notes.lsp.transport import Message, MessageDecoder

pytestmark = pytest.mark.timeout(3600)

CASES = int(os.environ.get("TORCH_NOTES_FUZZ_CASES", "400"))
COUNTS = {"decoder": 0, "server": 0}

VALID = {"jsonrpc": "2.0", "id": "valid", "method": "textDocument/hover", "params": {}}
GOOD = frame(json.dumps(VALID).encode())


@st.composite
def base_messages(draw) -> dict:
    """What gets corrupted: a hover or a completion (integer ids), or a notification."""
    position = {"line": draw(st.integers(0, 5)), "character": draw(st.integers(0, 30))}
    params = {"textDocument": {"uri": URI}, "position": position}
    kind = draw(st.sampled_from(["textDocument/hover", "textDocument/completion", "$/note"]))
    message = {"jsonrpc": "2.0", "method": kind, "params": params}
    if not kind.startswith("$/"):
        message["id"] = draw(st.integers(0, 10**6))
    if draw(st.booleans()):
        message["params"]["padding"] = draw(st.text(max_size=60))
    return message


@settings(max_examples=CASES * 5, deadline=None, suppress_health_check=list(HealthCheck))
@given(bad=base_messages().flatmap(corrupted), split=st.integers(1, 80))
def test_decoder_reads_the_next_valid_message(bad: bytes, split: int):
    COUNTS["decoder"] += 1
    decoder = MessageDecoder()
    data = bad + GOOD
    events = []
    for start in range(0, len(data), split):
        events += decoder.feed(data[start : start + split])
    assert events and events[-1] == Message(VALID), events
    assert decoder.buffered == 0


@pytest.fixture(scope="module")
def server():
    with RpcServer() as srv:
        srv.initialize()
        srv.open(URI, SOURCE)
        yield srv


IDS = itertools.count()


@settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck))
@given(bad=base_messages().flatmap(corrupted))
def test_server_answers_the_next_valid_request(server: RpcServer, bad: bytes):
    COUNTS["server"] += 1
    server.send_raw(bad)
    msg_id = f"valid-{next(IDS)}"
    hover = {
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {
            "textDocument": {"uri": URI},
            "position": {"line": CONTIGUOUS[0], "character": CONTIGUOUS[1]},
        },
    }
    server.send(hover)
    response = server.wait_response(msg_id, timeout=20)
    assert "contiguous" in response["result"]["contents"]["value"], response
    server.null_responses.clear()
    server.responses.clear()


def test_server_survived(server: RpcServer):
    assert server.proc.poll() is None
    assert "contiguous" in json.dumps(server.hover(URI, *CONTIGUOUS))
    assert not server.shown_messages()
    print(f"framing fuzz cases: {COUNTS} (TORCH_NOTES_FUZZ_CASES={CASES})")
