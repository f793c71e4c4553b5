"""Validator pieces that need no worker: jobs, line maps, traceback mapping, the record."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from test_validator_support import line_of, note_yaml, write_notes
from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Corpus
from torch_notes.corpus.verified import (
    RecordEntry,
    VerifiedRecord,
    load_record,
    orphaned_entries,
    record_from_json,
    record_to_json,
    release_version,
    stale_notes,
    write_record,
)
from torch_notes.validation.jobs import expansions, jobs_for_notes
from torch_notes.validation.render import failure_block, job_line, sandbox_lines
from torch_notes.validation.results import JobResult, RunResult
from torch_notes.validation.tracebacks import first_job_line, map_traceback

SNIPPET = """
snippet:
  prefix: test-opt
  description: {en: "optimizer", zh: "优化器"}
  setup: |
    import torch
    model = torch.nn.Linear(2, 1)
  body: |
    opt = torch.optim.${1|SGD,Adam|}(model.parameters(), lr=${2:0.1})
    kind = "${3|a,b,c|}"
  check: |
    assert opt.param_groups[0]["lr"] == 0.1
"""


def _corpus(tmp_path: Path) -> tuple[Path, Corpus]:
    path = write_notes(
        tmp_path / "units.yaml",
        note_yaml("u.plain", "x = 1\nassert x == 1\n"),
        note_yaml("u.opt", "import torch\n", snippet=SNIPPET),
    )
    corpus = load_corpus((path,), include_builtin=False)
    assert not corpus.errors, corpus.errors
    return path, corpus


def test_expansions_run_defaults_then_each_other_value() -> None:
    assert expansions("torch.optim.${1|SGD,Adam|}") == [{1: "SGD"}, {1: "Adam"}]
    runs = expansions("${1|a,b|} ${2:x} ${3|p,q,r|}")
    assert runs == [
        {1: "a", 3: "p"},
        {1: "b", 3: "p"},
        {1: "a", 3: "q"},
        {1: "a", 3: "r"},
    ]
    assert expansions("for ${1:i} in range(${2:3}):\n    pass\n$0") == [{}]


def test_jobs_per_note_and_their_sources(tmp_path: Path) -> None:
    _, corpus = _corpus(tmp_path)
    jobs = jobs_for_notes(corpus.notes)
    assert [j.key for j in jobs] == [
        "u.plain:example",
        "u.opt:example",
        "u.opt:snippet[1=SGD,3=a]",
        "u.opt:snippet[1=Adam,3=a]",
        "u.opt:snippet[1=SGD,3=b]",
        "u.opt:snippet[1=SGD,3=c]",
    ]
    adam = jobs[3]
    assert adam.kind == "snippet" and adam.choices == ((1, "Adam"), (3, "a"))
    assert adam.label == "u.opt [snippet 1=Adam 3=a]"
    assert adam.source == (
        "import torch\nmodel = torch.nn.Linear(2, 1)\n"
        'opt = torch.optim.Adam(model.parameters(), lr=0.1)\nkind = "a"\n'
        'assert opt.param_groups[0]["lr"] == 0.1\n'
    )
    assert len({j.filename for j in jobs}) == len(jobs)


def test_line_map_points_every_part_at_its_yaml_line(tmp_path: Path) -> None:
    path, corpus = _corpus(tmp_path)
    jobs = jobs_for_notes(corpus.notes)
    example, snippet = jobs[0], jobs[2]
    assert example.line_map.describe(2).endswith(
        f"units.yaml:{line_of(path, 'assert x == 1')} (example line 2)"
    )
    expected = {
        1: (line_of(path, "import torch", 2), "snippet setup line 1"),
        2: (line_of(path, "model = torch.nn.Linear"), "snippet setup line 2"),
        3: (line_of(path, "opt = torch.optim"), "snippet body line 1"),
        4: (line_of(path, "kind = "), "snippet body line 2"),
        5: (line_of(path, 'assert opt.param_groups[0]["lr"]'), "snippet check line 1"),
    }
    for source_line, (yaml_line, label) in expected.items():
        assert snippet.line_map.describe(source_line).endswith(f"units.yaml:{yaml_line} ({label})")
    assert snippet.line == line_of(path, "opt = torch.optim")


def test_traceback_mapping(tmp_path: Path) -> None:
    path, corpus = _corpus(tmp_path)
    job = jobs_for_notes(corpus.notes)[0]
    text = (
        "Traceback (most recent call last):\n"
        f'  File "{job.filename}", line 2, in <module>\n'
        "    assert x == 1\n"
        '  File "/usr/lib/python3/site.py", line 2, in f\n'
        "AssertionError\n"
    )
    mapped = map_traceback(text, job)
    yaml_line = line_of(path, "assert x == 1")
    assert f"units.yaml:{yaml_line} (example line 2), in <module>" in mapped
    assert '"/usr/lib/python3/site.py", line 2' in mapped, "other files are left alone"
    dump = (
        "Current thread 0x1 (most recent call first):\n"
        f'  File "{job.filename}", line 1 in <module>\n'
    )
    assert first_job_line(dump, job) == 1
    assert "Extension modules" not in map_traceback(dump + "\nExtension modules: a, b\n", job)


def test_note_outcomes_and_plain_lines(tmp_path: Path) -> None:
    _, corpus = _corpus(tmp_path)
    jobs = jobs_for_notes(corpus.notes)
    results = (
        JobResult(jobs[0], "skipped", "needs cuda (torch.cuda.is_available() is False)"),
        JobResult(jobs[1], "passed", seconds=0.123),
        JobResult(jobs[2], "passed"),
        JobResult(jobs[3], "failed", "AssertionError: no", 0.5),
        JobResult(jobs[4], "passed"),
        JobResult(jobs[5], "passed"),
    )
    run = RunResult(results)
    assert run.counts() == {"passed": 4, "failed": 1, "skipped": 1}
    outcomes = run.note_outcomes()
    assert outcomes["u.plain"].outcome == "skipped"
    assert outcomes["u.plain"].reason.startswith("needs cuda")
    assert outcomes["u.opt"].outcome == "failed"
    assert job_line(results[1]) == "PASS u.opt (0.12 s)"
    assert job_line(results[0]) == "SKIP u.plain: needs cuda (torch.cuda.is_available() is False)"
    assert job_line(results[3]) == "FAIL u.opt [snippet 1=Adam 3=a] (0.50 s): AssertionError: no"
    assert run.slowest(1)[0] is results[3]


def test_job_text_cannot_drive_the_terminal(tmp_path: Path) -> None:
    _, corpus = _corpus(tmp_path)
    job = jobs_for_notes(corpus.notes)[0]
    hostile = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\rAssertionError"
    result = JobResult(job, "failed", hostile, traceback=hostile, output=f"line 1\n\t{hostile}")
    for text in (job_line(result), failure_block(result)):
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
        assert "\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x0dAssertionError" in text
    assert "line 1\n  | \t" in failure_block(result), "newlines and tabs stay"


def test_the_sandbox_line_and_the_fallback_warning() -> None:
    assert sandbox_lines({}) == []
    used = {"tool": "bubblewrap 0.8.0", "limits": "rlimits", "fallback": ""}
    assert sandbox_lines(used) == ["sandbox: bubblewrap 0.8.0; limits: rlimits"]
    fallback = {"tool": "landlock (fallback)", "limits": "x", "fallback": "bwrap is not installed"}
    assert sandbox_lines(fallback)[0] == "WARNING: weaker sandbox: bwrap is not installed"


def _record(corpus: Corpus) -> VerifiedRecord:
    return VerifiedRecord(
        torch="2.14.1",
        torchvision="0.29.1",
        python="3.11.7",
        validated="2025-01-01",
        notes={
            note.id: RecordEntry("passed", note.fingerprint()) for note in reversed(corpus.notes)
        },
    )


def test_record_round_trip_is_stable(tmp_path: Path) -> None:
    _, corpus = _corpus(tmp_path)
    record = _record(corpus)
    text = record_to_json(record)
    assert list(json.loads(text)["notes"]) == sorted(n.id for n in corpus.notes)
    assert record_from_json(text) == record
    assert record_to_json(record_from_json(text)) == text
    target = tmp_path / "verified.json"
    write_record(target, record)
    assert target.read_text(encoding="utf-8") == text
    assert load_record(target) == record
    assert load_record(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text('{"torch": 1}', encoding="utf-8")
    assert load_record(tmp_path / "bad.json") is None
    assert release_version("2.14.1+cu130") == "2.14.1"


def test_stale_notes_detects_changed_content(tmp_path: Path) -> None:
    _, corpus = _corpus(tmp_path)
    record = _record(corpus)
    assert stale_notes(corpus, record) == []
    note = corpus.notes[0]
    assert record.status_text(note) == "verified on torch 2.14.1"
    changed = dataclasses.replace(note, example=note.example + "assert x\n")
    edited = Corpus(notes=(changed, *corpus.notes[1:]))
    assert stale_notes(edited, record) == [note.id]
    assert record.status_text(changed) == "not verified"
    moved = dataclasses.replace(note, example_line=note.example_line + 10)
    assert stale_notes(Corpus(notes=(moved, *corpus.notes[1:])), record) == []
    assert stale_notes(corpus, None) == [n.id for n in corpus.notes]
    assert orphaned_entries(Corpus(notes=corpus.notes[:1]), record) == [corpus.notes[1].id]
