"""Code actions "Insert PyTorch snippet: …" at statement starts, for editors without a palette."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.completion_context import statement_start_at
from torch_notes.corpus.index import CorpusIndex
from torch_notes.features.snippets import EditSupport, leading_whitespace, snippet_edit
from torch_notes.i18n import text

INSERT_KIND = "refactor.insert"
"""Kind of the snippet actions (a sub-kind of ``refactor``)."""


def _wanted(only: Sequence[str] | None) -> bool:
    if not only:
        return True
    return any(
        kind == INSERT_KIND or INSERT_KIND.startswith(f"{kind}.") or not kind for kind in only
    )


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
    if range.start.line != range.end.line or not _wanted(only):
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
                title=text(lang, "insert_action", title=note.title.get(lang)),
                kind=INSERT_KIND,
                edit=snippet_edit(
                    note,
                    uri=uri,
                    version=doc.version,
                    range=edit_range,
                    indent=indent,
                    support=support,
                ),
            )
        )
    return actions
