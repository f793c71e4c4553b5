"""``torch-notes show QUERY``: render a note in the terminal."""

from __future__ import annotations

import argparse
import sys

from torch_notes.cli.common import add_corpus_arguments, add_language_argument, load_for_cli


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", help="note id (tensor.contiguous), API name or part of one, or words"
    )
    add_language_argument(parser, "the note")
    parser.add_argument(
        "--all", action="store_true", help="show every matching note, not only the first"
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument(
        "--card",
        action="store_true",
        help="print the hover card as the editor receives it (Markdown) and its length",
    )
    add_corpus_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from torch_notes.cli.main import CliError
    from torch_notes.cli.terminal import Style, render_note
    from torch_notes.corpus.lookup import find_notes
    from torch_notes.corpus.paths import verified_record_path
    from torch_notes.corpus.verified import load_record

    corpus = load_for_cli(args)
    notes = find_notes(corpus, args.query)
    if not notes:
        raise CliError(f"no note matches {args.query!r}; try 'torch-notes search WORDS'")
    record = load_record(verified_record_path())
    if args.card:
        return _print_cards(corpus, notes if args.all else notes[:1], args.lang, record)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    style = Style(color)
    shown = notes if args.all else notes[:1]
    pages = [
        render_note(note, args.lang, style, record.status_text(note) if record else None)
        for note in shown
    ]
    sys.stdout.write(("\n" + style.dim("─" * 60) + "\n\n").join(pages))
    if len(notes) > 1 and not args.all:
        others = ", ".join(note.id for note in notes[1:6])
        print(style.dim(f"\nAlso matching: {others} (use --all)"), file=sys.stderr)
    return 0


def _print_cards(corpus, notes, lang: str, record) -> int:
    """Each note's hover card (Markdown), followed by its length in characters."""
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.verified import verified_versions
    from torch_notes.features.markdown import card_markdown

    index = CorpusIndex.build(corpus)
    verified = verified_versions(corpus, record)
    for note in notes:
        card = card_markdown(note, lang, index, verified)
        print(card)
        print(f"\n[{note.id}: card of {len(card)} characters ({lang})]\n")
    return 0
