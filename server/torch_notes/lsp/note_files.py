"""Note files in the editor: live checks, completion, hovers and card previews.

A *note file* is an open YAML document under the user's note paths (``torchNotes.extraPaths``,
``--notes``), or under ``snippets/`` when the workspace is this repository; any other
YAML is ignored. Its text is checked as it is typed (the open document's text, never the
file on disk) and the findings are a diagnostics source of their own (:data:`SOURCE`).
Saving one reloads the corpus at once, so Python files' hovers use the saved notes.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from torch_notes.analysis.positions import index_from_units, units_from_index
from torch_notes.authoring.checks import NoteFileReport, check_note_text
from torch_notes.authoring.completion import complete
from torch_notes.authoring.cursor import NoteFileCursor
from torch_notes.authoring.findings import ERROR, INFORMATION, WARNING, Finding, Span
from torch_notes.authoring.hover import note_file_hover
from torch_notes.authoring.nodes import field, note_items
from torch_notes.authoring.preview import card_preview
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import NOTE_FILE_SUFFIXES
from torch_notes.corpus.paths import is_within
from torch_notes.diagnostics.inventory import ApiInventory, load_inventory
from torch_notes.i18n import text
from torch_notes.lsp.capabilities import PREVIEW_COMMAND
from torch_notes.lsp.diagnostics import DiagnosticsFeature
from torch_notes.lsp.feature import ServerFeature
from torch_notes.plain_text import plain_text

SOURCE = "note-file"
"""The diagnostics source of the live checks."""
DEBOUNCE_S = 0.15
"""Quiet time after a change before a push client gets the note file's new findings."""

LSP_SEVERITY = {
    ERROR: types.DiagnosticSeverity.Error,
    WARNING: types.DiagnosticSeverity.Warning,
    INFORMATION: types.DiagnosticSeverity.Information,
}


def lsp_range(span: Span, lines: Sequence[str], encoding: str) -> types.Range:
    """A span of a note file in the client's position encoding."""

    def position(row: int, column: int) -> types.Position:
        if not lines:
            return types.Position(0, 0)
        row = max(0, min(row, len(lines) - 1))
        line = lines[row]
        return types.Position(row, units_from_index(line, min(column, len(line)), encoding))

    return types.Range(position(span.row, span.column), position(span.end_row, span.end_column))


def to_lsp(finding: Finding, lines: Sequence[str], encoding: str, lang: str) -> types.Diagnostic:
    """A finding as an LSP diagnostic in ``lang`` (plain text, as editors show messages)."""
    return types.Diagnostic(
        range=lsp_range(finding.span, lines, encoding),
        message=plain_text(finding.message(lang), lang),
        severity=LSP_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Error),
        code=finding.code,
        source="torch-notes",
        data={"noteId": finding.note_id} if finding.note_id else None,
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    version: int | None
    index: CorpusIndex
    report: NoteFileReport


class NoteFilesFeature(ServerFeature):
    """Live checks and editing help for the note files the user has open."""

    def __init__(self, server) -> None:
        super().__init__(server)
        self._checked: dict[str, _Checked] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._published: set[str] = set()
        """Documents this source has diagnostics for (to clear when they stop being note files)."""

    @functools.cached_property
    def inventory(self) -> ApiInventory:
        """The shipped API inventory (read on first use)."""
        return load_inventory()

    # -- which documents ---------------------------------------------------------------

    def path_of(self, uri: str) -> Path | None:
        """The file path of a note file that is open at ``uri``, else ``None``."""
        document = self.server.document(uri)
        if document is None:
            return None
        path = to_fs_path(document.uri)
        if not path or Path(path).suffix not in NOTE_FILE_SUFFIXES:
            return None
        roots = self.server.state.note_roots()
        return Path(path) if roots and is_within(Path(path), roots) else None

    def is_note_file(self, uri: str) -> bool:
        return self.path_of(uri) is not None

    def report(self, uri: str) -> NoteFileReport | None:
        """The open note file's text, checked (once per version and corpus)."""
        path = self.path_of(uri)
        if path is None:
            return None
        document = self.server.document(uri)
        assert document is not None
        key = self.server.document_key(uri)
        index = self.server.state.index
        cached = self._checked.get(key)
        if cached is not None and cached.version == document.version and cached.index is index:
            return cached.report
        report = check_note_text(document.source, path, index, self.inventory)
        self._checked[key] = _Checked(document.version, index, report)
        return report

    # -- lifecycle ----------------------------------------------------------------------

    def document_opened(self, uri: str) -> None:
        self.publish(uri)

    def document_changed(self, uri: str) -> None:
        if self.server.get_feature(DiagnosticsFeature).pull:
            self.publish(uri)  # a pull may follow at once: have the findings ready
            return
        key = self.server.document_key(uri)
        if (timer := self._timers.pop(key, None)) is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(DEBOUNCE_S, self._debounced, uri)

    def _debounced(self, uri: str) -> None:
        self._timers.pop(self.server.document_key(uri), None)
        self.publish(uri)

    def document_closed(self, uri: str) -> None:
        key = self.server.document_key(uri)
        if (timer := self._timers.pop(key, None)) is not None:
            timer.cancel()
        self._checked.pop(key, None)
        self._published.discard(key)

    def settings_applied(self) -> None:
        self.refresh_all()

    def corpus_changed(self) -> None:
        self.refresh_all()

    def shutdown(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def refresh_all(self) -> None:
        """Check every open YAML document again (the notes or the note paths changed)."""
        for uri in self.server.open_uris():
            if uri.lower().endswith(NOTE_FILE_SUFFIXES):
                self.publish(uri)

    def publish(self, uri: str) -> None:
        """Hand the note file's findings to the diagnostics (nothing for other documents)."""
        key = self.server.document_key(uri)
        report = self.report(uri)
        diagnostics = self.server.get_feature(DiagnosticsFeature)
        if report is None:
            if key in self._published:
                self._published.discard(key)
                diagnostics.set_source(SOURCE, uri, [])
            return
        state = self.server.state
        items = [
            to_lsp(finding, report.lines, state.client.encoding, state.language)
            for finding in report.findings
        ]
        self._published.add(key)
        diagnostics.set_source(SOURCE, uri, items)

    def saved(self, uri: str) -> NoteFileReport | None:
        """A note file was saved: reload the corpus now (hovers in Python files use it)."""
        report = self.report(uri)
        if report is not None:
            self.server.schedule_reload()
        return report

    # -- requests -------------------------------------------------------------------------

    def _cursor(self, uri: str, position: types.Position) -> tuple[NoteFileReport, int] | None:
        report = self.report(uri)
        if report is None or not 0 <= position.line < len(report.lines):
            return None
        line = report.lines[position.line]
        return report, index_from_units(line, position.character, self.server.state.client.encoding)

    def note_id_at(self, report: NoteFileReport, row: int) -> str | None:
        """The id of the note whose text covers ``row``."""
        for item in note_items(report.tree):
            if item.start_mark.line <= row < max(item.end_mark.line, item.start_mark.line + 1):
                found = field(item, "id")
                return str(found[1].value) if found is not None else None
        return None

    def _note_file_cursor(
        self, uri: str, position: types.Position
    ) -> tuple[NoteFileReport, NoteFileCursor] | None:
        found = self._cursor(uri, position)
        if found is None:
            return None
        report, column = found
        state = self.server.state
        cursor = NoteFileCursor(
            report.lines,
            position.line,
            column,
            index=report.index,
            inventory=self.inventory,
            lang=state.language,
            encoding=state.client.encoding,
        )
        return report, cursor

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        found = self._note_file_cursor(uri, position)
        if found is None:
            return None
        report, cursor = found
        notes = {note.id: note for note in report.notes}
        return note_file_hover(cursor, verified=self.server.state.verified, notes=notes)

    def completion(self, uri: str, position: types.Position) -> types.CompletionList | None:
        found = self._note_file_cursor(uri, position)
        if found is None:
            return None
        report, cursor = found
        return complete(cursor, note_id=self.note_id_at(report, position.line))

    def code_lenses(
        self, uri: str, status: Callable[[str, str], str | None]
    ) -> list[types.CodeLens]:
        """On each loadable note's first line: "Preview card", and ``status(uri, id)`` (the last
        validation on save) when there is one."""
        report = self.report(uri)
        if report is None:
            return []
        lang = self.server.state.language
        lenses = []
        for note in report.notes:
            row = note.location.line - 1
            span = types.Range(types.Position(row, 0), types.Position(row, 0))
            title = text(lang, "note_lens_preview")
            arguments = [{"uri": uri, "id": note.id}]
            lenses.append(
                types.CodeLens(span, types.Command(title, PREVIEW_COMMAND, arguments=arguments))
            )
            shown = status(uri, note.id)
            if shown:
                lenses.append(types.CodeLens(span, types.Command(shown, "")))
        return lenses

    def preview(self, uri: str, note_id: str) -> str | None:
        """The card of the note ``note_id`` of the open note file, as a Python file shows it."""
        report = self.report(uri)
        note = report.note(note_id) if report is not None else None
        if report is None or note is None:
            return None
        state = self.server.state
        return card_preview(note, state.language, report.index, self.verified_for(note))

    def verified_for(self, note) -> dict[str, str]:
        """The verified-on versions, that of ``note`` only while it is the note that was
        verified (an edit makes it "not yet verified" until it passes again)."""
        verified = dict(self.server.state.verified)
        loaded = self.server.state.index.by_id.get(note.id)
        if loaded is None or loaded.fingerprint() != note.fingerprint():
            verified.pop(note.id, None)
        return verified
