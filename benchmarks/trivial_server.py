"""The baseline of the start-up benchmark: a pygls server that does nothing.

It registers one hover handler answering ``None``, so spawn → ``initialize`` measures only
the interpreter, pygls and lsprotocol: what any pygls-based server pays before its own work.

    python benchmarks/trivial_server.py     # LSP over stdio
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("trivial-pygls", "0")


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
    """No hover, ever."""
    return None


if __name__ == "__main__":
    server.start_io()
