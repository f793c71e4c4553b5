"""Turn notes into executable jobs: the example, the hover block, each expansion of the snippet.

A snippet runs once with every placeholder at its default (each choice at its
first option), then once more for each further option of each choice, so
``${1|SGD,Adam|}`` runs twice. Each job carries a :class:`LineMap` from the
lines of its source back to the lines of the YAML file the code was written in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from torch_notes.corpus.hover_block import PRELUDE, parse_hover_block
from torch_notes.corpus.model import Note, Snippet, display_path
from torch_notes.corpus.snippet_syntax import parse_snippet


@dataclass(frozen=True, slots=True)
class SourceLine:
    """Where one line of a job's source was written."""

    yaml_line: int
    """1-based line in the YAML file; 0 when unknown."""
    label: str
    """The line within its part of the note, e.g. ``example line 4``."""


@dataclass(frozen=True, slots=True)
class LineMap:
    """Source line (1-based) → where it stands in the note file."""

    path: Path
    lines: tuple[SourceLine, ...]

    def describe(self, line: int) -> str:
        """``snippets/x.yaml:57 (example line 4)`` for source line ``line``."""
        where = display_path(self.path)
        if not 1 <= line <= len(self.lines):
            return f"{where} (source line {line})"
        src = self.lines[line - 1]
        if src.yaml_line:
            return f"{where}:{src.yaml_line} ({src.label})"
        return f"{where} ({src.label})"


@dataclass(frozen=True, slots=True)
class Job:
    """One piece of code to execute for a note."""

    key: str
    """Unique within a run, e.g. ``tensor.view:snippet[3=Adam]``."""
    note_id: str
    kind: str
    """``example``, ``hover`` or ``snippet``."""
    choices: tuple[tuple[int, str], ...]
    """For a snippet: every choice tabstop and the value it got in this run."""
    source: str
    line_map: LineMap
    requires: tuple[str, ...]
    path: Path
    line: int
    """1-based YAML line where the job's code starts."""

    @property
    def filename(self) -> str:
        """The pseudo file name the code is compiled under."""
        return f"<torch-notes {self.key}>"

    @property
    def label(self) -> str:
        """A short human name: ``tensor.view``, ``tensor.view [snippet 3=Adam]``."""
        if self.kind == "example":
            return self.note_id
        if self.kind == "hover":
            return f"{self.note_id} [hover]"
        values = " ".join(f"{n}={v}" for n, v in self.choices)
        return f"{self.note_id} [snippet{' ' + values if values else ''}]"


def _part_lines(code: str, first_line: int, part: str) -> list[SourceLine]:
    count = len(code.splitlines()) or 1
    return [
        SourceLine(first_line + i if first_line else 0, f"{part} line {i + 1}")
        for i in range(count)
    ]


def _with_newline(code: str) -> str:
    return code if not code or code.endswith("\n") else code + "\n"


def example_job(note: Note) -> Job:
    """The job that runs a note's example."""
    source = _with_newline(note.example)
    lines = _part_lines(source, note.example_line, "example")
    return Job(
        key=f"{note.id}:example",
        note_id=note.id,
        kind="example",
        choices=(),
        source=source,
        line_map=LineMap(note.location.path, tuple(lines)),
        requires=note.requires,
        path=note.location.path,
        line=note.example_line,
    )


_HOVER_CHECK = "__torch_notes_shown__"


def hover_job(note: Note) -> Job:
    """The job that runs a note's hover block and checks every result it shows.

    The source is the prelude's imports, then one line per line of the block: a
    statement's first line calls :func:`~torch_notes.validation.hover_check.shown`,
    its other lines stay blank. So a failing statement is reported at its own line.
    """
    key = f"{note.id}:hover"
    prelude = [*PRELUDE, f"from torch_notes.validation.hover_check import shown as {_HOVER_CHECK}"]
    rows = [""] * len(note.hover.split("\n"))
    for statement in parse_hover_block(note.hover):
        rows[statement.line] = (
            f"{_HOVER_CHECK}({statement.source!r}, {statement.want!r}, "
            f"{statement.exception!r}, globals(), '<hover line {statement.line + 1}>')"
        )
    while rows and not rows[-1]:
        rows.pop()
    mapped = [SourceLine(0, "hover prelude") for _ in prelude] + [
        SourceLine(note.hover_line + i if note.hover_line else 0, f"hover line {i + 1}")
        for i in range(len(rows))
    ]
    return Job(
        key=key,
        note_id=note.id,
        kind="hover",
        choices=(),
        source="\n".join([*prelude, *rows]) + "\n",
        line_map=LineMap(note.location.path, tuple(mapped)),
        requires=note.requires,
        path=note.location.path,
        line=note.hover_line,
    )


def expansions(body: str) -> list[dict[int, str]]:
    """The choice assignments a snippet body is run with: defaults first, then each other value."""
    choices = parse_snippet(body).choices()
    defaults = {number: options[0] for number, options in choices.items()}
    runs = [defaults]
    for number, options in choices.items():
        runs.extend({**defaults, number: option} for option in options[1:])
    return runs


def _body_lines(template_body: str, expanded: str, first_line: int) -> list[SourceLine]:
    """Map expanded body lines to YAML lines; 1:1 unless an expansion changed the line count."""
    if len(expanded.splitlines()) == len(template_body.splitlines()):
        return _part_lines(expanded, first_line, "snippet body")
    return [
        SourceLine(first_line, f"snippet body (expanded) line {i + 1}")
        for i in range(len(expanded.splitlines()) or 1)
    ]


def snippet_jobs(note: Note, snippet: Snippet) -> list[Job]:
    """One job per expansion of the note's snippet: ``setup`` + body + ``check``."""
    template = parse_snippet(snippet.body)
    jobs: list[Job] = []
    for chosen in expansions(snippet.body):
        setup = _with_newline(snippet.setup)
        body = _with_newline(template.expand(chosen))
        check = _with_newline(snippet.check)
        mapped: list[SourceLine] = []
        if setup:
            mapped += _part_lines(setup, snippet.setup_line, "snippet setup")
        mapped += _body_lines(snippet.body, body, snippet.body_line)
        if check:
            mapped += _part_lines(check, snippet.check_line, "snippet check")
        values = tuple(sorted(chosen.items()))
        suffix = "[" + ",".join(f"{n}={v}" for n, v in values) + "]" if values else ""
        jobs.append(
            Job(
                key=f"{note.id}:snippet{suffix}",
                note_id=note.id,
                kind="snippet",
                choices=values,
                source=setup + body + check,
                line_map=LineMap(note.location.path, tuple(mapped)),
                requires=note.requires,
                path=note.location.path,
                line=snippet.body_line,
            )
        )
    return jobs


def jobs_for_notes(notes: Iterable[Note]) -> list[Job]:
    """Every job of every note, in corpus order (from the notes alone: no file is read)."""
    jobs: list[Job] = []
    for note in notes:
        jobs.append(example_job(note))
        if note.hover:
            jobs.append(hover_job(note))
        if note.snippet is not None:
            jobs.extend(snippet_jobs(note, note.snippet))
    return jobs
