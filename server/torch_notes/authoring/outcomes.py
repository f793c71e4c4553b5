"""What validating a note on save found, kept per note and shown on the failing lines.

A result is tied to the note's content (its fingerprint) and to where its parts stand
relative to the note's first line (its layout): while both hold, the result still
applies, wherever the note moves in its file, and saving again need not re-run it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from torch_notes.authoring.findings import ERROR, Finding
from torch_notes.authoring.nodes import line_span
from torch_notes.corpus.model import Note

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


def layout(note: Note) -> tuple[int, ...]:
    """Where the note's code parts start, relative to its first line."""
    start = note.location.line
    lines = [note.example_line, note.hover_line]
    if note.snippet is not None:
        lines += [note.snippet.body_line, note.snippet.setup_line, note.snippet.check_line]
    return tuple(line - start if line else -1 for line in lines)


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing job of a note: where (relative to the note's first line) and why."""

    offset: int
    label: str
    """Where in the note's code: ``example line 4``, ``hover line 2``."""
    reason: str


@dataclass(frozen=True, slots=True)
class NoteResult:
    """A note's last validation: passed, failed (with its failures) or skipped."""

    note_id: str
    fingerprint: str
    layout: tuple[int, ...]
    outcome: str
    torch: str
    failures: tuple[Failure, ...] = ()
    reason: str = ""

    def applies_to(self, note: Note) -> bool:
        """Whether ``note`` as written now is what was validated."""
        return self.fingerprint == note.fingerprint() and self.layout == layout(note)


def _reason(result: Mapping[str, Any]) -> str:
    reason = str(result.get("reason") or "failed")
    source = str(result.get("source_line") or "").strip()
    if reason in ("AssertionError", "AssertionError: ") and source:
        return f"AssertionError: {source}"
    return reason


def note_result(note: Note, results: Iterable[Mapping[str, Any]], torch: str) -> NoteResult:
    """The note's result from its jobs' results (the validator's ``result`` messages)."""
    mine = [r for r in results if r.get("note") == note.id]
    failed = [r for r in mine if r.get("outcome") == FAILED]
    skipped = [r for r in mine if r.get("outcome") == SKIPPED]
    if failed:
        failures = tuple(
            Failure(
                offset=max(int(r.get("line") or note.example_line) - note.location.line, 0),
                label=str(r.get("label") or r.get("kind") or "example"),
                reason=_reason(r),
            )
            for r in failed
        )
        return NoteResult(note.id, note.fingerprint(), layout(note), FAILED, torch, failures)
    if mine and len(skipped) == len(mine):
        reason = str(skipped[0].get("reason", ""))
        return NoteResult(note.id, note.fingerprint(), layout(note), SKIPPED, torch, (), reason)
    return NoteResult(note.id, note.fingerprint(), layout(note), PASSED, torch)


def result_findings(result: NoteResult, note: Note, lines: Sequence[str]) -> list[Finding]:
    """A failed note's failures as errors on their lines of the file as written now."""
    if result.outcome != FAILED:
        return []
    found = []
    for failure in result.failures:
        row = note.location.line - 1 + failure.offset
        params = (("label", failure.label), ("reason", failure.reason), ("version", result.torch))
        found.append(
            Finding(
                span=line_span(lines, row),
                code="note-validation",
                severity=ERROR,
                key="note_validation_failed",
                params=params,
                note_id=note.id,
            )
        )
    return found
