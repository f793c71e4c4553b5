"""The line protocol between the pool and its fork servers: one JSON object per line.

Pool → fork server (its ``--requests`` pipe): a job request (``key``, ``filename``,
``source``, ``requires``, ``timeout``).
Fork server → pool (its ``--results`` pipe): ``{"type": "ready", ...environment}``
once torch is imported, then one ``{"type": "result", ...}`` per request, in order.

Jobs never see either pipe (see :mod:`torch_notes.validation.forkserver`); still,
the pool checks every message it reads (:func:`parse_result`, :func:`parse_ready`)
and treats anything else as the failure of the job in flight, never as a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, BinaryIO

Message = dict[str, Any]
OUTCOMES = ("passed", "failed", "skipped")
MAX_LINE = 8 * 2**20
"""Longest message line the pool accepts, in bytes."""


class ProtocolError(ValueError):
    """Bytes that are not a well-formed message of this protocol."""


def encode(message: Message) -> bytes:
    """One message as a protocol line."""
    return json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"


def decode(line: bytes) -> Message:
    """A protocol line back into a message; :class:`ProtocolError` if it is not one."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError) as err:
        raise ProtocolError(f"not JSON: {err}") from None
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    return message


def send(stream: BinaryIO, message: Message) -> None:
    """Write one message and flush."""
    stream.write(encode(message))
    stream.flush()


class LineBuffer:
    """Collects bytes read from a pipe and yields complete lines of at most ``limit`` bytes."""

    def __init__(self, limit: int = MAX_LINE) -> None:
        self._data = b""
        self._limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the lines it completed (without newlines).

        :class:`ProtocolError` when a line grows past the limit.
        """
        self._data += data
        *lines, self._data = self._data.split(b"\n")
        if len(self._data) > self._limit or any(len(line) > self._limit for line in lines):
            self._data = b""
            raise ProtocolError(f"a message line longer than {self._limit} bytes")
        return [line for line in lines if line.strip()]


@dataclass(frozen=True, slots=True)
class ResultMessage:
    """A checked ``result`` message."""

    key: str
    outcome: str
    reason: str
    seconds: float
    traceback: str
    line: int
    stray: int
    output: str
    """The tail of what the job printed (failures only)."""


def _field(message: Message, name: str, kind: type, default: Any) -> Any:
    value = message.get(name, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ProtocolError(f"field {name!r} is not a {kind.__name__}")
    return value


def parse_result(message: Message) -> ResultMessage:
    """Check a ``result`` message field by field; :class:`ProtocolError` if anything is off."""
    if message.get("type") != "result":
        raise ProtocolError(f"expected a result, got type {message.get('type')!r}")
    result = ResultMessage(
        key=_field(message, "key", str, None),
        outcome=_field(message, "outcome", str, None),
        reason=_field(message, "reason", str, ""),
        seconds=_field(message, "seconds", float, 0.0),
        traceback=_field(message, "traceback", str, ""),
        line=_field(message, "line", int, 0),
        stray=_field(message, "stray", int, 0),
        output=_field(message, "output", str, ""),
    )
    if result.outcome not in OUTCOMES:
        raise ProtocolError(f"unknown outcome {result.outcome!r}")
    if result.line < 0 or result.stray < 0 or not 0.0 <= result.seconds < 1e9:
        raise ProtocolError("a number out of range")
    return result


def parse_ready(message: Message) -> Message:
    """Check a ``ready`` message; returns it. :class:`ProtocolError` if it is not one."""
    if message.get("type") != "ready":
        raise ProtocolError(f"expected ready, got type {message.get('type')!r}")
    for name in ("torch", "device", "platform", "python"):
        _field(message, name, str, None)
    if not isinstance(message.get("sandbox", {}), dict):
        raise ProtocolError("field 'sandbox' is not an object")
    return message
