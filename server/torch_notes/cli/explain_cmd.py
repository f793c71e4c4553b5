"""``torch-notes explain FILE...``: every place in Python files and notebooks where a note applies.

Prints ``path:line:col: note-id: summary`` (``nb.ipynb:cell N:line:col`` in a notebook).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from torch_notes.cli.common import add_corpus_arguments, add_language_argument, load_for_cli


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Options of the ``explain`` subcommand."""
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="Python files or notebooks"
    )
    add_language_argument(parser, "the summaries")
    add_corpus_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Print ``path:line:col: note-id: summary`` lines; 1 if a file cannot be read."""
    from torch_notes.cli.documents import UnreadableFile, read_units
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.features.explain import explain

    corpus = load_for_cli(args)
    index = CorpusIndex.build(corpus)
    status = 0
    for path in args.files:
        try:
            units = read_units(path)
        except UnreadableFile as err:
            print(f"torch-notes explain: error: {path}: {err}", file=sys.stderr)
            status = 1
            continue
        for unit in units:
            for finding in explain(unit.analysis, index):
                summary = " ".join(finding.note.summary.get(args.lang).split())
                print(f"{unit.label}:{finding.line}:{finding.column}: {finding.note.id}: {summary}")
    return status
