"""Diagnostics over LSP: push (debounced) or pull, per source, with quick fixes.

A client that advertises ``textDocument.diagnostic`` pulls (``textDocument/diagnostic``)
and gets nothing pushed; any other client gets ``textDocument/publishDiagnostics``
:data:`DEBOUNCE_S` after the last change of a document, stale runs cancelled.

Diagnostics are kept per *(source, URI)*. The built-in source, :data:`RULES`, runs the
note-driven rules over open Python documents; its findings are computed once per
document version (and settings and corpus) and shared by the diagnostics, the quick
fixes (``textDocument/codeAction``, kind ``quickfix``) and the hover on a flagged range.
Other features add sources of their own with :meth:`DiagnosticsFeature.set_source`
(e.g. problems in note files): what is sent for a URI is every source's diagnostics.

Findings are language-free (a message key and its parameters); they are rendered in the
user's language only when converted for the client, so the cache needs no language in
its key, and a change of ``torchNotes.language`` re-publishes like any settings change.
Pull reports carry a ``resultId`` (settings/corpus generation and document version); a
client asking again with the current one gets an ``unchanged`` report.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence

from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.pause import giving_way
from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.lsp_convert import QUICKFIX, quick_fixes, to_lsp
from torch_notes.diagnostics.model import Diagnostic
from torch_notes.diagnostics.registry import RULE_CODES, run_rules
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.rule_settings import DiagnosticSettings, apply_settings, parse_settings
from torch_notes.lsp.capabilities import DIAGNOSTIC_OPTIONS
from torch_notes.lsp.feature import ServerFeature
from torch_notes.lsp.request_gate import RequestGate

logger = logging.getLogger(__name__)

__all__ = ["DEBOUNCE_S", "DIAGNOSTIC_OPTIONS", "QUICKFIX", "RULES", "DiagnosticsFeature"]

DEBOUNCE_S = 0.2
"""Quiet time after the last change before diagnostics are computed and pushed."""

RULES = "rules"
"""The source of the note-driven rules over Python documents."""


Findings = tuple[Analysis, tuple[Diagnostic, ...]]


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


def _giving_way(
    gate: RequestGate, compute: Callable[[], tuple[Diagnostic, ...]]
) -> tuple[Diagnostic, ...]:
    """``compute()`` in a worker thread that waits at its pause points while requests run."""
    with giving_way(gate.give_way):
        return compute()


class DiagnosticsFeature(ServerFeature):
    """Every source's diagnostics, delivered the way the client wants them."""

    def __init__(self, server) -> None:
        super().__init__(server)
        self.pull = False
        """The client pulls (``textDocument/diagnostic``); never push to it."""
        self.refresh_support = False
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cache: dict[str, tuple[object, tuple[Diagnostic, ...]]] = {}
        self._sources: dict[tuple[str, str], list[types.Diagnostic]] = {}
        """(source, document key) → that source's diagnostics, for sources other than RULES."""
        self._generation = 0
        """Bumped when settings or notes change: part of every pull ``resultId``."""
        self._reported: tuple[str, ...] = ()
        self._refresh: asyncio.Handle | None = None
        self._published: set[str] = set()
        """Documents that were pushed diagnostics (to clear when they close)."""
        self._other_documents: set[str] = set()
        """Documents that are not Python but had diagnostics of a source (note files)."""

    # -- lifecycle -------------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        caps = params.capabilities
        self.pull = bool(caps.text_document and caps.text_document.diagnostic is not None)
        workspace_caps = caps.workspace.diagnostics if caps.workspace else None
        self.refresh_support = bool(workspace_caps and workspace_caps.refresh_support)

    async def initialized(self) -> None:
        self.refresh_all()

    def document_opened(self, uri: str) -> None:
        self.schedule(uri)

    def document_changed(self, uri: str) -> None:
        self.schedule(uri)

    def document_closed(self, uri: str) -> None:
        """Forget a closed document and clear what was pushed for it."""
        key = self.server.document_key(uri)
        self._cancel(key)
        self._cache.pop(key, None)
        had_diagnostics = key in self._published
        self._published.discard(key)
        for source_key in [k for k in self._sources if k[1] == key]:
            del self._sources[source_key]
        self._other_documents.discard(key)
        if not self.pull and had_diagnostics:
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def settings_applied(self) -> None:
        self.refresh_all()

    def corpus_changed(self) -> None:
        self.refresh_all()

    def shutdown(self) -> None:
        """Cancel every pending run."""
        if self._refresh is not None:
            self._refresh.cancel()
        for key in list(self._timers) + list(self._tasks):
            self._cancel(key)

    # -- the rules' findings ---------------------------------------------------------------

    def settings(self) -> DiagnosticSettings:
        """The user's diagnostic settings; invalid entries are logged once and ignored."""
        raw = self.server.state.settings
        parsed, problems = parse_settings(
            raw.diagnostics_enable, dict(raw.diagnostics_severity), RULE_CODES
        )
        if tuple(problems) != self._reported:
            self._reported = tuple(problems)
            for problem in problems:
                logger.warning("torchNotes.%s", problem)
        return parsed

    def _prepare(self, uri: str):
        """``(analysis, cache key, cached findings or None)``, or ``None`` for no document."""
        analysis = self.server.analysis(uri)
        if analysis is None:
            return None
        key = (analysis, self.server.state.index, self.settings())
        cached = self._cache.get(self.server.document_key(uri))
        return analysis, key, (cached[1] if cached is not None and cached[0] == key else None)

    def findings(self, uri: str) -> Findings | None:
        """The analysis of an open Python document and its findings after the user's settings."""
        prepared = self._prepare(uri)
        if prepared is None:
            return None
        analysis, key, found = prepared
        if found is None:
            found = _compute(analysis, key[1], key[2], uri)
            self._cache[self.server.document_key(uri)] = (key, found)
        return analysis, found

    async def findings_async(self, uri: str) -> Findings | None:
        """Like :meth:`findings`, the rules running in a worker thread so hovers stay fast."""
        prepared = self._prepare(uri)
        if prepared is None:
            return None
        analysis, key, found = prepared
        if found is None:
            loop = asyncio.get_running_loop()
            compute = functools.partial(_compute, analysis, key[1], key[2], uri)
            found = await loop.run_in_executor(None, _giving_way, self.server.gate, compute)
            self._cache[self.server.document_key(uri)] = (key, found)
        return analysis, found

    async def lsp_diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """Every source's diagnostics of ``uri``, rendered in the user's language."""
        items: list[types.Diagnostic] = []
        result = await self.findings_async(uri)
        if result is not None:
            analysis, found = result
            state = self.server.state
            items = [to_lsp(d, analysis.doc, state.index, state.language) for d in found]
        key = self.server.document_key(uri)
        for (_, source_key), extra in sorted(self._sources.items()):
            if source_key == key:
                items.extend(extra)
        return items

    # -- other sources ---------------------------------------------------------------------

    def set_source(self, source: str, uri: str, diagnostics: Sequence[types.Diagnostic]) -> None:
        """Replace ``source``'s diagnostics of ``uri`` and deliver the document's new set."""
        key = (source, self.server.document_key(uri))
        if diagnostics:
            self._sources[key] = list(diagnostics)
            self._other_documents.add(key[1])
        elif self._sources.pop(key, None) is None:
            return
        if self.pull:
            self._generation += 1
            if self.refresh_support:
                self.server.workspace_diagnostic_refresh(None)
        else:
            self.schedule(uri, delay=0.0)

    # -- push ------------------------------------------------------------------------------

    def schedule(self, uri: str, *, delay: float = DEBOUNCE_S) -> None:
        """Publish ``uri``'s diagnostics after ``delay`` (push clients only)."""
        if self.pull:
            return
        key = self.server.document_key(uri)
        self._cancel(key)
        version = self._version(uri)
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._start, uri, version)

    def _version(self, uri: str) -> int | None:
        document = self.server.document(uri)
        return None if document is None else document.version

    def _cancel(self, key: str) -> None:
        """Cancel the pending timer and the running (now stale) computation of ``key``."""
        pending = self._timers.pop(key, None)
        if pending is not None:
            pending.cancel()
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()

    def _start(self, uri: str, version: int | None) -> None:
        key = self.server.document_key(uri)
        self._timers.pop(key, None)
        self._tasks[key] = self.server.run_task(self.publish(uri, version), f"diagnostics {uri}")

    async def publish(self, uri: str, version: int | None) -> None:
        """Push the diagnostics of ``uri`` if it is still open at ``version``."""
        if self.server.document(uri) is None or self._version(uri) != version:
            return  # closed, or changed again: a newer run is scheduled
        key = self.server.document_key(uri)
        if self.server.analysis(uri) is None and key not in self._other_documents:
            return  # not Python, never had diagnostics of another source: nothing to say
        diagnostics = await self.lsp_diagnostics(uri)
        if self._version(uri) != version:
            return  # changed while computing
        self._tasks.pop(key, None)
        self._published.add(key)
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh_all(self) -> None:
        """After a settings or corpus change: re-push every open document, or ask pullers.

        Several changes in one turn of the event loop (new settings that also reload the
        notes) make one refresh.
        """
        self._cache.clear()
        self._generation += 1
        if self._refresh is None:
            self._refresh = asyncio.get_running_loop().call_soon(self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh = None
        if self.pull:
            if self.refresh_support:
                self.server.workspace_diagnostic_refresh(None)
            return
        for uri in self.server.open_uris():
            self.schedule(uri)

    def others_changed(self) -> None:
        """Documents changed that the client does not know to re-check (the cells below an
        edited notebook cell): pull clients are asked to pull again; push clients get each
        changed document re-published through :meth:`document_changed` already."""
        if self.pull:
            self._generation += 1
            if self.refresh_support:
                self.server.workspace_diagnostic_refresh(None)

    # -- pull and code actions -------------------------------------------------------------

    def result_id(self, uri: str) -> str:
        """What a pull report of ``uri`` is computed from: settings/notes and the version."""
        return f"{self._generation}:{self._version(uri)}"

    async def pull_report(
        self, params: types.DocumentDiagnosticParams
    ) -> types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport:
        """``textDocument/diagnostic``: unchanged since ``previousResultId``, or the full report."""
        uri = params.text_document.uri
        result_id = self.result_id(uri)
        if params.previous_result_id == result_id and self.server.document(uri) is not None:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        items = await self.lsp_diagnostics(uri)
        if self.result_id(uri) != result_id:  # changed while computing: make the client ask again
            result_id = ""
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id or None)

    def quick_fixes(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Quick fixes for the rules' findings in ``params.range``."""
        uri = params.text_document.uri
        result = self.findings(uri)
        if result is None:
            return []
        analysis, found = result
        state = self.server.state
        return quick_fixes(
            found,
            analysis.doc,
            state.index,
            uri,
            params.range,
            state.language,
            only=params.context.only,
        )
