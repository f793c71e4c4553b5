"""The verified-on record (``snippets/verified.json``) must match the corpus it describes.

A note whose content changed since the last full validation fails here: run
``torch-notes validate --record`` (after a green run) and commit the record.
"""

from __future__ import annotations

from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.paths import verified_record_path
from torch_notes.corpus.verified import load_record, orphaned_entries, stale_notes

FIX = "re-validate and update the record: torch-notes validate --record"


def test_record_exists_and_parses() -> None:
    path = verified_record_path()
    assert path.is_file(), f"{path} is missing; {FIX}"
    record = load_record(path)
    assert record is not None, f"{path} is malformed; {FIX}"
    assert record.torch and record.validated


def test_every_note_was_validated_with_its_current_content() -> None:
    record = load_record(verified_record_path())
    assert record is not None, FIX
    corpus = load_corpus()
    stale = stale_notes(corpus, record)
    assert not stale, f"notes changed or added since the last validation: {stale}; {FIX}"
    orphans = orphaned_entries(corpus, record)
    assert not orphans, f"the record names notes that no longer exist: {orphans}; {FIX}"
    for note_id, entry in record.notes.items():
        assert entry.outcome in ("passed", "skipped"), (note_id, entry)
        if entry.outcome == "skipped":
            assert entry.reason, f"{note_id} was skipped without a reason"
