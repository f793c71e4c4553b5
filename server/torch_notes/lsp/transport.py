"""The LSP base protocol's framing: bytes in, JSON values or framing errors out.

:class:`MessageDecoder` is pure (no I/O, no event loop, nothing about the server): feed
it whatever the transport delivered, in chunks of any size, and it returns what it could
read. It is strict about what it accepts and lenient about where it starts again:

- headers are ``Name: value`` lines ended by ``\\r\\n`` or a bare ``\\n``; names are
  case-insensitive; a blank line ends them; blank lines before a header are skipped;
- ``Content-Length`` must be present, a decimal integer no larger than
  ``max_message_bytes`` (64 MiB by default): never allocated before it is checked; a
  second one with another value starts a new header (the first was cut off);
- the body must be UTF-8 JSON nested at most ``max_depth`` levels deep (64 by default)
  and holding at most ``max_containers`` arrays and objects, checked before it is
  parsed, so a hostile body costs neither a ``RecursionError`` nor gigabytes;
- anything else is a :class:`FramingError` (with a reason that never quotes the input),
  and the decoder *resynchronises*: it skips to the next ``Content-Length`` header
  instead of waiting forever for bytes that will never come. A header block that cannot
  be read, a body that is not JSON (the search for the next header starts at its first
  byte: the length may be wrong too), a body shorter than declared (it fails to parse)
  and a body longer than declared (the next message's header line lies inside it, seen
  as soon as it arrives) each cost one error, and the next well-framed message is read
  normally.

Garbage skipped right after an error is not reported again (until a header line is
read), so one broken message yields one error. :func:`pump` drives a decoder from an
asynchronous byte source; :func:`stdin_chunks` and :func:`stream_chunks` are two.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import IO, Any

DEFAULT_MAX_MESSAGE_BYTES = 64 * 2**20
"""Largest body accepted (64 MiB): a 2,000,000-character document in a ``didOpen``
is at most ~12 MiB even when every character is escaped."""

DEFAULT_MAX_HEADER_BYTES = 8192
"""Largest header block (all lines of one message's header)."""

DEFAULT_MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted (LSP messages need about ten)."""

DEFAULT_MAX_CONTAINERS = 1_000_000
"""Most arrays and objects in one body (``[[],[],...]`` would otherwise cost ~60 bytes
of memory per input byte once parsed)."""

CHUNK_BYTES = 65536
"""How much a transport reads at once."""

_RESYNC = re.compile(rb"content-length", re.IGNORECASE)
_RESYNC_KEEP = len(b"content-length") - 1
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_DIGITS = re.compile(rb"[0-9]{1,20}")
_HEADER_LINE = re.compile(
    rb"content-length[ \t]{0,16}:[ \t]{0,16}[0-9]{1,20}[ \t]{0,16}\r?\n", re.IGNORECASE
)
_HEADER_LINE_MAX = 96
_BRACKETS = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class Message:
    """One JSON value read from a well-framed message (not yet checked to be JSON-RPC)."""

    value: Any


@dataclass(frozen=True, slots=True)
class FramingError:
    """Bytes that could not be read as a message; JSON-RPC answers ``ParseError``."""

    reason: str


Event = Message | FramingError


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JSON = json.JSONDecoder(parse_constant=_reject_constant)
"""Strict JSON: ``NaN`` and ``Infinity`` are not JSON (shared: a decoder keeps no state)."""


def nesting_error(body: bytes, max_depth: int, max_containers: int) -> str | None:
    """Why ``body`` (JSON text) is nested too deep or holds too many containers, or ``None``.

    Brackets inside strings do not count: escaped backslashes and quotes are removed,
    then every other ``"`` delimits a string. Runs at C speed on text and stops at the
    first excess, so a 100,000-deep body costs microseconds.
    """
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return None
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    depth = containers = 0
    for outside in plain.split(b'"')[::2]:
        for bracket in _BRACKETS.finditer(outside):
            if bracket.group() in b"[{":
                depth += 1
                containers += 1
                if depth > max_depth:
                    return f"JSON nested deeper than {max_depth} levels"
                if containers > max_containers:
                    return f"more than {max_containers} JSON arrays and objects"
            else:
                depth -= 1
    return None


class MessageDecoder:
    """Incremental decoder of the LSP base protocol (see the module docstring)."""

    def __init__(
        self,
        *,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        max_depth: int = DEFAULT_MAX_DEPTH,
        max_containers: int = DEFAULT_MAX_CONTAINERS,
    ) -> None:
        if min(max_message_bytes, max_header_bytes, max_depth, max_containers) < 1:
            raise ValueError("every limit must be positive")
        self.max_message_bytes = max_message_bytes
        self.max_header_bytes = max_header_bytes
        self.max_depth = max_depth
        self.max_containers = max_containers
        self._buffer = bytearray()
        self._pos = 0
        self._state = self._headers
        self._header_start = 0
        self._fields: list[tuple[bytes, bytes]] = []
        self._length = 0
        self._scanned = 0
        self._quiet = False

    # -- public ------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Event]:
        """Take ``data`` (any amount, any split) and return every event it completes."""
        self._buffer += data
        events: list[Event] = []
        while self._state(events):
            pass
        keep = min(self._pos, self._header_start)  # a header block may be read again
        if keep:
            del self._buffer[:keep]
            self._pos -= keep
            self._header_start -= keep
        return events

    def close(self) -> list[Event]:
        """The input ended: an error if a message was cut short, else nothing."""
        cut = self._state == self._body or (
            self._state == self._headers and self._buffer[self._pos :].strip()
        )
        self._reset(self._headers)
        self._buffer.clear()
        self._pos = 0
        return [FramingError("the input ended inside a message")] if cut else []

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a message (at most the limits)."""
        return len(self._buffer) - self._pos

    # -- states: each returns whether it made progress ----------------------------------

    def _headers(self, events: list[Event]) -> bool:
        buffer = self._buffer
        newline = buffer.find(b"\n", self._pos)
        if newline == -1:
            if len(buffer) - self._header_start > self.max_header_bytes:
                return self._lost(events, "header block too long", self._header_start + 1)
            return False
        line_start = self._pos
        line = bytes(buffer[line_start:newline]).rstrip(b"\r")
        self._pos = newline + 1
        if self._pos - self._header_start > self.max_header_bytes:
            return self._lost(events, "header block too long", self._header_start + 1)
        if not line.strip():
            if not self._fields:  # blank lines between messages
                self._header_start = self._pos
                return True
            return self._end_of_headers(events)
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            return self._lost(events, "a header line is not 'Name: value'", line_start + 1)
        name, value = name.lower(), value.strip()
        if name == b"content-length":
            if not _DIGITS.fullmatch(value):
                reason = "Content-Length is not a decimal integer"
                return self._lost(events, reason, line_start + 1)
            if any(n == name and v != value for n, v in self._fields):  # a cut-off header
                return self._lost(events, "conflicting Content-Length headers", line_start)
        self._fields.append((name, value))
        self._quiet = False  # a new header: its problems are its own
        return True

    def _end_of_headers(self, events: list[Event]) -> bool:
        lengths = [value for name, value in self._fields if name == b"content-length"]
        again = self._header_start + 1  # a header name may hide in a line ("xContent-Length")
        if not lengths:
            return self._lost(events, "no Content-Length header", again)
        length = int(lengths[0])
        if length > self.max_message_bytes:
            reason = f"Content-Length {length} is over the limit of {self.max_message_bytes} bytes"
            return self._lost(events, reason, again)
        self._reset(self._body)
        self._length = length
        return True

    def _body(self, events: list[Event]) -> bool:
        start, length = self._pos, self._length
        available = len(self._buffer) - start
        end = start + min(available, length)
        # A header line (its name, digits, a raw line end) cannot occur in JSON text: raw
        # line ends are never inside strings, letters never outside. One inside the
        # declared body means the length was too long and the next message starts there
        # (seen as soon as it arrives: the client may be waiting for an answer).
        scan_from = start + max(self._scanned - _HEADER_LINE_MAX, 0)
        self._scanned = end - start
        found = _HEADER_LINE.search(self._buffer, scan_from, end)
        if found is not None:
            self._emit(events, FramingError(f"Content-Length {length} is longer than the message"))
            self._pos = found.start()
            self._reset(self._headers)
            return True
        if available < length:
            return False
        event = self._decode(bytes(self._buffer[start:end]))
        self._emit(events, event)
        if isinstance(event, Message):
            self._pos = end
            self._reset(self._headers)
        else:  # the length may be wrong too: look for the next header from the body's start
            self._reset(self._resync)
        return True

    def _resync(self, events: list[Event]) -> bool:
        found = _RESYNC.search(self._buffer, self._pos)
        if found is None:
            self._pos = max(self._pos, len(self._buffer) - _RESYNC_KEEP)
            return False
        self._pos = found.start()
        self._reset(self._headers)
        return True

    # -- helpers -----------------------------------------------------------------------

    def _reset(self, state: Callable[[list[Event]], bool]) -> None:
        self._state = state
        self._header_start = self._pos
        self._fields = []
        self._scanned = 0

    def _emit(self, events: list[Event], event: Event) -> None:
        events.append(event)
        self._quiet = isinstance(event, FramingError)

    def _lost(self, events: list[Event], reason: str, resume_at: int) -> bool:
        """Framing is lost: report it (once per run of garbage), skip to the next header."""
        if not self._quiet:
            self._emit(events, FramingError(reason))
        self._pos = resume_at
        self._reset(self._resync)
        return True

    def _decode(self, body: bytes) -> Event:
        problem = nesting_error(body, self.max_depth, self.max_containers)
        if problem is not None:
            return FramingError(problem)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return FramingError("the body is not UTF-8")
        try:
            return Message(_JSON.decode(text))
        except ValueError:
            return FramingError("the body is not JSON")


# -- driving a decoder ---------------------------------------------------------------------


async def pump(
    chunks: AsyncIterator[bytes],
    decoder: MessageDecoder,
    deliver: Callable[[Event], None],
    handled: Callable[[], None] = lambda: None,
) -> None:
    """Feed every chunk to ``decoder`` and ``deliver`` each event, until the input ends;
    ``handled()`` after each chunk's events (pairs with the chunk sources' ``on_chunk``)."""
    async for chunk in chunks:
        try:
            for event in decoder.feed(chunk):
                deliver(event)
        finally:
            handled()
    for event in decoder.close():
        deliver(event)


async def stdin_chunks(
    stream: IO[bytes], size: int = CHUNK_BYTES, on_chunk: Callable[[], None] = lambda: None
) -> AsyncIterator[bytes]:
    """Chunks read from a blocking binary stream by a daemon thread, one at a time.

    The thread waits for each chunk to be taken before it reads the next, so a client
    that writes faster than the server reads fills the pipe, not the server's memory;
    being a daemon, it never keeps the process alive once the server is done. It calls
    ``on_chunk()`` as soon as a chunk is read (before the event loop wakes up for it).
    """
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    taken = threading.Event()
    read = _raw_reader(stream)

    def reader() -> None:
        while True:
            try:
                chunk = read(size)
            except (OSError, ValueError):  # closed under us
                chunk = b""
            taken.clear()
            if chunk:
                on_chunk()
            try:
                loop.call_soon_threadsafe(chunks.put_nowait, chunk)
            except RuntimeError:  # the event loop is closed: the server is done
                return
            if not chunk:
                return
            taken.wait()

    threading.Thread(target=reader, name="lsp-stdin", daemon=True).start()
    while chunk := await chunks.get():
        taken.set()
        yield chunk


def _raw_reader(stream: IO[bytes]) -> Callable[[int], bytes]:
    """``read(n)`` returning what is available (at most ``n`` bytes, ``b""`` at the end).

    A file descriptor is read with :func:`os.read`, below Python's buffered reader: a
    daemon thread blocked inside ``BufferedReader.read1`` holds its lock, and the
    interpreter aborts at exit when it cannot take it to close ``sys.stdin``.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream
        return getattr(stream, "read1", stream.read)
    return lambda size: os.read(fd, size)


async def stream_chunks(
    reader: asyncio.StreamReader,
    size: int = CHUNK_BYTES,
    on_chunk: Callable[[], None] = lambda: None,
) -> AsyncIterator[bytes]:
    """Chunks of an asyncio stream (a TCP connection), until it closes; ``on_chunk()``
    as each one is read."""
    while chunk := await reader.read(size):
        on_chunk()
        yield chunk
