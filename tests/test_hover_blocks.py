"""The ``hover`` field: doctest-style blocks parsed, located, turned into jobs and checked.

The end-to-end part runs the real validator (torch) over a small corpus whose hover
blocks pass, show a wrong result, raise unexpectedly, expect an exception that does
not come, or print where the note shows nothing.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from test_validator_support import line_of, write_notes
from torch_notes.cli.main import main
from torch_notes.corpus.hover_block import PRELUDE, HoverBlockError, parse_hover_block
from torch_notes.corpus.loader import load_corpus
from torch_notes.validation.jobs import hover_job, jobs_for_notes


def hover_note(note_id: str, hover: str) -> str:
    """One note (YAML list item) with ``hover`` as its hover block."""
    block = textwrap.indent(textwrap.dedent(hover).strip("\n"), " " * 6)
    return (
        f"  - id: {note_id}\n"
        "    symbols: [torch.ones]\n"
        '    title: {en: "Hover test", zh: "悬停测试"}\n'
        '    summary: {en: "Used by the hover tests.", zh: "供悬停测试使用。"}\n'
        '    body: {en: "Body.", zh: "正文。"}\n'
        f"    hover: |\n{block}\n"
        "    example: |\n      import torch\n"
    )


# -- parsing -----------------------------------------------------------------------------


def test_statements_outputs_and_exceptions_are_parsed_with_their_lines() -> None:
    block = (
        ">>> x = torch.arange(6).reshape(2, 3)\n"
        ">>> for row in x:\n"
        "...     print(row.sum().item())\n"
        "3\n"
        "12\n"
        ">>> x.view(4)\n"
        "Traceback (most recent call last):\n"
        "RuntimeError: shape '[4]' is invalid...\n"
    )
    first, loop, failing = parse_hover_block(block)
    assert (first.line, first.want, first.exception) == (0, "", None)
    assert loop.source == "for row in x:\n    print(row.sum().item())\n"
    assert (loop.line, loop.last_line, loop.want) == (1, 4, "3\n12\n")
    assert failing.line == 5 and failing.exception == "RuntimeError: shape '[4]' is invalid..."


@pytest.mark.parametrize(
    ("block", "line", "reason"),
    [
        ("x = 1\n", 0, "has no statement"),
        (">>>x = 1\n", 0, "lacks blank after >>>"),
        (">>> x = 1\n\nsome prose\n", 2, "text outside a statement"),
        (">>> x = (1,\n", 0, "does not compile"),
        (">>> a = 1\n>>> b = = 2\n", 1, "does not compile"),
        (">>> for i in range(2):\n...print(i)\n", 1, "lacks blank after ..."),
    ],
)
def test_malformed_blocks_are_located(block: str, line: int, reason: str) -> None:
    with pytest.raises(HoverBlockError) as caught:
        parse_hover_block(block)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_loader_reports_a_malformed_block_at_its_yaml_line(tmp_path: Path) -> None:
    path = write_notes(
        tmp_path / "notes.yaml",
        hover_note("t.good", ">>> torch.ones(2).sum()\ntensor(2.)\n"),
        hover_note("t.bad", ">>> x = torch.ones(2)\n>>> y = = x\n"),
    )
    corpus = load_corpus([path])
    assert [note.id for note in corpus.notes if note.id.startswith("t.")] == ["t.good"]
    (error,) = [e for e in corpus.errors if e.note_id == "t.bad"]
    assert error.field == "hover"
    assert error.line == line_of(path, ">>> y = = x")
    assert "does not compile" in str(error)


# -- jobs --------------------------------------------------------------------------------


def test_a_hover_job_keeps_each_statement_on_its_own_line(tmp_path: Path) -> None:
    path = write_notes(
        tmp_path / "notes.yaml",
        hover_note("t.lines", ">>> a = 1\n>>> for i in range(2):\n...     a += i\n>>> a\n2\n"),
    )
    (note,) = [n for n in load_corpus([path]).notes if n.id == "t.lines"]
    job = hover_job(note)
    assert job.kind == "hover" and job.key == "t.lines:hover"
    prelude = len(PRELUDE) + 1  # the imports and the checker's import
    assert job.line_map.describe(prelude + 4).endswith(
        f"notes.yaml:{line_of(path, '>>> a', occurrence=2)} (hover line 4)"
    )
    lines = job.source.splitlines()
    assert "'a\\n', '2\\n'" in lines[prelude + 3]
    assert lines[prelude + 2] == "", "a continuation line stays blank"
    assert [j.kind for j in jobs_for_notes([note])] == ["example", "hover"]


# -- the validator -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hover")
    path = write_notes(
        root / "notes.yaml",
        hover_note(
            "t.passes",
            """
            >>> x = torch.arange(6).reshape(2, 3)
            >>> y = x.transpose(0, 1)
            >>> y.is_contiguous()
            False
            >>> y.view(-1)
            Traceback (most recent call last):
            RuntimeError: view size is not compatible...
            >>> y.contiguous().view(-1)
            tensor([0, 3, 1, 4, 2, 5])
            >>> print(F.relu(torch.tensor([-1.0, 2.0])), nn.Identity()(torch.ones(1)))
            tensor([0., 2.]) tensor([1.])
            """,
        ),
        hover_note("t.wrong_result", ">>> x = torch.ones(3)\n>>> x.shape\ntorch.Size([4])\n"),
        hover_note("t.unexpected_error", ">>> x = torch.ones(3)\n>>> x.view(2)\ntensor([1.])\n"),
        hover_note(
            "t.no_error",
            ">>> torch.ones(3).view(3)\nTraceback (most recent call last):\nRuntimeError: oops\n",
        ),
        hover_note("t.silent_shows", ">>> x = torch.ones(2)\n>>> x.sum()\n"),
    )
    report = root / "report.json"
    rc = main(["validate", str(path), "--jobs", "2", "--json", str(report)])
    data = json.loads(report.read_text(encoding="utf-8"))
    jobs = {job["note"]: job for job in data["jobs"] if job["kind"] == "hover"}
    return rc, path, jobs


def test_a_correct_block_passes(validated) -> None:
    assert validated[2]["t.passes"]["outcome"] == "passed"


@pytest.mark.parametrize(
    ("note_id", "needle", "reason"),
    [
        ("t.wrong_result", ">>> x.shape", "shows"),
        ("t.unexpected_error", ">>> x.view(2)", "RuntimeError: shape '[2]' is invalid"),
        ("t.no_error", ">>> torch.ones(3).view(3)", "raised nothing"),
        ("t.silent_shows", ">>> x.sum()", "tensor(2.)"),
    ],
)
def test_a_wrong_shown_result_fails_at_its_line(validated, note_id, needle, reason) -> None:
    rc, path, jobs = validated
    assert rc == 1
    result = jobs[note_id]
    assert result["outcome"] == "failed"
    assert reason in result["reason"] + result["traceback"]
    line = line_of(path, needle, occurrence=1)
    assert f"notes.yaml:{line} (hover line " in result["failure_location"]
