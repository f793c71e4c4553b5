"""``torch-notes export``: every note as JSON, or every snippet as a VS Code snippets file."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from torch_notes.corpus.model import Corpus, Note


def add_parser(parser: argparse.ArgumentParser) -> None:
    from torch_notes.cli.common import add_corpus_arguments, add_language_argument

    parser.add_argument("--format", choices=("json", "vscode"), default="json")
    add_language_argument(parser, "snippet descriptions (vscode)")
    add_corpus_arguments(parser)


def note_to_json(note: Note) -> dict[str, object]:
    """Every field of a note, both languages, as JSON-ready data."""
    data = asdict(note)
    data["location"] = f"{note.location.path}:{note.location.line}"
    data["content_hash"] = note.fingerprint()
    return data


def corpus_to_json(corpus: Corpus) -> dict[str, object]:
    """The whole corpus as JSON-ready data."""
    from torch_notes import __version__

    return {"version": __version__, "notes": [note_to_json(note) for note in corpus.notes]}


def corpus_to_vscode(corpus: Corpus, lang: str) -> dict[str, object]:
    """A ``.code-snippets`` document (also read by LuaSnip and friends) of every snippet."""
    snippets: dict[str, object] = {}
    for note in corpus.snippets():
        snippet = note.snippet
        assert snippet is not None
        snippets[note.title.get(lang)] = {
            "scope": "python",
            "prefix": snippet.prefix,
            "body": snippet.body.rstrip("\n").split("\n"),
            "description": snippet.description.get(lang),
        }
    return snippets


def run(args: argparse.Namespace) -> int:
    from torch_notes.cli.common import load_for_cli

    corpus = load_for_cli(args)
    data = corpus_to_json(corpus) if args.format == "json" else corpus_to_vscode(corpus, args.lang)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 1 if corpus.errors else 0
