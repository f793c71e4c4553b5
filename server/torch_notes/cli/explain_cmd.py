"""``torch-notes explain FILE...``: every place in Python files where a note applies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Options of the ``explain`` subcommand."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Python files to read")
    parser.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the summaries"
    )
    parser.add_argument(
        "--notes",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="extra note file or directory (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    """Print ``path:line:col: note-id: summary`` lines; 1 if a file cannot be read."""
    from torch_notes.analysis.analysis import Analysis
    from torch_notes.analysis.document import SourceDocument
    from torch_notes.analysis.positions import UTF32
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.features.explain import explain

    corpus = load_corpus(args.notes)
    for error in corpus.errors:
        if any(str(error.path).startswith(str(path)) for path in args.notes):
            print(f"torch-notes explain: warning: {error}", file=sys.stderr)
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
