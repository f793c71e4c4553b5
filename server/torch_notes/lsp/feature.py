"""Server features as objects: lifecycle hooks and their own state.

A :class:`ServerFeature` is registered on the server once
(:meth:`~torch_notes.lsp.server.TorchNotesServer.add_feature`) and then hears about
the session's events in registration order: ``initialize``, ``initialized``, documents
opened, changed and closed, settings applied, the corpus reloaded, and ``shutdown``.
Request handlers reach it with
:meth:`~torch_notes.lsp.server.TorchNotesServer.get_feature`. Each hook is optional;
the defaults do nothing. A feature keeps its state on itself, never on the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from torch_notes.lsp.server import TorchNotesServer


class ServerFeature:
    """One capability of the server (diagnostics, note files, notebooks, …)."""

    def __init__(self, server: TorchNotesServer) -> None:
        self.server = server

    def initialize(self, params: types.InitializeParams) -> None:
        """Read what the client supports (``initialize``, before it is answered)."""

    async def initialized(self) -> None:
        """The client is ready (``initialized``); settings have been pulled."""

    def document_opened(self, uri: str) -> None:
        """A text document (or notebook cell) was opened."""

    def document_changed(self, uri: str) -> None:
        """An open document changed (the server's copy is up to date)."""

    def document_closed(self, uri: str) -> None:
        """A document was closed: forget it."""

    def settings_applied(self) -> None:
        """New settings are in effect."""

    def corpus_changed(self) -> None:
        """The notes were reloaded (the user's notes or settings changed)."""

    def shutdown(self) -> None:
        """Stop background work (``shutdown``)."""
