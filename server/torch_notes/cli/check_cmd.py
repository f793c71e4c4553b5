"""``torch-notes check FILE...``: the note-driven diagnostics, printed like a linter.

Python files and Jupyter notebooks (``.ipynb``: every code cell, with the imports of the
cells above it). Prints ``path:line:col: rule: message`` (``nb.ipynb:cell N:line:col`` in a
notebook) (1-based line and column, columns in characters)
in the language of ``--lang`` (English by default; rule codes are never translated) and
exits 1 when there is any diagnostic, 2 when a file cannot be read, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from torch_notes.cli.common import add_corpus_arguments, add_language_argument, load_for_cli


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Options of the ``check`` subcommand."""
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="Python files or notebooks"
    )
    add_corpus_arguments(parser)
    parser.add_argument(
        "--severity",
        action="append",
        default=[],
        metavar="RULE=LEVEL",
        help="override a rule's severity (error, warning, information, hint, off); repeatable",
    )
    parser.add_argument(
        "--fix-titles", action="store_true", help="also print the quick fixes of each diagnostic"
    )
    add_language_argument(parser, "the messages and fix titles")


def _overrides(pairs: list[str]) -> dict[str, str]:
    from torch_notes.cli.main import CliError

    overrides = {}
    for pair in pairs:
        rule, sep, level = pair.partition("=")
        if not sep:
            raise CliError(f"--severity expects RULE=LEVEL, got {pair!r}")
        overrides[rule.strip()] = level.strip()
    return overrides


def run(args: argparse.Namespace) -> int:
    """Check every file; see the module docstring for the exit status."""
    from torch_notes.cli.documents import UnreadableFile, read_units
    from torch_notes.cli.main import CliError
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.diagnostics.registry import RULE_CODES, check_document
    from torch_notes.diagnostics.rule_settings import apply_settings, parse_settings

    settings, problems = parse_settings(True, _overrides(args.severity), RULE_CODES)
    if problems:
        raise CliError("; ".join(problems))
    corpus = load_for_cli(args)
    index = CorpusIndex.build(corpus)
    found = unreadable = 0
    for path in args.files:
        try:
            units = read_units(path)
        except UnreadableFile as err:
            print(f"torch-notes check: error: {path}: {err}", file=sys.stderr)
            unreadable += 1
            continue
        for unit in units:
            doc = unit.analysis.doc
            findings = check_document(doc, index, imports=unit.analysis.imports)
            for diagnostic in apply_settings(findings, settings):
                row, _ = diagnostic.span.start
                column = doc.char_index(diagnostic.span.start) + 1
                message = diagnostic.message_in(args.lang)
                print(f"{unit.label}:{row + 1}:{column}: {diagnostic.rule}: {message}")
                if args.fix_titles:
                    for fix in diagnostic.fixes:
                        print(f"    fix: {fix.title_in(args.lang)}")
                found += 1
    if unreadable:
        return 2
    return 1 if found else 0
