"""``torchNotes.newNote``: start a note on an API symbol from the code that uses it.

The "Write a note for `torch.nn.Linear`" code action (on a torch name no note explains)
runs it. The note goes to the topic file of the symbol's module in the user's notes
folder (the first entry of ``torchNotes.extraPaths``), created if missing
(``workspace/applyEdit`` with a create-file operation where the client supports one;
written by the server otherwise), and the file is shown at its first field to fill
(``window/showDocument``). Without a notes folder, the user is told how to set one,
unless the client picks one itself (the VS Code extension asks for a folder).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.expressions import identifier_at
from torch_notes.analysis.positions import units_len
from torch_notes.analysis.resolve import resolve_node
from torch_notes.authoring.api import EXISTS, check_symbol
from torch_notes.authoring.scaffold import NewNote, plan_new_note
from torch_notes.corpus.loader import NOTE_FILE_SUFFIXES
from torch_notes.corpus.note_parser import SYMBOL
from torch_notes.corpus.yaml_source import MAX_FILE_BYTES
from torch_notes.diagnostics.inventory import load_inventory
from torch_notes.features.coverage import ApiVocabulary
from torch_notes.features.hover import hover_notes
from torch_notes.i18n import text
from torch_notes.lsp.feature import ServerFeature
from torch_notes.plain_text import plain_text

logger = logging.getLogger(__name__)

NEW_NOTE_COMMAND = "torchNotes.newNote"


class NewNoteFeature(ServerFeature):
    """The "Write a note" action and command."""

    def __init__(self, server) -> None:
        super().__init__(server)
        self.create_files = False
        """The client applies create-file operations in workspace edits."""
        self.document_changes = False

    def initialize(self, params: types.InitializeParams) -> None:
        workspace = params.capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        operations = (edit.resource_operations or []) if edit else []
        self.document_changes = bool(edit and edit.document_changes)
        self.create_files = (
            self.document_changes and types.ResourceOperationKind.Create in operations
        )

    @functools.cached_property
    def vocabulary(self) -> ApiVocabulary:
        return ApiVocabulary.shipped()

    # -- the code action ----------------------------------------------------------------

    def symbol_without_note(self, analysis: Analysis, position: types.Position) -> str | None:
        """The torch symbol at ``position`` when torch has it (per the shipped inventory), it
        is not a module (``torch.utils``) and no note explains it (a hover finds none)."""
        point = analysis.doc.point_at(position)
        found = hover_notes(analysis, point, self.server.state.index)
        if found is not None and found.notes:
            return None
        node = identifier_at(analysis.doc, point)
        if node is None:
            return None
        resolution = resolve_node(analysis, node, self.vocabulary)
        if resolution is None:
            return None
        inventory = load_inventory()
        for symbol in resolution.symbols:
            module = any(listed.startswith(f"{symbol}.") for listed in inventory.modules)
            if (
                SYMBOL.match(symbol)
                and not module
                and check_symbol(symbol, inventory).status == EXISTS
            ):
                return symbol
        return None

    def actions(self, analysis: Analysis, params: types.CodeActionParams) -> list[types.Command]:
        """ "Write a note for `torch.nn.Linear`" on a name no note explains: a plain command,
        like "Open note" (:func:`~torch_notes.features.code_actions.note_actions`), so none
        when the client asks for some kinds only (``only``)."""
        span = params.range
        if span.start.line != span.end.line or params.context.only:
            return []
        symbol = self.symbol_without_note(analysis, span.start)
        if symbol is None:
            return []
        lang = self.server.state.language
        title = plain_text(text(lang, "new_note_action", symbol=symbol), lang)
        return [types.Command(title, NEW_NOTE_COMMAND, arguments=[{"symbol": symbol}])]

    # -- the command ----------------------------------------------------------------------

    def notes_folder(self) -> Path | None:
        """The first of the user's note paths that is (or will be) a folder."""
        for path in self.server.state.extra_paths():
            if path.suffix not in NOTE_FILE_SUFFIXES:
                return path
        return None

    def _read(self, path: Path) -> str | None:
        document = self.server.document(path.as_uri())
        if document is not None:
            return document.source
        try:
            if not path.is_file():
                return None if not path.exists() else ""
            if path.stat().st_size > MAX_FILE_BYTES:
                return ""  # not a file to append to: the plan moves on to another
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    async def run(self, argument: dict[str, Any]) -> dict[str, Any]:
        """Create the note; what happened, for the client."""
        symbol = str(argument.get("symbol", ""))
        if not SYMBOL.match(symbol):
            raise JsonRpcInvalidParams(f"not an API symbol: {symbol!r}")
        state = self.server.state
        chosen = argument.get("dir")
        folder = Path(str(chosen)).expanduser() if chosen else self.notes_folder()
        if folder is None or not folder.is_absolute():
            if not argument.get("pickFolder"):
                message = text(state.language, "new_note_no_folder", symbol=symbol)
                self.server.window_show_message(
                    types.ShowMessageParams(
                        types.MessageType.Info, plain_text(message, state.language)
                    )
                )
            return {"created": False, "needsFolder": True, "symbol": symbol}
        plan = plan_new_note(symbol, folder, self._read, set(state.index.by_id))
        folder.mkdir(parents=True, exist_ok=True)
        applied = await self._apply(plan)
        uri = plan.path.as_uri()
        shown = False
        if applied:
            cursor = types.Position(*plan.cursor)
            result = await self.server.window_show_document_async(
                types.ShowDocumentParams(
                    uri=uri, take_focus=True, selection=types.Range(cursor, cursor)
                )
            )
            shown = bool(result and result.success)
            self.server.schedule_reload()
        return {
            "created": applied,
            "uri": uri,
            "path": str(plan.path),
            "id": plan.note_id,
            "newFile": plan.created,
            "shown": shown,
        }

    async def _apply(self, plan: NewNote) -> bool:
        uri = plan.path.as_uri()
        if plan.created and not self.create_files:
            try:
                with plan.path.open("x", encoding="utf-8") as file:
                    file.write(plan.text)
            except OSError as err:
                logger.warning("cannot create %s: %s", plan.path, err)
                return False
            return True
        document = self.server.document(uri)
        target = types.OptionalVersionedTextDocumentIdentifier(
            uri=document.uri if document is not None else uri,
            version=document.version if document is not None else None,
        )
        if plan.created:
            start = types.Position(0, 0)
            insert = types.TextEdit(types.Range(start, start), plan.text)
            options = types.CreateFileOptions(overwrite=False, ignore_if_exists=True)
            changes: list = [types.CreateFile(uri=uri, options=options)]
        else:
            last = (self._read(plan.path) or "").split("\n")[-1]
            column = (
                units_len(last, self.server.state.client.encoding) if plan.prefix_newline else 0
            )
            where = types.Position(plan.row, column)
            prefix = "\n" if plan.prefix_newline else ""
            insert = types.TextEdit(types.Range(where, where), prefix + plan.text)
            changes = []
        if self.document_changes:
            changes.append(types.TextDocumentEdit(text_document=target, edits=[insert]))
            edit = types.WorkspaceEdit(document_changes=changes)
        else:
            edit = types.WorkspaceEdit(changes={uri: [insert]})
        label = f"Write a note for {plan.symbol}"
        result = await self.server.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=label)
        )
        return bool(result and result.applied)
