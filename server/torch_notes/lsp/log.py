"""Forward the server's Python logging to the client's ``window/logMessage``."""

from __future__ import annotations

import logging
from collections.abc import Callable

from lsprotocol import types

PACKAGE_LOGGER = "torch_notes"

_TRACE_LEVELS = {"off": logging.INFO, "messages": logging.INFO, "verbose": logging.DEBUG}
_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


def level_for_trace(trace: str | None) -> int:
    """The logging level a client's trace value asks for (``verbose`` → DEBUG)."""
    return _TRACE_LEVELS.get(trace or "off", logging.INFO)


def message_type(levelno: int) -> types.MessageType:
    """The LSP message type of a logging level."""
    for level, kind in _MESSAGE_TYPES:
        if levelno >= level:
            return kind
    return types.MessageType.Log


class ClientLogHandler(logging.Handler):
    """Sends each record as ``window/logMessage`` through ``send``."""

    def __init__(self, send: Callable[[types.LogMessageParams], None]) -> None:
        super().__init__()
        self._send = send
        self._emitting = False
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if self._emitting:  # sending may log; never recurse
            return
        self._emitting = True
        try:
            self._send(types.LogMessageParams(message_type(record.levelno), self.format(record)))
        except Exception:
            self.handleError(record)
        finally:
            self._emitting = False


class _DropLateCancels(logging.Filter):
    """A ``$/cancelRequest`` for a request already answered is normal, not a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Cancel notification for unknown message id")


def quiet_pygls() -> None:
    """pygls logs every message at INFO; keep only its warnings and errors (minus late cancels)."""
    logging.getLogger("pygls").setLevel(logging.WARNING)
    rpc_logger = logging.getLogger("pygls.protocol.json_rpc")
    if not any(isinstance(f, _DropLateCancels) for f in rpc_logger.filters):
        rpc_logger.addFilter(_DropLateCancels())
