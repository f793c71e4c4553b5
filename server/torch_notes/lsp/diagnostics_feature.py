"""Note-driven diagnostics over LSP: push (debounced) or pull, quick fixes, hovers.

A client that advertises ``textDocument.diagnostic`` pulls (``textDocument/diagnostic``)
and gets nothing pushed; any other client gets ``textDocument/publishDiagnostics``
``DEBOUNCE_S`` after the last change of a document, stale runs cancelled. Findings are
computed once per document version (and settings/corpus) and shared by the diagnostics,
the quick fixes (``textDocument/codeAction``, kind ``quickfix``) and the hover on a
flagged range, which shows the finding's note.

Findings are language-free (a message key and its parameters); they are rendered in the
user's language (:attr:`~torch_notes.lsp.state.ServerState.language`) only when converted
for the client, so the cache needs no language in its key, and a change of
``torchNotes.language`` re-publishes through :func:`refresh_all` like any settings change.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.lsp_convert import QUICKFIX, lsp_range, quick_fixes, to_lsp
from torch_notes.diagnostics.model import Diagnostic
from torch_notes.diagnostics.registry import RULE_CODES, run_rules
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.rule_settings import DiagnosticSettings, apply_settings, parse_settings
from torch_notes.features.markdown import note_markdown

logger = logging.getLogger(__name__)

__all__ = ["DIAGNOSTIC_OPTIONS", "QUICKFIX", "code_actions", "hover", "pull", "schedule"]

DEBOUNCE_S = 0.2
"""Quiet time after the last change before diagnostics are computed and pushed."""


@dataclass
class DiagnosticsService:
    """Per-server state of the diagnostics feature."""

    pull: bool = False
    """The client pulls (``textDocument/diagnostic``); never push to it."""
    refresh_support: bool = False
    timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    cache: dict[str, tuple[object, tuple[Diagnostic, ...]]] = field(default_factory=dict)
    reported: tuple[str, ...] = ()


def service(ls) -> DiagnosticsService:
    """The server's diagnostics state (created on first use)."""
    found = getattr(ls, "_torch_notes_diagnostics", None)
    if found is None:
        found = DiagnosticsService()
        ls._torch_notes_diagnostics = found
    return found


def settings_of(ls) -> DiagnosticSettings:
    """The user's diagnostic settings; invalid entries are logged once and ignored."""
    raw = ls.state.settings
    parsed, problems = parse_settings(
        raw.diagnostics_enable, dict(raw.diagnostics_severity), RULE_CODES
    )
    svc = service(ls)
    if tuple(problems) != svc.reported:
        svc.reported = tuple(problems)
        for problem in problems:
            logger.warning("torchNotes.%s", problem)
    return parsed


def on_initialize(ls, params: types.InitializeParams) -> None:
    """Pull or push, from the client's capabilities."""
    caps = params.capabilities
    svc = service(ls)
    svc.pull = bool(caps.text_document and caps.text_document.diagnostic is not None)
    workspace_caps = caps.workspace.diagnostics if caps.workspace else None
    svc.refresh_support = bool(workspace_caps and workspace_caps.refresh_support)


def _compute(
    analysis: Analysis, index: CorpusIndex, settings: DiagnosticSettings, uri: str
) -> tuple[Diagnostic, ...]:
    """Run the rules (pure: safe in a worker thread; the tree of a version is never edited)."""
    if not settings.enable:
        return ()
    try:
        context = RuleContext.build(analysis.doc, index, imports=analysis.imports)
        return apply_settings(run_rules(context), settings)
    except Exception:  # a rule bug must never take the session down
        logger.exception("diagnostics failed for %s", uri)
        return ()


def _prepare(ls, uri: str):
    """``(analysis, cache key, cached findings or None)``, or ``None`` for no document."""
    analysis = ls.analysis(uri)
    if analysis is None:
        return None
    key = (analysis, ls.state.index, settings_of(ls))
    cached = service(ls).cache.get(uri)
    return analysis, key, (cached[1] if cached is not None and cached[0] == key else None)


def findings(ls, uri: str) -> tuple[Analysis, tuple[Diagnostic, ...]] | None:
    """The analysis of an open document and its findings after the user's settings."""
    prepared = _prepare(ls, uri)
    if prepared is None:
        return None
    analysis, key, found = prepared
    if found is None:
        found = _compute(analysis, key[1], key[2], uri)
        service(ls).cache[uri] = (key, found)
    return analysis, found


async def findings_async(ls, uri: str) -> tuple[Analysis, tuple[Diagnostic, ...]] | None:
    """Like :func:`findings`, the rules running in a worker thread so hovers stay fast."""
    prepared = _prepare(ls, uri)
    if prepared is None:
        return None
    analysis, key, found = prepared
    if found is None:
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(None, _compute, analysis, key[1], key[2], uri)
        service(ls).cache[uri] = (key, found)
    return analysis, found


async def lsp_diagnostics(ls, uri: str) -> list[types.Diagnostic]:
    """The document's findings as LSP diagnostics (empty for closed or non-Python ones)."""
    result = await findings_async(ls, uri)
    if result is None:
        return []
    analysis, found = result
    lang = ls.state.language
    return [to_lsp(diagnostic, analysis.doc, ls.state.index, lang) for diagnostic in found]


# -- push ----------------------------------------------------------------------------------


def _version(ls, uri: str) -> int | None:
    document = ls.workspace.text_documents.get(uri)
    return None if document is None else document.version


def schedule(ls, uri: str) -> None:
    """Publish ``uri``'s diagnostics after the debounce delay (push clients only)."""
    svc = service(ls)
    if svc.pull:
        return
    _cancel(svc, uri)
    version = _version(ls, uri)
    loop = asyncio.get_running_loop()
    svc.timers[uri] = loop.call_later(DEBOUNCE_S, _start, ls, uri, version)


def _cancel(svc: DiagnosticsService, uri: str) -> None:
    """Cancel the pending timer and the running (now stale) computation of ``uri``."""
    pending = svc.timers.pop(uri, None)
    if pending is not None:
        pending.cancel()
    task = svc.tasks.pop(uri, None)
    if task is not None:
        task.cancel()


def _start(ls, uri: str, version: int | None) -> None:
    svc = service(ls)
    svc.timers.pop(uri, None)
    svc.tasks[uri] = asyncio.get_running_loop().create_task(publish(ls, uri, version))


async def publish(ls, uri: str, version: int | None) -> None:
    """Push the diagnostics of ``uri`` if it is still open at ``version``."""
    if uri not in ls.workspace.text_documents or _version(ls, uri) != version:
        return  # closed, or changed again: a newer run is scheduled
    diagnostics = await lsp_diagnostics(ls, uri)
    if _version(ls, uri) != version:
        return  # changed while computing
    service(ls).tasks.pop(uri, None)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )


def closed(ls, uri: str) -> None:
    """Forget a closed document and clear what was pushed for it."""
    svc = service(ls)
    _cancel(svc, uri)
    svc.cache.pop(uri, None)
    if not svc.pull:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def refresh_all(ls) -> None:
    """After a settings or corpus change: re-push every open document, or ask pullers to pull."""
    svc = service(ls)
    svc.cache.clear()
    if svc.pull:
        if svc.refresh_support:
            ls.workspace_diagnostic_refresh(None)
        return
    for uri in list(ls.workspace.text_documents):
        schedule(ls, uri)


def stop(ls) -> None:
    """Cancel every pending run (shutdown)."""
    svc = service(ls)
    for uri in list(svc.timers) + list(svc.tasks):
        _cancel(svc, uri)


# -- pull, code actions, hover -------------------------------------------------------------

DIAGNOSTIC_OPTIONS = types.DiagnosticOptions(
    identifier="torch-notes", inter_file_dependencies=False, workspace_diagnostics=False
)


async def pull(
    ls, params: types.DocumentDiagnosticParams
) -> types.RelatedFullDocumentDiagnosticReport:
    """``textDocument/diagnostic``: the full report for one document."""
    return types.RelatedFullDocumentDiagnosticReport(
        items=await lsp_diagnostics(ls, params.text_document.uri)
    )


def code_actions(ls, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes for the findings in ``params.range``."""
    uri = params.text_document.uri
    result = findings(ls, uri)
    if result is None:
        return []
    analysis, found = result
    return quick_fixes(
        found,
        analysis.doc,
        ls.state.index,
        uri,
        params.range,
        ls.state.language,
        only=params.context.only,
    )


def hover(ls, uri: str, position: types.Position) -> types.Hover | None:
    """On a flagged range: the finding and its note."""
    result = findings(ls, uri)
    if result is None:
        return None
    analysis, found = result
    state = ls.state
    for diagnostic in found:
        span = lsp_range(analysis.doc, diagnostic.span)
        if not (span.start <= position <= span.end):
            continue
        message = diagnostic.message_in(state.language)
        parts = [f"**torch-notes · `{diagnostic.rule}`**: {message}"]
        note = state.index.by_id.get(diagnostic.note_id) if diagnostic.note_id else None
        if note is not None:
            parts.append(note_markdown(note, state.language, state.index, state.verified))
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
            ),
            range=span,
        )
    return None
