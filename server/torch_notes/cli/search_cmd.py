"""``torch-notes search WORDS``: rank notes by titles, summaries, bodies and API names."""

from __future__ import annotations

import argparse


def add_parser(parser: argparse.ArgumentParser) -> None:
    from torch_notes.cli.common import add_corpus_arguments, add_language_argument

    parser.add_argument("words", nargs="+", help="words in English or Chinese")
    add_language_argument(parser, "the listing")
    parser.add_argument("--limit", type=int, default=10, help="at most this many results")
    add_corpus_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from torch_notes.cli.common import load_for_cli
    from torch_notes.cli.main import CliError
    from torch_notes.corpus.search import search

    corpus = load_for_cli(args)
    query = " ".join(args.words)
    hits = search(corpus.notes, query, limit=args.limit)
    if not hits:
        raise CliError(f"no note matches {query!r}")
    width = max(len(hit.note.id) for hit in hits)
    for hit in hits:
        note = hit.note
        print(f"{note.id:<{width}}  {note.title.get(args.lang)}")
        print(f"{'':<{width}}  {note.summary.get(args.lang)}")
    return 0
