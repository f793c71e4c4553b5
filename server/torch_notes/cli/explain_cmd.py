"""``torch-notes explain FILE...``: every place in Python files where a note applies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from torch_notes.cli.common import add_corpus_arguments, add_language_argument, load_for_cli


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Options of the ``explain`` subcommand."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Python files to read")
    add_language_argument(parser, "the summaries")
    add_corpus_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Print ``path:line:col: note-id: summary`` lines; 1 if a file cannot be read."""
    from torch_notes.analysis.analysis import Analysis
    from torch_notes.analysis.document import SourceDocument
    from torch_notes.analysis.positions import UTF32
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.features.explain import explain

    corpus = load_for_cli(args)
    index = CorpusIndex.build(corpus)
    status = 0
    for path in args.files:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            print(f"torch-notes explain: error: {path}: {err}", file=sys.stderr)
            status = 1
            continue
        analysis = Analysis.of(SourceDocument.parse(source, encoding=UTF32))
        for finding in explain(analysis, index):
            summary = " ".join(finding.note.summary.get(args.lang).split())
            print(f"{path}:{finding.line}:{finding.column}: {finding.note.id}: {summary}")
    return status
