"""Validate on save: a saved note file's changed notes run in the validator, failures show
on their lines.

With ``torchNotes.validation.python`` set (an interpreter that has torch), saving a note
file sends the jobs of its notes that changed since their last result (example, hover
block, snippet expansions) to the validator process (:mod:`validator_process`: the
sandboxed workers of ``torch-notes validate``, kept warm between saves). Progress goes to
``$/progress``; a newer save of the file cancels the older run (a validator that does not
let go within :data:`CANCEL_GRACE_S` is restarted). Each note's last result is kept: a
failure is a diagnostic on the failing line (source :data:`SOURCE`) while the note is
unchanged; a pass is recorded as "verified on torch X (your environment)" for its card.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from torch_notes.authoring.checks import NoteFileReport
from torch_notes.authoring.outcomes import FAILED, PASSED, NoteResult, note_result, result_findings
from torch_notes.corpus.model import Note
from torch_notes.corpus.verified import (
    LocalEntry,
    LocalVersion,
    load_local_record,
    release_version,
    write_local_record,
)
from torch_notes.i18n import text
from torch_notes.lsp.diagnostics import DiagnosticsFeature
from torch_notes.lsp.feature import ServerFeature
from torch_notes.lsp.note_files import NoteFilesFeature, to_lsp
from torch_notes.lsp.validator_process import ValidatorProcess
from torch_notes.plain_text import plain_text
from torch_notes.validation.jobs import jobs_for_notes
from torch_notes.validation.serve import job_to_json

logger = logging.getLogger(__name__)

SOURCE = "note-validation"
"""The diagnostics source of validation on save."""
CANCEL_GRACE_S = 3.0
"""A cancelled run still busy after this long gets its validator restarted."""
IDLE_STOP_S = 600.0
"""A validator unused this long is stopped (its workers hold torch in memory)."""


@dataclass(eq=False)
class _Run:
    """One save's validation."""

    request_id: int
    uri: str
    notes: tuple[Note, ...]
    jobs: list[dict[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None
    sent: bool = False
    cancelled: bool = False
    saved_at: float = field(default_factory=time.monotonic)


class NoteValidationFeature(ServerFeature):
    """The validator process, the runs of saved note files and each note's last result."""

    def __init__(self, server) -> None:
        super().__init__(server)
        self.results: dict[str, NoteResult] = {}
        self.process: ValidatorProcess | None = None
        self.environment: dict[str, Any] = {}
        self.progress = False
        self.lens_refresh = False
        self._runs: dict[int, _Run] = {}
        self._latest: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._told: set[str] = set()
        self._idle: asyncio.TimerHandle | None = None
        self._starting: asyncio.Task[bool] | None = None
        self._local: dict[str, LocalEntry] | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        caps = params.capabilities
        self.progress = bool(caps.window and caps.window.work_done_progress)
        lens = caps.workspace.code_lens if caps.workspace else None
        self.lens_refresh = bool(lens and lens.refresh_support)

    def python(self) -> str | None:
        """The validating interpreter (``~`` expanded), when validation on save is on."""
        settings = self.server.state.settings
        if not settings.validation_on_save or not settings.validation_python:
            return None
        python = settings.validation_python
        return os.path.expanduser(python) if python.startswith("~") else python

    def settings_applied(self) -> None:
        """Another interpreter (or validation switched off): stop the validator and its runs."""
        process = self.process
        if process is not None and process.python != self.python():
            self.process = None
            for run in list(self._runs.values()):
                self._drop(run)
            self.server.run_task(process.stop(), "stop the validator")

    def document_opened(self, uri: str) -> None:
        """Opening a note file starts the validator, so that the first save finds it warm."""
        if self.python() and self.server.get_feature(NoteFilesFeature).is_note_file(uri):
            self.server.run_task(self._ensure(), "warm the validator")

    def document_changed(self, uri: str) -> None:
        """Results follow the text: a failure shows only while its note is unchanged."""
        if self.results and self.server.get_feature(NoteFilesFeature).is_note_file(uri):
            self.publish(uri)

    def shutdown(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        if self.process is not None:
            self.process.kill_now()
            self.process = None

    # -- results ------------------------------------------------------------------------

    def result(self, note: Note) -> NoteResult | None:
        """The note's last result, if it was for the note as written now."""
        found = self.results.get(note.id)
        return found if found is not None and found.applies_to(note) else None

    def status(self, uri: str, note_id: str) -> str | None:
        """The code lens text of a note's last result."""
        report = self.server.get_feature(NoteFilesFeature).report(uri)
        note = report.note(note_id) if report is not None else None
        found = self.result(note) if note is not None else None
        if found is None:
            return None
        lang = self.server.state.language
        if found.outcome == PASSED:
            return text(lang, "note_lens_passed", version=found.torch)
        if found.outcome == FAILED:
            reason = found.failures[0].reason.split("\n")[0] if found.failures else ""
            return plain_text(text(lang, "note_lens_failed", reason=reason[:120]), lang)
        return plain_text(text(lang, "note_lens_skipped", reason=found.reason[:120]), lang)

    def publish(self, uri: str, report: NoteFileReport | None = None) -> None:
        """The failures of the file's notes that are unchanged since they ran."""
        report = report or self.server.get_feature(NoteFilesFeature).report(uri)
        diagnostics = self.server.get_feature(DiagnosticsFeature)
        if report is None:
            diagnostics.set_source(SOURCE, uri, [])
            return
        state = self.server.state
        items = [
            to_lsp(finding, report.lines, state.client.encoding, state.language)
            for note in report.notes
            if (found := self.result(note)) is not None
            for finding in result_findings(found, note, report.lines)
        ]
        diagnostics.set_source(SOURCE, uri, items)

    # -- saving -------------------------------------------------------------------------

    def saved(self, uri: str, report: NoteFileReport | None) -> None:
        """Validate the saved file's notes that changed since their last result."""
        if report is None or not self.server.state.settings.validation_on_save:
            return
        if not self.python():
            self._tell_once(
                "no-python", text(self.server.state.language, "note_validation_no_python")
            )
            return
        self.publish(uri, report)
        key = self.server.document_key(uri)
        if (previous := self._latest.pop(key, None)) is not None:
            self._cancel(previous)
        changed = tuple(note for note in report.notes if self.result(note) is None)
        if not changed:
            return
        run = _Run(next(self._ids), uri, changed, [job_to_json(j) for j in jobs_for_notes(changed)])
        self._runs[run.request_id] = run
        self._latest[key] = run.request_id
        self.server.run_task(self._start(run), f"validate {uri}")

    async def _start(self, run: _Run) -> None:
        cold = self.process is None or not self.process.running
        await self._begin_progress(run, cold)
        if not await self._ensure() or run.cancelled:
            if run.request_id in self._runs and not run.cancelled:
                self._drop(run)
            return
        assert self.process is not None
        run.sent = self.process.send({"id": run.request_id, "jobs": run.jobs})
        if not run.sent:
            self._drop(run)

    def _cancel(self, request_id: int) -> None:
        run = self._runs.get(request_id)
        if run is None or run.cancelled:
            return
        run.cancelled = True
        self._end_progress(run)
        if not run.sent:
            self._runs.pop(request_id, None)
            return
        if self.process is not None:
            self.process.send({"cancel": request_id})
        loop = asyncio.get_running_loop()
        loop.call_later(CANCEL_GRACE_S, self._stuck, request_id)

    def _stuck(self, request_id: int) -> None:
        """A cancelled run still holds the validator (a job that loops): restart it and send
        the runs that wait behind it again."""
        if request_id not in self._runs or self.process is None:
            return
        logger.info("validator busy with a cancelled run for %.0f s: restarting it", CANCEL_GRACE_S)
        old, self.process = self.process, None
        waiting = [run for run in self._runs.values() if not run.cancelled]
        for run in list(self._runs.values()):
            if run.cancelled:
                self._runs.pop(run.request_id, None)
        for run in waiting:
            run.sent = False
        self.server.run_task(self._restart(old, waiting), "restart the validator")

    async def _restart(self, old: ValidatorProcess, waiting: list[_Run]) -> None:
        await old.stop()
        for run in waiting:
            if not run.cancelled and run.request_id in self._runs:
                await self._start(run)

    # -- the process ----------------------------------------------------------------------

    async def _ensure(self) -> bool:
        """A running validator for the current interpreter (started once, even when asked
        twice at once); it starts its worker at once, so a save finds it importing torch."""
        if self.process is not None and self.process.running:
            return True
        if self._starting is None or self._starting.done():
            self._starting = asyncio.get_running_loop().create_task(self._spawn())
        return await asyncio.shield(self._starting)

    async def _spawn(self) -> bool:
        python = self.python()
        if python is None:
            return False
        process = ValidatorProcess(python, self._message, self._exited)
        try:
            await process.start()
        except OSError as err:
            self._tell_once(f"start:{python}", self._no_start(python, err.strerror or str(err)))
            return False
        self.process = process
        process.send({"id": 0, "warm": True})
        self._touch()
        return True

    def _no_start(self, python: str, reason: str) -> str:
        return text(
            self.server.state.language, "note_validation_no_start", python=python, reason=reason
        )

    def _exited(self, process: ValidatorProcess, why: str) -> None:
        if self.process is process:
            self.process = None
        if not why:
            return
        logger.warning("the validator %s: %s", why, process.stderr_tail[-2000:])
        for run in list(self._runs.values()):
            if run.sent:
                self._drop(run)
        last = process.stderr_tail.strip().splitlines()[-1:]
        reason = f"{why}: {last[0]}" if last else why
        self._tell_once(f"exit:{process.python}", self._no_start(process.python, reason))

    def _touch(self) -> None:
        """Stop the validator after :data:`IDLE_STOP_S` without work."""
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(IDLE_STOP_S, self._stop_idle)

    def _stop_idle(self) -> None:
        if self._runs or self.process is None:
            return
        process, self.process = self.process, None
        logger.info("stopping the idle validator")
        self.server.run_task(process.stop(), "stop the idle validator")

    def _message(self, message: dict[str, Any]) -> None:
        kind, request_id = message.get("type"), message.get("id")
        if kind == "error" and request_id == 0:
            python = self.process.python if self.process else "?"
            self._tell_once(f"error:{python}", self._no_start(python, str(message.get("message"))))
            return
        run = self._runs.get(request_id) if isinstance(request_id, int) else None
        if run is None:
            return
        self._touch()
        if kind == "result":
            run.results.append(message)
            self._report_progress(run)
        elif kind == "done":
            self._runs.pop(run.request_id, None)
            if not run.cancelled:
                self.environment = dict(message.get("environment") or {})
                self._finish(run)
        elif kind == "error":
            self._drop(run)
            python = self.process.python if self.process else "?"
            self._tell_once(f"error:{python}", self._no_start(python, str(message.get("message"))))

    def _drop(self, run: _Run) -> None:
        self._runs.pop(run.request_id, None)
        self._end_progress(run)

    def _finish(self, run: _Run) -> None:
        """Keep each note's result, record passes, show failures."""
        torch = release_version(self.environment.get("torch")) or "?"
        local = self._local_record()
        verified = self.server.state.verified
        for note in run.notes:
            found = note_result(note, run.results, torch)
            self.results[note.id] = found
            if found.outcome == PASSED:
                today = datetime.date.today().isoformat()
                local[note.id] = LocalEntry(note.fingerprint(), torch, today)
                if not (note.id in verified and not isinstance(verified[note.id], LocalVersion)):
                    verified[note.id] = LocalVersion(torch)
            else:
                local.pop(note.id, None)
                if isinstance(verified.get(note.id), LocalVersion):
                    del verified[note.id]
        self._write_local_record(local)
        self._end_progress(run)
        self.publish(run.uri)
        logger.info(
            "validated %d note(s) of %s in %.2f s after the save",
            len(run.notes),
            run.uri,
            time.monotonic() - run.saved_at,
        )
        if self.lens_refresh:
            self.server.run_task(self._refresh_lenses(), "refresh code lenses")

    async def _refresh_lenses(self) -> None:
        try:
            await self.server.workspace_code_lens_refresh_async(None)
        except Exception as err:  # a client may refuse; the lenses update on the next request
            logger.debug("workspace/codeLens/refresh: %s", err)

    def _local_record(self) -> dict[str, LocalEntry]:
        if self._local is None:
            self._local = load_local_record(self.server.state.local_record)
        return self._local

    def _write_local_record(self, entries: dict[str, LocalEntry]) -> None:
        path = self.server.state.local_record
        if path is None:
            return
        try:
            write_local_record(path, entries)
        except OSError as err:
            logger.warning("cannot write %s: %s", path, err)

    # -- telling the user ---------------------------------------------------------------

    def _tell_once(self, key: str, message: str) -> None:
        if key in self._told:
            return
        self._told.add(key)
        lang = self.server.state.language
        self.server.window_show_message(
            types.ShowMessageParams(types.MessageType.Warning, plain_text(message, lang))
        )

    async def _begin_progress(self, run: _Run, cold: bool) -> None:
        if not self.progress:
            return
        token = f"torch-notes/validate/{run.request_id}"
        try:
            await self.server.work_done_progress.create_async(token)
        except Exception as err:  # the client may refuse
            logger.debug("no progress token: %s", err)
            return
        if run.cancelled:  # a newer save came while the client made the token
            return
        run.token = token
        lang = self.server.state.language
        self.server.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=text(lang, "note_progress_title", count=len(run.notes)),
                message=text(lang, "note_progress_starting") if cold else None,
                percentage=0,
                cancellable=False,
            ),
        )

    def _report_progress(self, run: _Run) -> None:
        if run.token is None or run.cancelled:
            return
        done, total = len(run.results), max(len(run.jobs), 1)
        label = str(run.results[-1].get("key", ""))
        lang = self.server.state.language
        self.server.work_done_progress.report(
            run.token,
            types.WorkDoneProgressReport(
                message=text(lang, "note_progress_report", done=done, total=total, label=label),
                percentage=min(100, 100 * done // total),
            ),
        )

    def _end_progress(self, run: _Run) -> None:
        if run.token is None:
            return
        token, run.token = run.token, None
        self.server.work_done_progress.end(token, types.WorkDoneProgressEnd())
