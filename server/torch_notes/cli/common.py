"""Arguments and helpers shared by the subcommands: note paths, the language, loading."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Corpus
from torch_notes.i18n import LANGUAGES


def add_corpus_arguments(parser: argparse.ArgumentParser) -> None:
    """``--notes PATH`` (repeatable): the user's own note directories or files."""
    parser.add_argument(
        "--notes",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="extra note file or directory (repeatable), loaded after the built-in notes",
    )


def add_language_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """``--lang``, with the languages of the catalogue."""
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=LANGUAGES[0], help=f"language of {what} (default: en)"
    )


def load_for_cli(args: argparse.Namespace) -> Corpus:
    """Load the corpus; problems in notes are printed to stderr, the good notes still used."""
    corpus = load_corpus(args.notes)
    for error in corpus.errors:
        print(f"torch-notes {args.command}: warning: {error}", file=sys.stderr)
    return corpus
