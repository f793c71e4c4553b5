"""``torch-notes coverage PATH...``: how much of the torch API in some code the notes explain.

For each Python file or Jupyter notebook (directories are searched recursively for
``*.py`` and ``*.ipynb``, skipping hidden directories, ``__pycache__`` and
``node_modules``; a notebook's code cells are read top to bottom, each with the imports of
the cells above it) it counts the torch API references and the hits, those whose hover
shows a note (definitions: :mod:`torch_notes.features.coverage`), then prints the total,
the share per kind and the most frequent symbols without a note. ``--json`` prints the
same as one JSON object. A file named on the command line is read as Python whatever its
suffix, unless it is a notebook.

Exit status: 0 when every path was read, 2 when a path is missing, is not a regular file
or directory (a FIFO is never opened), or cannot be read (not in its PEP 263 encoding,
UTF-8 by default; over the editor's document limit; no permission; a notebook that is
not valid JSON): the error names the file and the other files are still measured.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from torch_notes.cli.common import add_corpus_arguments, load_for_cli

if TYPE_CHECKING:
    from torch_notes.features.coverage import Tally

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})
"""Directory names never searched (hidden directories are skipped too)."""


SUFFIXES = frozenset({".py", ".ipynb"})
"""What a directory search picks up."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A path that could not be measured, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Options of the ``coverage`` subcommand."""
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="Python files or directories"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_corpus_arguments(parser)
    parser.add_argument(
        "--top",
        type=int,
        default=20,
        metavar="N",
        help="how many symbols without a note to list (default: 20)",
    )


def iter_documents(paths: list[Path]) -> Iterator[Path | Problem]:
    """The files to measure, in order: named files as given, directories walked and sorted."""
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
                for name in sorted(files):
                    found = Path(folder) / name
                    if found.suffix in SUFFIXES and found.is_file():
                        yield found
        elif path.is_file():
            yield path
        elif path.exists():
            yield Problem(path, "not a regular file or directory")
        else:
            yield Problem(path, "no such file or directory")


def run(args: argparse.Namespace) -> int:
    """Measure every document; see the module docstring for the exit status."""
    from torch_notes.cli.documents import UnreadableFile, read_units
    from torch_notes.cli.main import CliError
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.features.coverage import ApiVocabulary, Tally, references

    if args.top < 0:
        raise CliError(f"--top must be 0 or more, got {args.top}")
    corpus = load_for_cli(args)
    index = CorpusIndex.build(corpus)
    api = ApiVocabulary.shipped()
    measured: list[tuple[Path, Tally]] = []
    problems: list[Problem] = []
    for item in iter_documents(args.paths):
        if not isinstance(item, Problem):
            try:
                units = read_units(item)
            except UnreadableFile as err:
                item = Problem(item, str(err))
        if isinstance(item, Problem):
            problems.append(item)
            print(f"torch-notes coverage: error: {item}", file=sys.stderr)
            continue
        found = [ref for unit in units for ref in references(unit.analysis, index, api)]
        measured.append((item, Tally.of(found)))
    total = sum((tally for _, tally in measured), Tally())
    if args.json:
        report = _as_json(measured, total, problems, args.top, len(corpus.notes))
        print(json.dumps(report, indent=1))
    else:
        _print_text(measured, total, args.top)
    return 2 if problems else 0


def _as_json(
    measured: list[tuple[Path, Tally]], total: Tally, problems: list[Problem], top: int, notes: int
) -> dict[str, object]:
    return {
        "notes": notes,
        "total": total.as_dict(top),
        "files": [{"path": str(path), **tally.as_dict(top)} for path, tally in measured],
        "errors": [{"path": str(p.path), "error": p.reason} for p in problems],
    }


def _print_text(measured: list[tuple[Path, Tally]], total: Tally, top: int) -> None:
    from torch_notes.features.coverage import percent

    width = max((len(str(path)) for path, _ in measured), default=0)
    for path, tally in measured:
        print(f"{path!s:<{width}}  {percent(tally.share):>8}  {tally.hits}/{tally.references}")
    files = "file" if len(measured) == 1 else "files"
    print(
        f"total: {percent(total.share)} of {total.references} torch references have a note "
        f"({total.hits} hits, {len(measured)} {files})"
    )
    for kind, (refs, hits) in total.by_kind.items():
        print(f"  {kind}: {percent(hits / refs if refs else None)} ({hits}/{refs})")
    missed = total.top_missed(top)
    if missed:
        print(f"most frequent without a note (top {len(missed)}):")
        for symbol, count in missed:
            print(f"  {count:>5}  {symbol}")
