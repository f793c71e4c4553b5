"""JSON-RPC strictness pygls leaves out: lifecycle errors, bad messages, stale notifications.

pygls 2.1 answers a request sent before ``initialize`` with an internal error (the
workspace does not exist yet), never answers requests after ``shutdown``, leaves a
request with invalid params unanswered (the client waits forever), pops up an
error window for a malformed message, and raises on ``didChange``/``didClose`` of
a document that is not open. This protocol answers as the LSP spec says instead:

- before ``initialize``: requests get ``ServerNotInitialized`` (-32002), notifications
  other than ``exit`` are dropped; a second ``initialize`` gets ``InvalidRequest``;
- after ``shutdown``: requests get ``InvalidRequest`` (-32600), notifications other
  than ``exit`` are dropped;
- a request whose params do not fit its method gets ``InvalidParams`` (-32602);
- a body that is not JSON gets ``ParseError`` (-32700), a JSON value that is not a
  message gets ``InvalidRequest``, both with ``id: null``, and a log line, no window;
- ``didChange``/``didClose`` for a document (or notebook) that is not open are logged and
  ignored.

Its documents split lines on ``\n`` only (``\r\n`` ends a line too), like the
analysis and tree-sitter do. pygls' own documents use ``str.splitlines``, which
also breaks at form feeds, ``\x1c``-``\x1e``, ``\x85`` and ``\u2028``: an edit after
such a character was applied to the wrong line, and the server's copy of the
document silently diverged from the editor's.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument, Workspace

logger = logging.getLogger(__name__)

_DOCUMENT_NOTIFICATIONS = (types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_CLOSE)
_NOTEBOOK_NOTIFICATIONS = (
    types.NOTEBOOK_DOCUMENT_DID_CHANGE,
    types.NOTEBOOK_DOCUMENT_DID_SAVE,
    types.NOTEBOOK_DOCUMENT_DID_CLOSE,
)


class _Unreadable:
    """A request whose params could not be read: answered with the error, not dispatched."""

    jsonrpc = "2.0"

    def __init__(self, msg_id: Any, method: str, error: JsonRpcException) -> None:
        self.id = msg_id if isinstance(msg_id, int | str) else None
        self.method = method
        self.error = error


class _TextDocument(TextDocument):
    @property
    def lines(self) -> tuple[str, ...]:
        parts = self.source.split("\n")
        last = parts.pop()
        return (*(part + "\n" for part in parts), *((last,) if last else ()))


class _Workspace(Workspace):
    def _create_text_document(self, *args: Any, **kwargs: Any) -> TextDocument:
        document = super()._create_text_document(*args, **kwargs)
        document.__class__ = _TextDocument
        return document


class TorchNotesProtocol(LanguageServerProtocol):
    """pygls' protocol with the lifecycle and error handling of the LSP spec."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_received = False

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as err:
            if "jsonrpc" in data and "id" in data and isinstance(data.get("method"), str):
                return _Unreadable(data["id"], data["method"], err)
            raise

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        result = yield from super().lsp_initialize(params)
        self._workspace.__class__ = _Workspace
        return result

    def _reply_error(self, msg_id: Any, error: JsonRpcException) -> None:
        self._send_response(msg_id, None, error.to_response_error())

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unreadable):
            logger.warning("invalid params for %s (id %r)", message.method, message.id)
            self._reply_error(message.id, message.error)
            return
        if getattr(message, "jsonrpc", None) is None:  # JSON, but not a JSON-RPC message
            logger.warning("ignoring a message that is not JSON-RPC: %.200r", message)
            self._reply_error(None, JsonRpcInvalidRequest())
            return
        method = getattr(message, "method", None)
        if method is None:  # a response to one of our requests
            super().handle_message(message)
            return
        is_request = hasattr(message, "id")
        if method == types.EXIT:
            super().handle_message(message)
            return
        if self._shutdown:
            if is_request:
                self._reply_error(message.id, JsonRpcInvalidRequest("the server is shut down"))
            return
        if method == types.INITIALIZE:
            if self._initialize_received:
                self._reply_error(message.id, JsonRpcInvalidRequest("already initialized"))
                return
            self._initialize_received = True
        elif not self._initialize_received:
            if is_request:
                self._reply_error(message.id, JsonRpcServerNotInitialized())
            return
        elif method in _DOCUMENT_NOTIFICATIONS and not self._is_open(message.params):
            logger.debug("ignoring %s for a document that is not open", method)
            return
        elif method in _NOTEBOOK_NOTIFICATIONS and not self._is_open_notebook(message.params):
            logger.debug("ignoring %s for a notebook that is not open", method)
            return
        super().handle_message(message)

    def _is_open_notebook(self, params: Any) -> bool:
        uri = getattr(getattr(params, "notebook_document", None), "uri", None)
        if not isinstance(uri, str):
            return False
        return self.workspace.get_notebook_document(notebook_uri=uri) is not None

    def _is_open(self, params: Any) -> bool:
        uri = getattr(getattr(params, "text_document", None), "uri", None)
        return isinstance(uri, str) and self._server.document(uri) is not None


def report_server_error(protocol: LanguageServerProtocol, error: Exception) -> None:
    """Answer a body that is not JSON with ``ParseError``; log other out-of-band errors."""
    if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
        logger.warning("ignoring a message that is not JSON: %s", error)
        protocol._send_response(None, None, JsonRpcParseError().to_response_error())
        return
    logger.error("error while handling a message: %s", error)
