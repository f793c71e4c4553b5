"""The edge: rule findings as LSP diagnostics and quick-fix code actions.

Messages and quick-fix titles are rendered here, in the language the caller passes
(the server's :attr:`~torch_notes.lsp.state.ServerState.language`), as plain text: editors
show them in the Problems list and in menus, where Markdown would show literally.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lsprotocol import types

from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.model import Diagnostic, Severity, Span
from torch_notes.plain_text import plain_text

SOURCE = "torch-notes"
QUICKFIX = types.CodeActionKind.QuickFix

LSP_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def lsp_range(doc: SourceDocument, span: Span) -> types.Range:
    """The client range of a span, in the document's position encoding."""
    return types.Range(doc.position_of(span.start), doc.position_of(span.end))


def to_lsp(
    diagnostic: Diagnostic, doc: SourceDocument, index: CorpusIndex, lang: str
) -> types.Diagnostic:
    """One LSP diagnostic in ``lang``: code, the note's docs link, and the note id in ``data``."""
    note = index.by_id.get(diagnostic.note_id) if diagnostic.note_id else None
    data: dict[str, Any] = {"rule": diagnostic.rule, "noteId": diagnostic.note_id}
    return types.Diagnostic(
        range=lsp_range(doc, diagnostic.span),
        message=plain_text(diagnostic.message_in(lang), lang),
        severity=LSP_SEVERITY[diagnostic.severity],
        code=diagnostic.rule,
        code_description=types.CodeDescription(href=note.docs) if note and note.docs else None,
        source=SOURCE,
        tags=[types.DiagnosticTag.Deprecated] if diagnostic.deprecated else None,
        data=data,
    )


def _wanted(only: Sequence[str] | None) -> bool:
    return not only or any(kind in ("", "quickfix") or "quickfix".startswith(kind) for kind in only)


def quick_fixes(
    diagnostics: Iterable[Diagnostic],
    doc: SourceDocument,
    index: CorpusIndex,
    uri: str,
    range: types.Range,
    lang: str,
    *,
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    """Quick fixes (titled in ``lang``) for the findings overlapping ``range``.

    Each carries its diagnostic, rendered in ``lang`` too.
    """
    if not _wanted(only):
        return []
    actions: list[types.CodeAction] = []
    for diagnostic in diagnostics:
        lsp = to_lsp(diagnostic, doc, index, lang)
        if lsp.range.end < range.start or range.end < lsp.range.start:
            continue
        for position, fix in enumerate(diagnostic.fixes):
            edits = [types.TextEdit(lsp_range(doc, e.span), e.text) for e in fix.edits]
            actions.append(
                types.CodeAction(
                    title=plain_text(fix.title_in(lang), lang),
                    kind=QUICKFIX,
                    diagnostics=[lsp],
                    is_preferred=position == 0 and len(diagnostic.fixes) == 1,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                )
            )
    return actions
