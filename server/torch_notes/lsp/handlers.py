"""LSP method handlers: unpack the request, call a feature function, wrap the answer.

The features' modules (the analysis, tree-sitter, the rules) are imported inside the
handlers, not here: the server answers ``initialize`` before it loads them, and its
start-up (:meth:`~torch_notes.lsp.server.TorchNotesServer.start_up`, right after that
answer) has imported them by the time any other handler runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from torch_notes.features import names
from torch_notes.lsp.capabilities import (
    CODE_ACTION_OPTIONS,
    CODE_LENS_OPTIONS,
    COMPLETION_OPTIONS,
    DIAGNOSTIC_OPTIONS,
    NEW_NOTE_COMMAND,
    NOTEBOOK_SYNC,
    PREVIEW_COMMAND,
)
from torch_notes.lsp.note_pages import cache_dir
from torch_notes.lsp.server import TorchNotesServer
from torch_notes.lsp.transport import DEFAULT_MAX_MESSAGE_BYTES

if TYPE_CHECKING:
    from torch_notes.lsp.feature import ServerFeature

__all__ = ["CODE_ACTION_OPTIONS", "COMPLETION_OPTIONS", "create_server"]

LOCAL_RECORD = "verified-local.json"
"""The notes that passed when saved, in the user's cache directory."""


def on_initialize(ls: TorchNotesServer, params: types.InitializeParams) -> None:
    ls.on_initialize(params)


async def on_initialized(ls: TorchNotesServer, params: types.InitializedParams) -> None:
    await ls.on_initialized()


def on_shutdown(ls: TorchNotesServer, params: None) -> None:
    ls.shutdown()


def on_did_open(ls: TorchNotesServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.document_opened(params.text_document.uri)


def on_did_change(ls: TorchNotesServer, params: types.DidChangeTextDocumentParams) -> None:
    from torch_notes.analysis.document import changes_from_lsp

    document = params.text_document
    ls.document_changed(document.uri, changes_from_lsp(params.content_changes), document.version)


def on_did_close(ls: TorchNotesServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.document_closed(params.text_document.uri)


def on_did_save(ls: TorchNotesServer, params: types.DidSaveTextDocumentParams) -> None:
    """A saved note file: reload the corpus, validate its changed notes."""
    from torch_notes.lsp.note_files import NoteFilesFeature
    from torch_notes.lsp.note_validation import NoteValidationFeature

    uri = params.text_document.uri
    report = ls.get_feature(NoteFilesFeature).saved(uri)
    ls.get_feature(NoteValidationFeature).saved(uri, report)


def on_notebook_open(ls: TorchNotesServer, params: types.DidOpenNotebookDocumentParams) -> None:
    from torch_notes.lsp.notebook import NotebookFeature

    ls.get_feature(NotebookFeature).opened(params)


def on_notebook_change(ls: TorchNotesServer, params: types.DidChangeNotebookDocumentParams) -> None:
    from torch_notes.lsp.notebook import NotebookFeature

    ls.get_feature(NotebookFeature).changed(params)


def on_notebook_save(ls: TorchNotesServer, params: types.DidSaveNotebookDocumentParams) -> None:
    """Nothing to do: the cells' text is already known. Handled so that the ``save`` the
    server asks for (:data:`~torch_notes.lsp.capabilities.NOTEBOOK_SYNC`) is no unknown method."""


def on_notebook_close(ls: TorchNotesServer, params: types.DidCloseNotebookDocumentParams) -> None:
    from torch_notes.lsp.notebook import NotebookFeature

    ls.get_feature(NotebookFeature).closed(params)


def on_set_trace(ls: TorchNotesServer, params: types.SetTraceParams) -> None:
    ls.update_log_level(str(params.value.value))


async def on_did_change_configuration(
    ls: TorchNotesServer, params: types.DidChangeConfigurationParams
) -> None:
    await ls.refresh_settings(params.settings)


def on_did_change_watched_files(
    ls: TorchNotesServer, params: types.DidChangeWatchedFilesParams
) -> None:
    ls.schedule_reload()


def on_hover(ls: TorchNotesServer, params: types.HoverParams) -> types.Hover | None:
    from torch_notes.features.hover import finding_hover, hover
    from torch_notes.lsp.diagnostics import DiagnosticsFeature
    from torch_notes.lsp.note_files import NoteFilesFeature

    state = ls.state
    if not state.settings.hover_enable:
        return None
    note_files = ls.get_feature(NoteFilesFeature)
    if note_files.is_note_file(params.text_document.uri):
        return note_files.hover(params.text_document.uri, params.position)
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None:
        return None
    found = hover(analysis, params.position, state.index, state.language, state.verified)
    if found is not None:
        return found
    flagged = ls.get_feature(DiagnosticsFeature).findings(params.text_document.uri)
    if flagged is None:
        return None
    return finding_hover(
        analysis, flagged[1], params.position, state.index, state.language, state.verified
    )


def on_completion(ls: TorchNotesServer, params: types.CompletionParams) -> types.CompletionList:
    from torch_notes.features import completion
    from torch_notes.lsp.note_files import NoteFilesFeature

    state = ls.state
    note_files = ls.get_feature(NoteFilesFeature)
    if note_files.is_note_file(params.text_document.uri):
        found = note_files.completion(params.text_document.uri, params.position)
        return found or types.CompletionList(is_incomplete=False, items=[])
    analysis = ls.analysis(params.text_document.uri)
    items = (
        []
        if analysis is None
        else completion.complete(
            analysis, params.position, state.index, state.language, state.completion_options
        )
    )
    return types.CompletionList(is_incomplete=False, items=items)


def on_completion_resolve(ls: TorchNotesServer, item: types.CompletionItem) -> types.CompletionItem:
    from torch_notes.features import completion

    state = ls.state
    return completion.resolve(item, state.index, state.language, state.verified)


def on_code_action(
    ls: TorchNotesServer, params: types.CodeActionParams
) -> list[types.CodeAction | types.Command]:
    """Quick fixes always; "Write a note" on a name no note explains, when asked for; snippet
    and "Open note" actions also only when asked for, where the client has no other way to
    get them (see ``torchNotes.codeActions.snippets``)."""
    from torch_notes.features import code_actions
    from torch_notes.lsp.diagnostics import DiagnosticsFeature
    from torch_notes.lsp.new_note import NewNoteFeature

    state = ls.state
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None:
        return []
    actions: list[types.CodeAction | types.Command] = []
    actions += ls.get_feature(DiagnosticsFeature).quick_fixes(params)
    trigger = params.context.trigger_kind
    if trigger == types.CodeActionTriggerKind.Automatic:
        return actions
    actions += ls.get_feature(NewNoteFeature).actions(analysis, params)
    if not state.snippet_actions:
        return actions
    only = params.context.only
    actions += code_actions.note_actions(
        analysis, params.range, state.index, state.language, only=only
    )
    return actions + code_actions.snippet_actions(
        analysis,
        params.range,
        state.index,
        state.language,
        uri=params.text_document.uri,
        support=state.client.edits,
        only=only,
    )


def on_code_lens(ls: TorchNotesServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    """On each note of a note file: "Preview card" and its last validation on save."""
    from torch_notes.lsp.note_files import NoteFilesFeature
    from torch_notes.lsp.note_validation import NoteValidationFeature

    uri = params.text_document.uri
    status = ls.get_feature(NoteValidationFeature).status
    return ls.get_feature(NoteFilesFeature).code_lenses(uri, status)


async def on_diagnostic(
    ls: TorchNotesServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    from torch_notes.lsp.diagnostics import DiagnosticsFeature

    return await ls.get_feature(DiagnosticsFeature).pull_report(params)


# -- commands ----------------------------------------------------------------------


def _argument(args: tuple[Any, ...], key: str, kind: type = str) -> Any:
    """``key`` from ``[{key: ...}]`` or the bare first argument, of type ``kind``.

    Anything else (``[null]``, ``[[1, 2]]``, ``{"id": {...}}``) is ``InvalidParams``:
    never coerced with ``str()``.
    """
    if not args:
        raise JsonRpcInvalidParams(f"missing argument {key!r}")
    first = args[0]
    if isinstance(first, dict):
        if key not in first:
            raise JsonRpcInvalidParams(f"missing argument {key!r}")
        first = first[key]
    if not isinstance(first, kind) or isinstance(first, bool):
        raise JsonRpcInvalidParams(f"argument {key!r} must be a {kind.__name__}")
    return first


def _position(args: tuple[Any, ...]) -> types.Position:
    raw = _argument(args, "position", dict)
    line, character = raw.get("line"), raw.get("character")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (line, character)):
        raise JsonRpcInvalidParams("argument 'position' must be {line: int, character: int}")
    if not (0 <= line < 2**31 and 0 <= character < 2**31):
        raise JsonRpcInvalidParams("argument 'position' is out of range")
    return types.Position(line, character)


def list_snippets(ls: TorchNotesServer, *args: Any) -> list[dict[str, Any]]:
    from torch_notes.features import commands

    return commands.list_snippets(ls.state.index, ls.state.language)


def search_notes(ls: TorchNotesServer, *args: Any) -> list[dict[str, Any]]:
    from torch_notes.features import commands

    query = _argument(args, "query")
    return commands.search_notes(ls.state.index, query, ls.state.language)


async def show_note(ls: TorchNotesServer, *args: Any) -> dict[str, Any] | None:
    """The note (id or API name) rendered in the user's language; with ``"open": true``
    the page is also written to the cache and shown with ``window/showDocument``."""
    from torch_notes.features import commands
    from torch_notes.lsp.note_pages import write_page

    note_id = _argument(args, "id")
    state = ls.state
    found = commands.show_note(state.index, note_id, state.language, state.verified)
    wants_page = bool(args and isinstance(args[0], dict) and args[0].get("open") is True)
    if found is None or not wants_page:
        return found
    page = write_page(found["id"], state.language, found["markdown"])
    shown = await ls.window_show_document_async(
        types.ShowDocumentParams(uri=page.as_uri(), take_focus=True)
    )
    return {**found, "page": page.as_uri(), "shown": bool(shown and shown.success)}


async def server_info(ls: TorchNotesServer, *args: Any) -> dict[str, Any]:
    """Facts about the server, once its start-up work is done (see :meth:`warmed_up`)."""
    await ls.warmed_up()
    return ls.info()


async def new_note(ls: TorchNotesServer, *args: Any) -> dict[str, Any]:
    """Start a note on ``{symbol}`` (optionally in ``{dir}``): see :mod:`.new_note`."""
    from torch_notes.lsp.new_note import NewNoteFeature

    symbol = _argument(args, "symbol")
    argument = args[0] if isinstance(args[0], dict) else {"symbol": symbol}
    return await ls.get_feature(NewNoteFeature).run(argument)


async def preview_card(ls: TorchNotesServer, *args: Any) -> dict[str, Any] | None:
    """The card of note ``{id}`` of the open note file ``{uri}``, as a Python file shows it;
    written to the cache and shown (``window/showDocument``) unless ``"show": false``."""
    from torch_notes.lsp.note_files import NoteFilesFeature
    from torch_notes.lsp.note_pages import write_page

    uri, note_id = (str(_argument(args, key)) for key in ("uri", "id"))
    markdown = ls.get_feature(NoteFilesFeature).preview(uri, note_id)
    if markdown is None:
        return None
    lang = ls.state.language
    page = write_page(note_id, lang, markdown, root=cache_dir() / "previews")
    shown = False
    if not (isinstance(args[0], dict) and args[0].get("show") is False):
        result = await ls.window_show_document_async(
            types.ShowDocumentParams(uri=page.as_uri(), take_focus=False)
        )
        shown = bool(result and result.success)
    return {"id": note_id, "markdown": markdown, "page": page.as_uri(), "shown": shown}


async def insert_snippet(ls: TorchNotesServer, *args: Any) -> dict[str, Any]:
    """Insert a snippet by id (or prefix) at ``{uri, position}`` through ``workspace/applyEdit``."""
    from torch_notes.features.snippets import insertion_edit

    note_id, uri = _argument(args, "id"), _argument(args, "uri")
    position = _position(args)
    state = ls.state
    note = state.index.by_id.get(note_id) or state.index.snippet_note(note_id)
    if note is None or note.snippet is None:
        raise JsonRpcInvalidParams(f"no snippet with id {note_id!r}")
    analysis = ls.analysis(uri)
    if analysis is None:
        raise JsonRpcInvalidParams(f"not a Python document: {uri}")
    edit = insertion_edit(
        analysis.doc, analysis.imports, note, position, uri=uri, support=state.client.edits
    )
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"Insert snippet {note.snippet.prefix}")
    )
    return {"applied": bool(result.applied), "id": note.id}


FEATURES: tuple[tuple[str, Any, Any], ...] = (
    (types.INITIALIZE, on_initialize, None),
    (types.INITIALIZED, on_initialized, None),
    (types.SHUTDOWN, on_shutdown, None),
    (types.TEXT_DOCUMENT_DID_OPEN, on_did_open, None),
    (types.TEXT_DOCUMENT_DID_CHANGE, on_did_change, None),
    (types.TEXT_DOCUMENT_DID_CLOSE, on_did_close, None),
    (types.TEXT_DOCUMENT_DID_SAVE, on_did_save, None),
    (types.NOTEBOOK_DOCUMENT_DID_OPEN, on_notebook_open, None),
    (types.NOTEBOOK_DOCUMENT_DID_CHANGE, on_notebook_change, None),
    (types.NOTEBOOK_DOCUMENT_DID_SAVE, on_notebook_save, None),
    (types.NOTEBOOK_DOCUMENT_DID_CLOSE, on_notebook_close, None),
    (types.SET_TRACE, on_set_trace, None),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, on_did_change_configuration, None),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, on_did_change_watched_files, None),
    (types.TEXT_DOCUMENT_HOVER, on_hover, None),
    (types.TEXT_DOCUMENT_COMPLETION, on_completion, COMPLETION_OPTIONS),
    (types.COMPLETION_ITEM_RESOLVE, on_completion_resolve, None),
    (types.TEXT_DOCUMENT_CODE_ACTION, on_code_action, CODE_ACTION_OPTIONS),
    (types.TEXT_DOCUMENT_CODE_LENS, on_code_lens, CODE_LENS_OPTIONS),
    (types.TEXT_DOCUMENT_DIAGNOSTIC, on_diagnostic, DIAGNOSTIC_OPTIONS),
)

COMMANDS: tuple[tuple[str, Any], ...] = (
    (names.LIST_SNIPPETS, list_snippets),
    (names.INSERT_SNIPPET, insert_snippet),
    (names.SEARCH_NOTES, search_notes),
    (names.SHOW_NOTE, show_note),
    (names.SERVER_INFO, server_info),
    (NEW_NOTE_COMMAND, new_note),
    (PREVIEW_COMMAND, preview_card),
)


def _diagnostics(server: TorchNotesServer) -> ServerFeature:
    from torch_notes.lsp.diagnostics import DiagnosticsFeature

    return DiagnosticsFeature(server)


def _notebooks(server: TorchNotesServer) -> ServerFeature:
    from torch_notes.lsp.notebook import NotebookFeature

    return NotebookFeature(server)


def _note_files(server: TorchNotesServer) -> ServerFeature:
    from torch_notes.lsp.note_files import NoteFilesFeature

    return NoteFilesFeature(server)


def _new_note(server: TorchNotesServer) -> ServerFeature:
    from torch_notes.lsp.new_note import NewNoteFeature

    return NewNoteFeature(server)


def _note_validation(server: TorchNotesServer) -> ServerFeature:
    from torch_notes.lsp.note_validation import NoteValidationFeature

    return NoteValidationFeature(server)


def create_server(
    *,
    poll_interval: float = 2.0,
    log_level: int | None = None,
    notes: Sequence[Path] = (),
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
) -> TorchNotesServer:
    """A server with every feature and command registered; ``notes`` are always loaded."""
    server = TorchNotesServer(
        poll_interval=poll_interval,
        log_level=log_level,
        max_message_bytes=max_message_bytes,
        notebook_document_sync=NOTEBOOK_SYNC,
    )
    server.state.command_line_paths = tuple(notes)
    server.state.local_record = cache_dir() / LOCAL_RECORD
    for factory in (_diagnostics, _notebooks, _note_files, _new_note, _note_validation):
        server.add_feature_factory(factory)
    for method, handler, options in FEATURES:
        server.feature(method, options)(handler)
    for name, handler in COMMANDS:
        server.command(name)(handler)
    return server
