"""``torch-notes coverage PATH...``: how much of the torch API in some code the notes explain.

For each Python file (directories are searched recursively for ``*.py``, skipping hidden
directories, ``__pycache__`` and ``node_modules``) it counts the torch API references and
the hits, those whose hover shows a note (definitions: :mod:`torch_notes.features.coverage`),
then prints the total, the share per kind and the most frequent symbols without a note.
``--json`` prints the same as one JSON object. A file named on the command line is read as
Python whatever its suffix.

Exit status: 0 when every path was read, 2 when a path is missing, is not a regular file
or directory (a FIFO is never opened), or cannot be read (not UTF-8, no permission): the
error names the file and the other files are still measured.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch_notes.features.coverage import Tally

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})
"""Directory names never searched (hidden directories are skipped too)."""


def _read_python(path: Path) -> str:
    return path.read_text(encoding="utf-8")


READERS: dict[str, Callable[[Path], str]] = {".py": _read_python}
"""Suffix → reader giving the Python source of a document (notebooks can join here)."""


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
    parser.add_argument(
        "--notes",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="extra note file or directory (repeatable)",
    )
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
                    if found.suffix in READERS and found.is_file():
                        yield found
        elif path.is_file():
            yield path
        elif path.exists():
            yield Problem(path, "not a regular file or directory")
        else:
            yield Problem(path, "no such file or directory")


def read_document(path: Path) -> str | Problem:
    """The source of ``path`` (Python unless a reader for its suffix says otherwise)."""
    reader = READERS.get(path.suffix, _read_python)
    try:
        return reader(path)
    except UnicodeDecodeError as err:
        return Problem(path, f"not UTF-8 text ({err.reason} at byte {err.start})")
    except OSError as err:
        return Problem(path, err.strerror or str(err))


def run(args: argparse.Namespace) -> int:
    """Measure every document; see the module docstring for the exit status."""
    from torch_notes.cli.main import CliError
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.features.coverage import ApiVocabulary, Tally, source_references

    if args.top < 0:
        raise CliError(f"--top must be 0 or more, got {args.top}")
    corpus = load_corpus(args.notes)
    for error in corpus.errors:
        if any(str(error.path).startswith(str(path)) for path in args.notes):
            print(f"torch-notes coverage: warning: {error}", file=sys.stderr)
    index = CorpusIndex.build(corpus)
    api = ApiVocabulary.shipped()
    measured: list[tuple[Path, Tally]] = []
    problems: list[Problem] = []
    for item in iter_documents(args.paths):
        source = item if isinstance(item, Problem) else read_document(item)
        if isinstance(source, Problem):
            problems.append(source)
            print(f"torch-notes coverage: error: {source}", file=sys.stderr)
            continue
        assert isinstance(item, Path)
        measured.append((item, Tally.of(source_references(source, index, api))))
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
