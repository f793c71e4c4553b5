"""Byte-level tests of the LSP framing decoder (``lsp/transport.py``): no server, no I/O.

Each malformed input is followed by a valid message, fed three ways (in one chunk,
byte by byte, and the valid message only after the decoder has seen the bad one): the
bad input costs one :class:`FramingError`, and the valid message is always read.
"""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from torch_notes.lsp.request_gate import RequestGate
from torch_notes.lsp.transport import (
    DEFAULT_MAX_DEPTH,
    FramingError,
    Message,
    MessageDecoder,
    nesting_error,
    pump,
    stdin_chunks,
)

VALID = {"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"x": [1, 2]}}
SECRET = "s3cr3t-first-line-of-a-file"


def frame(value: object, *, delta: int = 0, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    body = json.dumps(value).encode()
    return header % (len(body) + delta) + body


GOOD = frame(VALID)


def events_of(data: bytes, mode: str = "whole", decoder: MessageDecoder | None = None) -> list:
    decoder = decoder or MessageDecoder()
    if mode == "whole":
        return decoder.feed(data)
    events = []
    for i in range(len(data)):
        events += decoder.feed(data[i : i + 1])
    return events


def summary(events: list) -> list[str]:
    return ["error" if isinstance(e, FramingError) else "message" for e in events]


MODES = ["whole", "bytewise", "later"]


def feed_bad_then_good(bad: bytes, mode: str) -> list:
    if mode == "later":
        decoder = MessageDecoder()
        return decoder.feed(bad) + decoder.feed(GOOD)
    return events_of(bad + GOOD, mode)


# -- well-formed input ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_valid_messages_in_any_split(mode: str):
    events = events_of(GOOD + frame({"jsonrpc": "2.0", "method": "initialized"}) + GOOD, mode)
    assert [e.value for e in events] == [VALID, {"jsonrpc": "2.0", "method": "initialized"}, VALID]


@pytest.mark.parametrize(
    "header",
    [
        b"content-length: %d\r\n\r\n",
        b"CONTENT-LENGTH:%d\r\n\r\n",
        b"Content-Length: %d\n\n",
        b"Content-Length: %d\r\n\n",
        b"Content-Length:   %d  \r\nContent-Type: application/vscode-jsonrpc; charset=utf-8"
        b"\r\n\r\n",
        b"Content-Type: application/vscode-jsonrpc\nContent-Length: %d\n\n",
        b"X-Extra: 1\r\nContent-Length: %d\r\n\r\n",
    ],
    ids=["lower", "upper-no-space", "lf-only", "mixed", "content-type", "type-first", "extra"],
)
def test_header_variants_are_read(header: bytes):
    for mode in ("whole", "bytewise"):
        events = events_of(frame(VALID, header=header) + GOOD, mode)
        assert summary(events) == ["message", "message"], (mode, events)


def test_blank_lines_between_messages_are_skipped():
    assert summary(events_of(b"\r\n\r\n" + GOOD + b"\n" + GOOD)) == ["message", "message"]


def test_unicode_body():
    value = {"jsonrpc": "2.0", "method": "x", "params": {"text": "中文 😀 \u2028"}}
    assert events_of(frame(value), "bytewise")[0].value == value


# -- malformed framing --------------------------------------------------------------------

BAD_HEADERS = {
    "abc": b"Content-Length: abc\r\n\r\n{}",
    "negative": b"Content-Length: -5\r\n\r\n{}",
    "missing": b"Content-Type: application/vscode-jsonrpc\r\n\r\n{}",
    "plus": b"Content-Length: +2\r\n\r\n{}",
    "float": b"Content-Length: 2.0\r\n\r\n{}",
    "empty": b"Content-Length:\r\n\r\n{}",
    "30 GB": b"Content-Length: 30000000000\r\n\r\n{}",
    "20 digits": b"Content-Length: 99999999999999999999\r\n\r\n{}",
    "200 digits": b"Content-Length: " + b"9" * 200 + b"\r\n\r\n{}",
    "not a header": b"nonsense\r\n\r\n{}",
    "garbage bytes": bytes(range(256)) * 4,
    "no newline": b"x" * 100_000,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", list(BAD_HEADERS.values()), ids=list(BAD_HEADERS))
def test_bad_header_costs_one_error_and_the_next_message_is_read(bad: bytes, mode: str):
    events = feed_bad_then_good(bad, mode)
    assert summary(events) == ["error", "message"], events
    assert events[-1].value == VALID


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("delta", [-20, -5, -3, -2, -1, 1, 2, 3, 5, 20])
def test_content_length_a_few_bytes_off(delta: int, mode: str):
    other = {"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {}}
    events = feed_bad_then_good(frame(other, delta=delta), mode)
    assert summary(events) == ["error", "message"], events
    assert events[-1].value == VALID


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("cut", [b"Content-Length: 99\r\n", b"Content-Length: 5", b"X-A: 1\r\n"])
def test_header_cut_off_by_the_next_message(cut: bytes, mode: str):
    """A header block interrupted by the next message's header: that message is read."""
    assert summary(feed_bad_then_good(cut, mode))[-1:] == ["message"]


def test_too_long_length_does_not_wait_for_bytes_that_never_come():
    """The declared length is 10 bytes too long: the next message's header is enough."""
    decoder = MessageDecoder()
    assert decoder.feed(frame(VALID, delta=10)) == []  # could still be a real body
    events = decoder.feed(GOOD[:30])  # part of the next header arrives: not yet decidable
    events += decoder.feed(GOOD[30:])
    assert summary(events) == ["error", "message"]
    broken = frame(VALID, delta=1000)[:-1]  # the closing brace is lost as well
    decoder = MessageDecoder()
    assert decoder.feed(broken) == []
    assert summary(decoder.feed(GOOD)) == ["error", "message"]


def test_over_the_limit_is_never_allocated():
    decoder = MessageDecoder(max_message_bytes=1000)
    events = decoder.feed(b"Content-Length: 1001\r\n\r\n" + b"[" * 900)
    assert summary(events) == ["error"]
    assert "limit of 1000 bytes" in events[0].reason
    assert decoder.buffered < 20, "skipped bytes are not kept"
    assert summary(decoder.feed(GOOD)) == ["message"]
    assert summary(MessageDecoder(max_message_bytes=1000).feed(frame({"a": "x" * 900}))) == [
        "message"
    ]


def test_garbage_is_not_buffered():
    decoder = MessageDecoder()
    for _ in range(100):
        decoder.feed(b"no header here, " * 1000)
    assert decoder.buffered <= decoder.max_header_bytes
    assert summary(decoder.feed(GOOD)) == ["message"]


def test_an_error_never_quotes_the_input():
    bad = f"Content-Length: {SECRET}\r\n\r\n{SECRET}".encode()
    events = events_of(bad + frame({"a": SECRET}, delta=-3) + b"X-" + SECRET.encode() + b"\r\n")
    assert events and all(SECRET not in e.reason for e in events if isinstance(e, FramingError))


def test_one_error_per_run_of_garbage_and_per_unreadable_body():
    """Headers skipped in one run are one error; a framed body that fails is its own."""
    run = BAD_HEADERS["abc"] + BAD_HEADERS["negative"] + b"garbage\r\n"
    assert summary(events_of(run + GOOD)) == ["error", "message"]
    bodies = frame({"x": 1}, delta=-2) + b"Content-Length: 2\r\n\r\n{]"
    assert summary(events_of(bodies + GOOD)) == ["error", "error", "message"]


def test_end_of_input_inside_a_message():
    decoder = MessageDecoder()
    decoder.feed(GOOD[:-3])
    assert summary(decoder.close()) == ["error"]
    decoder = MessageDecoder()
    decoder.feed(GOOD + b"\r\n")
    assert decoder.close() == []


# -- bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{not json}", b"", b"\xff\xfe{}", b"NaN", b'{"a": Infinity}', b"\xef\xbb\xbf{}", b"{} {}"],
    ids=["broken", "empty", "not-utf8", "nan", "infinity", "bom", "two-values"],
)
def test_body_that_is_not_one_json_value(body: bytes):
    events = events_of(b"Content-Length: %d\r\n\r\n" % len(body) + body + GOOD)
    assert summary(events) == ["error", "message"]


@pytest.mark.parametrize("value", [[1, 2], 42, "text", None])
def test_any_json_value_is_a_message(value: object):
    """Whether it is a JSON-RPC message is for the protocol to say."""
    assert events_of(frame(value))[0] == Message(value)


def test_depth_limit():
    inside = {"jsonrpc": "2.0", "method": "x", "params": None}
    deep: object = 0
    for _ in range(DEFAULT_MAX_DEPTH - 2):
        deep = [deep]
    inside["params"] = {"a": deep}  # exactly the limit: object, object, then lists
    assert summary(events_of(frame(inside))) == ["message"]
    inside["params"] = {"a": [deep]}
    events = events_of(frame(inside) + GOOD)
    assert summary(events) == ["error", "message"]
    assert "deeper than 64" in events[0].reason


@pytest.mark.timeout(60)
def test_hundred_thousand_deep_is_refused():
    """No RecursionError, no hang (the check stops at the first level too deep)."""
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        events = events_of(b"Content-Length: %d\r\n\r\n" % len(body) + body + GOOD)
        assert summary(events) == ["error", "message"]


def test_brackets_inside_strings_do_not_count():
    text = '[[[[{{{{ \\" \\\\ "' * 5000
    value = {"jsonrpc": "2.0", "method": "x", "params": {"text": text}}
    assert events_of(frame(value))[0].value == value
    assert nesting_error(json.dumps({"s": '\\"[[['}).encode(), 2, 10) is None


def test_container_limit():
    body = b"[" + b",".join([b"[]"] * 2000) + b"]"
    decoder = MessageDecoder(max_containers=1000)
    events = decoder.feed(b"Content-Length: %d\r\n\r\n" % len(body) + body + GOOD)
    assert summary(events) == ["error", "message"]
    assert "more than 1000" in events[0].reason


def test_limits_must_be_positive():
    with pytest.raises(ValueError):
        MessageDecoder(max_message_bytes=0)


# -- driving -----------------------------------------------------------------------------------


def test_pump_over_an_in_memory_stream():
    stream = io.BytesIO(BAD_HEADERS["abc"] + GOOD + GOOD[:10])
    seen: list = []

    async def main() -> None:
        await pump(stdin_chunks(stream, size=7), MessageDecoder(), seen.append)

    asyncio.run(main())
    assert summary(seen) == ["error", "message", "error"]


def test_every_chunk_read_is_marked_busy_until_its_messages_are_handled():
    stream = io.BytesIO(GOOD * 3)
    gate = RequestGate()
    states: list[bool] = []

    def deliver(event: object) -> None:
        states.append(gate.is_busy)

    async def main() -> None:
        chunks = stdin_chunks(stream, size=len(GOOD), on_chunk=gate.busy)
        await pump(chunks, MessageDecoder(), deliver, gate.idle)

    asyncio.run(main())
    assert states == [True, True, True]  # each message was handled while busy
    assert not gate.is_busy  # and the last chunk's handling made the server idle again
