"""Code actions for editors without a palette or a note viewer (Neovim, Helix, Emacs).

"Insert PyTorch snippet: …" at statement starts, and "Open note: …" on a noted name (the
full note behind a hover card). Both are offered only when the user asks for code actions,
never as quick fixes or automatic light bulbs; the server decides per client whether to
offer them at all (``torchNotes.codeActions.snippets``).
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.completion_context import statement_start_at
from torch_notes.analysis.resolve import resolve_at
from torch_notes.corpus.index import CorpusIndex
from torch_notes.features.markdown import notes_for_symbols
from torch_notes.features.snippets import EditSupport, leading_whitespace, snippet_edit
from torch_notes.i18n import text
from torch_notes.plain_text import plain_text

INSERT_KIND = "refactor.insert"
"""Kind of the snippet actions (a sub-kind of ``refactor``)."""
OPEN_NOTE_COMMAND = "torchNotes.showNote"


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(wanted == kind or kind.startswith(f"{wanted}.") or not wanted for wanted in only)


def note_actions(
    analysis: Analysis,
    range: types.Range,
    index: CorpusIndex,
    lang: str,
    *,
    only: Sequence[str] | None = None,
) -> list[types.Command]:
    """ "Open note: …" for each note on the name at ``range``: the full note in the editor.

    Plain commands, not code actions carrying a command: every client runs those, and
    none can mistake one for the other (lsprotocol reads any action with a command as a
    command). With ``only`` (a client asking for some kinds), none are offered.
    """
    if range.start.line != range.end.line or only:
        return []
    resolution = resolve_at(analysis, analysis.doc.point_at(range.start), index)
    if resolution is None:
        return []
    return [
        types.Command(
            title=text(lang, "open_note_action", title=plain_text(note.title.get(lang), lang)),
            command=OPEN_NOTE_COMMAND,
            arguments=[{"id": note.id, "open": True}],
        )
        for note in notes_for_symbols(index, resolution.symbols)
    ]


def snippet_actions(
    analysis: Analysis,
    range: types.Range,
    index: CorpusIndex,
    lang: str,
    *,
    uri: str,
    support: EditSupport,
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    """One action per snippet when ``range`` is an empty spot where a statement can start.

    A word typed there (``pt-tr``) narrows the list and is replaced by the snippet.
    """
    if range.start.line != range.end.line or not _wanted(only, INSERT_KIND):
        return []
    context = statement_start_at(analysis, range.end)
    if context is None:
        return []
    doc = analysis.doc
    line = doc.line(context.row)
    if line[context.end :].strip():
        return []
    edit_range = doc.span_range(context.row, context.start, context.end)
    indent = leading_whitespace(line)
    actions = []
    for note in index.snippets:
        assert note.snippet is not None
        if not note.snippet.prefix.startswith(context.word):
            continue
        actions.append(
            types.CodeAction(
                title=text(lang, "insert_action", title=plain_text(note.title.get(lang), lang)),
                kind=INSERT_KIND,
                edit=snippet_edit(
                    note,
                    uri=uri,
                    doc=doc,
                    bound=analysis.imports,
                    range=edit_range,
                    indent=indent,
                    support=support,
                ),
            )
        )
    return actions
