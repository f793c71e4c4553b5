"""Jupyter notebooks over LSP 3.17: cells synchronised, analysed in order, served per cell.

pygls keeps the notebook and its cell documents in the workspace
(``notebookDocument/didOpen|didChange|didClose``); this feature turns those events into
the server's document events for each cell and analyses a cell with what the cells above
it bound (:mod:`torch_notes.analysis.notebook`). Every request about a cell names the
cell's own URI with positions inside the cell, so hover, completion, code actions,
diagnostics (published per cell) and ``torchNotes.insertSnippet`` need no mapping.
Markdown and raw cells, and cells in other languages, are never analysed.
"""

from __future__ import annotations

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.notebook import Cell, NotebookAnalyser
from torch_notes.lsp.diagnostics import DiagnosticsFeature
from torch_notes.lsp.feature import ServerFeature

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


class NotebookFeature(ServerFeature):
    """Open notebooks and the analyses of their code cells."""

    def __init__(self, server) -> None:
        super().__init__(server)
        self._analysers: dict[str, NotebookAnalyser] = {}
        self._current: dict[str, tuple[int, dict[str, Analysis]]] = {}
        """Notebook key → (its version, the analyses made at that version)."""

    # -- the notebooks -------------------------------------------------------------------

    def _notebook(self, uri: str) -> types.NotebookDocument | None:
        return self.server.workspace.get_notebook_document(notebook_uri=uri)

    def notebook_of(self, cell_uri: str) -> types.NotebookDocument | None:
        """The open notebook holding the cell ``cell_uri``, if any."""
        return self.server.workspace.get_notebook_document(cell_uri=cell_uri)

    def code_cells(self, notebook: types.NotebookDocument) -> list[str]:
        """The URIs of the notebook's Python code cells, top to bottom."""
        uris = []
        for cell in notebook.cells:
            if cell.kind != types.NotebookCellKind.Code:
                continue
            document = self.server.document(cell.document)
            if document is not None and document.language_id in (None, "python"):
                uris.append(cell.document)
        return uris

    def cell_analysis(self, notebook: types.NotebookDocument, cell_uri: str) -> Analysis | None:
        """The analysis of one code cell, with the bindings of the cells above it.

        Every change of a notebook bumps its version, so the analyses made at one version
        serve every request until the next change.
        """
        key = self.server.document_key(cell_uri)
        notebook_key = self.server.document_key(notebook.uri)
        current = self._current.get(notebook_key)
        if current is not None and current[0] == notebook.version and key in current[1]:
            return current[1][key]
        cells = []
        for uri in self.code_cells(notebook):
            document = self.server.document(uri)
            assert document is not None
            cells.append(Cell(self.server.document_key(uri), document.source, document.version))
        if key not in {cell.key for cell in cells}:
            return None
        analyser = self._analysers.get(notebook_key)
        if analyser is None:
            analyser = NotebookAnalyser(self.server.state.client.encoding)
            self._analysers[notebook_key] = analyser
        analyses = analyser.analyse(cells)
        self._current[notebook_key] = (notebook.version, analyses)
        return analyses[key]

    # -- events ----------------------------------------------------------------------------

    def opened(self, params: types.DidOpenNotebookDocumentParams) -> None:
        for cell in params.cell_text_documents:
            self.server.document_opened(cell.uri)

    def changed(self, params: types.DidChangeNotebookDocumentParams) -> None:
        """Cells added, removed, moved or edited: every code cell may read differently now."""
        structure = params.change.cells.structure if params.change.cells else None
        if structure is not None:
            for cell in structure.did_close or []:
                self.server.document_closed(cell.uri)
            for document in structure.did_open or []:
                self.server.document_opened(document.uri)
        notebook = self._notebook(params.notebook_document.uri)
        if notebook is None:
            return
        uris = self.code_cells(notebook)
        analyser = self._analysers.get(self.server.document_key(notebook.uri))
        if analyser is not None:
            analyser.forget([self.server.document_key(uri) for uri in uris])
        for uri in uris:
            self.server.document_changed(uri, [], None)
        self.server.get_feature(DiagnosticsFeature).others_changed()

    def closed(self, params: types.DidCloseNotebookDocumentParams) -> None:
        self._analysers.pop(self.server.document_key(params.notebook_document.uri), None)
        self._current.pop(self.server.document_key(params.notebook_document.uri), None)
        for cell in params.cell_text_documents:
            self.server.document_closed(cell.uri)
