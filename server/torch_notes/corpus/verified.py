"""The verified-on record: which torch the corpus was last validated on, note by note.

``snippets/verified.json`` is written by ``torch-notes validate --record`` after
a full, green run and committed beside the corpus. It is corpus data: the language
server reads it to show "verified on torch X" for each note whose content hash
still matches, and the validator writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from torch_notes.corpus.model import Corpus, Note


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One note's outcome in the last full validation."""

    outcome: str
    """``passed`` or ``skipped``."""
    hash: str
    """``Note.fingerprint()`` of the content that was validated."""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class VerifiedRecord:
    """The whole record."""

    torch: str
    torchvision: str | None
    python: str
    validated: str
    """ISO date of the run."""
    notes: Mapping[str, RecordEntry] = field(default_factory=dict)

    def entry_for(self, note: Note) -> RecordEntry | None:
        """The note's entry, only if its content is unchanged since it was validated."""
        entry = self.notes.get(note.id)
        return entry if entry is not None and entry.hash == note.fingerprint() else None

    def status_text(self, note: Note) -> str:
        """``verified on torch 2.14.1``, ``skipped on torch 2.14.1 (needs cuda ...)``,
        or ``not verified`` when the note changed since (or was never) validated."""
        entry = self.entry_for(note)
        if entry is None:
            return "not verified"
        if entry.outcome == "passed":
            return f"verified on torch {self.torch}"
        return f"skipped on torch {self.torch} ({entry.reason})"


def release_version(version: str | None) -> str | None:
    """``2.14.1+cu130`` → ``2.14.1``: CPU and CUDA builds of one release record the same."""
    return version.split("+", 1)[0] if version else version


def record_to_json(record: VerifiedRecord) -> str:
    """Stable, sorted, one-entry-per-line JSON, so re-recording gives small diffs."""
    notes = {}
    for note_id, entry in record.notes.items():
        item = {"outcome": entry.outcome, "hash": entry.hash}
        if entry.reason:
            item["reason"] = entry.reason
        notes[note_id] = item
    data = {
        "torch": record.torch,
        "torchvision": record.torchvision,
        "python": record.python,
        "validated": record.validated,
        "notes": notes,
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def record_from_json(text: str) -> VerifiedRecord:
    """Parse a record; ``ValueError`` when it is malformed."""
    try:
        data = json.loads(text)
        notes = {
            str(note_id): RecordEntry(
                outcome=str(item["outcome"]),
                hash=str(item["hash"]),
                reason=str(item.get("reason", "")),
            )
            for note_id, item in data["notes"].items()
        }
        return VerifiedRecord(
            torch=str(data["torch"]),
            torchvision=data.get("torchvision"),
            python=str(data.get("python", "")),
            validated=str(data.get("validated", "")),
            notes=notes,
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise ValueError(f"malformed verified record: {err}") from err


def load_record(path: Path) -> VerifiedRecord | None:
    """The record at ``path``; ``None`` when it is missing or unreadable."""
    try:
        return record_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verified_versions(corpus: Corpus, record: VerifiedRecord | None) -> dict[str, str]:
    """Note id → the torch release the note's current content passed on."""
    if record is None:
        return {}
    versions = {}
    for note in corpus.notes:
        entry = record.entry_for(note)
        if entry is not None and entry.outcome == "passed":
            versions[note.id] = record.torch
    return versions


def write_record(path: Path, record: VerifiedRecord) -> None:
    """Write ``record`` to ``path`` (atomically)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(record_to_json(record), encoding="utf-8")
    tmp.replace(path)


def stale_notes(corpus: Corpus, record: VerifiedRecord | None) -> list[str]:
    """Ids of notes with no entry, or whose content changed since the record was made."""
    if record is None:
        return [note.id for note in corpus.notes]
    return [note.id for note in corpus.notes if record.entry_for(note) is None]


def orphaned_entries(corpus: Corpus, record: VerifiedRecord) -> list[str]:
    """Ids in the record that no note of ``corpus`` has any more."""
    ids = {note.id for note in corpus.notes}
    return sorted(note_id for note_id in record.notes if note_id not in ids)


class LocalVersion(str):
    """A torch version a note passed on in the user's own environment (validation on save),
    not in a full run of the validator: cards say "(your environment)"."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class LocalEntry:
    """One note that passed when it was saved: its content hash and the torch it ran on."""

    hash: str
    torch: str
    validated: str
    """ISO date."""


def load_local_record(path: Path | None) -> dict[str, LocalEntry]:
    """The notes that passed on save (note id → entry); empty when missing or malformed."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(note_id): LocalEntry(str(item["hash"]), str(item["torch"]), str(item["validated"]))
            for note_id, item in data["notes"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_local_record(path: Path, entries: Mapping[str, LocalEntry]) -> None:
    """Write the local record (atomically), creating its directory."""
    data = {
        "notes": {
            note_id: {"hash": e.hash, "torch": e.torch, "validated": e.validated}
            for note_id, e in sorted(entries.items())
        }
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def local_versions(corpus: Corpus, entries: Mapping[str, LocalEntry]) -> dict[str, LocalVersion]:
    """Note id → the torch release the note's current content passed on when saved."""
    found = {}
    for note in corpus.notes:
        entry = entries.get(note.id)
        if entry is not None and entry.hash == note.fingerprint():
            found[note.id] = LocalVersion(entry.torch)
    return found
