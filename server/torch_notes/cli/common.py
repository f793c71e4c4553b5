"""Helpers shared by the subcommands: loading the corpus with user paths, and error reporting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Corpus


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """``--notes DIR`` (repeatable) to add the user's own note directories or files."""
    parser.add_argument(
        "--notes",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="extra note file or directory (repeatable), loaded after the built-in notes",
    )


def load_for_cli(args: argparse.Namespace) -> Corpus:
    """Load the corpus; problems in notes are printed to stderr, the good notes still used."""
    corpus = load_corpus(args.notes)
    for error in corpus.errors:
        print(f"torch-notes: {error}", file=sys.stderr)
    return corpus
