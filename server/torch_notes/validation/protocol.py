"""The line protocol between the validator and its workers: one JSON object per line.

Parent → worker: a job request (``key``, ``filename``, ``source``, ``requires``).
Worker → parent: ``{"type": "ready", ...environment}`` once torch is imported,
then one ``{"type": "result", ...}`` per request, in order.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

Message = dict[str, Any]


def encode(message: Message) -> bytes:
    """One message as a protocol line."""
    return json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"


def decode(line: bytes) -> Message:
    """A protocol line back into a message; ``ValueError`` if it is not one."""
    message = json.loads(line)
    if not isinstance(message, dict):
        raise ValueError("protocol message is not an object")
    return message


def send(stream: BinaryIO, message: Message) -> None:
    """Write one message and flush."""
    stream.write(encode(message))
    stream.flush()


class LineBuffer:
    """Collects bytes read from a pipe and yields complete lines."""

    def __init__(self) -> None:
        self._data = b""

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the lines it completed (without newlines)."""
        self._data += data
        *lines, self._data = self._data.split(b"\n")
        return [line for line in lines if line.strip()]
