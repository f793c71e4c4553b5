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


def read_python_file(path: Path) -> str:
    """The text of a Python file for ``check``, ``explain`` and ``coverage``.

    Only a regular file is read, never blocking (a FIFO, ``/dev/zero`` or a ``/proc``
    file cannot stall the command) and only up to the editor's document limit
    (:data:`~torch_notes.lsp.state.MAX_DOCUMENT_CHARS` characters, so at most four
    bytes each: larger files are refused before a byte is read). The PEP 263 coding
    declaration is honoured. Raises :class:`~torch_notes.files.FileRefused`.
    """
    from torch_notes.files import FileRefused, decode_python_source, read_regular_file
    from torch_notes.lsp.state import MAX_DOCUMENT_CHARS

    text = decode_python_source(read_regular_file(path, max_bytes=4 * MAX_DOCUMENT_CHARS))
    if len(text) > MAX_DOCUMENT_CHARS:
        raise FileRefused(
            f"file has {len(text)} characters; the limit is {MAX_DOCUMENT_CHARS} "
            "(documents over it are not analysed in the editor either)"
        )
    return text


def load_for_cli(args: argparse.Namespace) -> Corpus:
    """Load the corpus; problems in notes are printed to stderr, the good notes still used."""
    corpus = load_corpus(args.notes)
    for error in corpus.errors:
        print(f"torch-notes {args.command}: warning: {error}", file=sys.stderr)
    return corpus
