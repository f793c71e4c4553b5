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
- bytes that cannot be read as a message (see :mod:`torch_notes.lsp.transport`: bad
  framing, a body that is not JSON or is nested too deep) get ``ParseError`` (-32700)
  with ``id: null``; a JSON value that is not a JSON-RPC 2.0 message gets
  ``InvalidRequest`` (-32600): with ``id: null`` when the id itself is unusable
  (``"id": {}``), else with the id (``"method": 5``); a log line, never a window;
- a request for a method the server does not have gets ``MethodNotFound`` (-32601),
  with or without ``params``;
- a *notification* method sent with an id (a request, by JSON-RPC's definition) gets
  ``InvalidRequest`` with that id and is not run: JSON-RPC requires every request to
  be answered, and LSP defines no request of that name, so the Request object is not
  a valid one. Running it and answering ``null`` would guess what the client meant
  (``exit`` with an id would end the session);
- ``didChange``/``didClose`` for a document (or notebook) that is not open are logged and
  ignored.

Its documents split lines on ``\n`` only (``\r\n`` ends a line too), like the
analysis and tree-sitter do. pygls' own documents use ``str.splitlines``, which
also breaks at form feeds, ``\x1c``-``\x1e``, ``\x85`` and ``\u2028``: an edit after
such a character was applied to the wrong line, and the server's copy of the
document silently diverged from the editor's.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
    JsonRpcServerNotInitialized,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument, Workspace

from torch_notes.lsp.transport import Event, FramingError

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


def _valid_id(value: object) -> bool:
    """A request id: a string or an integer (LSP's ``integer | string``)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def envelope_problem(data: object) -> tuple[Any, str] | None:
    """``(id to answer with, reason)`` when ``data`` is not a JSON-RPC 2.0 message, else None.

    The id is ``None`` when it cannot be read (JSON-RPC: "If there was an error in
    detecting the id in the Request object ... it MUST be Null").
    """
    if not isinstance(data, dict):
        return None, "not a JSON object"
    if data.get("jsonrpc") != "2.0":
        return None, "'jsonrpc' is not \"2.0\""
    if "method" in data:
        if "id" in data and not _valid_id(data["id"]):
            return None, "'id' is not a string or an integer"
        if not isinstance(data["method"], str):
            return data.get("id"), "'method' is not a string"
        return None
    if "id" not in data or not ("result" in data or "error" in data):
        return data.get("id") if _valid_id(data.get("id")) else None, "no 'method', no 'result'"
    if data["id"] is not None and not _valid_id(data["id"]):
        return None, "'id' is not a string, an integer or null"
    return None


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

    def receive(self, event: Event) -> None:
        """Handle what the transport read: a framing error, or one JSON value."""
        if isinstance(event, FramingError):
            logger.warning("unreadable message: %s", event.reason)
            self._reply_error(None, JsonRpcParseError(f"Parse error: {event.reason}"))
            return
        data = event.value
        problem = envelope_problem(data)
        if problem is not None:
            msg_id, reason = problem
            logger.warning("not a JSON-RPC message: %s", reason)
            self._reply_error(msg_id, JsonRpcInvalidRequest(f"Invalid request: {reason}"))
            return
        method = data.get("method")
        if method is not None and "id" in data and self._is_notification(method):
            logger.warning("%s sent with an id (id %r)", method, data["id"])
            reason = f"{method} is a notification: it is sent without an id"
            self._reply_error(data["id"], JsonRpcInvalidRequest(reason))
            return
        if method is not None and data.get("params") is None:
            data = {**data, "params": None}  # omitted: unknown methods still get MethodNotFound
        try:
            message = self.structure_message(data)
        except Exception as err:  # a notification (or response) that does not fit its type
            logger.warning(
                "ignoring a message that does not fit %s: %s", method or "a response", err
            )
            return
        self.handle_message(message)

    def _is_notification(self, method: str) -> bool:
        """Whether LSP defines ``method`` as a notification."""
        message_type = self.get_message_type(method)
        return (
            message_type is not None
            and attrs.has(message_type)
            and "id" not in attrs.fields_dict(message_type)
        )

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

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Any:
        """pygls' ``shutdown``, cancelling pending work over a copy of the futures.

        pygls iterates ``_request_futures`` while cancelling, and a cancelled future's
        callback removes itself from it (see :meth:`_execute_handler`).
        """
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                logger.debug("shutdown cancels %r", msg_id)
                future.cancel()
        self._shutdown = True

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Run a handler as pygls does, and forget its future once it is done.

        pygls 2.1 files the future of every asynchronous, threaded or generator handler
        under ``msg_id`` in ``_request_futures`` (so ``$/cancelRequest`` can find it) but
        only a *request's* answer removes it. Notifications (``didOpen``, ``didChange``,
        ``didClose``: generator handlers, under a fresh UUID) and the steps of generator
        handlers were never removed: one future, its condition and lock, ~1 KiB, per
        message, for the life of the session, and every full garbage collection walked
        them all (hovers slowed as the session aged).
        """

        def done(future: Any) -> None:
            if self._request_futures.get(msg_id) is future:
                del self._request_futures[msg_id]
            callback(future)

        super()._execute_handler(msg_id, handler, done, args, kwargs)

    def _reply_error(self, msg_id: Any, error: JsonRpcException) -> None:
        """Send an error response; ``"id": null`` is written out (pygls would omit it)."""
        self._send_data(
            {
                "jsonrpc": "2.0",
                "id": msg_id,
                "error": self._converter.unstructure(error.to_response_error()),
            }
        )

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
    """Log an out-of-band error (a handler's failure is already answered to the client).

    Unreadable input never gets here: :meth:`TorchNotesProtocol.receive` answers it.
    """
    logger.error("error while handling a message: %s", error)
