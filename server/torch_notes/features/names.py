"""The names a client sees: the ``torchNotes.*`` commands and our code action kind.

Plain constants, importable without the features themselves (the server announces them
in its capabilities before it loads the corpus).
"""

from __future__ import annotations

LIST_SNIPPETS = "torchNotes.listSnippets"
INSERT_SNIPPET = "torchNotes.insertSnippet"
SEARCH_NOTES = "torchNotes.searchNotes"
SHOW_NOTE = "torchNotes.showNote"
SERVER_INFO = "torchNotes.serverInfo"
COMMANDS = (LIST_SNIPPETS, INSERT_SNIPPET, SEARCH_NOTES, SHOW_NOTE, SERVER_INFO)

INSERT_KIND = "refactor.insert"
"""Kind of the snippet actions (a sub-kind of ``refactor``)."""
