"""What the server announces at ``initialize``: static options, known without loading anything.

The server answers ``initialize`` from these alone and loads the corpus and its features
right after (:meth:`~torch_notes.lsp.server.TorchNotesServer.start_up`), so nothing here
may import the corpus, the analysis or the features' code.
"""

from __future__ import annotations

from lsprotocol import types

from torch_notes.features.names import INSERT_KIND

QUICKFIX = types.CodeActionKind.QuickFix

COMPLETION_OPTIONS = types.CompletionOptions(trigger_characters=["."], resolve_provider=True)
CODE_ACTION_OPTIONS = types.CodeActionOptions(code_action_kinds=[QUICKFIX, INSERT_KIND])
CODE_LENS_OPTIONS = types.CodeLensOptions(resolve_provider=False)
DIAGNOSTIC_OPTIONS = types.DiagnosticOptions(
    identifier="torch-notes", inter_file_dependencies=False, workspace_diagnostics=False
)
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="jupyter-notebook",
            cells=[types.NotebookCellLanguage(language="python")],
        )
    ],
    save=True,
)
"""What the server asks clients to synchronise: Jupyter notebooks' Python cells."""

NEW_NOTE_COMMAND = "torchNotes.newNote"
"""Scaffolds a note for a name no note explains (:mod:`torch_notes.lsp.new_note`)."""
PREVIEW_COMMAND = "torchNotes.previewCard"
"""Renders the card of a note being written (:mod:`torch_notes.lsp.note_files`)."""
