"""``torch-notes new SYMBOL [--dir DIR]``: start a note on an API symbol.

The command-line twin of the editor's "Write a note" action, for any editor: the note goes
to the topic file of the symbol's module in DIR (created if missing, appended to
otherwise), and ``FILE:LINE:COLUMN`` of its first field to fill is printed, e.g. for
``vim "+call cursor(LINE, COLUMN)" FILE`` or ``code -g FILE:LINE:COLUMN``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("symbol", help="full API name, e.g. torch.nn.Linear or torch.Tensor.view")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the folder of your notes (default: the current directory)",
    )


def run(args: argparse.Namespace) -> int:
    from torch_notes.authoring.api import MISSING, check_symbol
    from torch_notes.authoring.scaffold import plan_new_note
    from torch_notes.cli.main import CliError
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.corpus.note_parser import SYMBOL
    from torch_notes.diagnostics.inventory import load_inventory

    symbol = args.symbol
    if not SYMBOL.match(symbol):
        raise CliError(f"{symbol!r} is not a full API name such as 'torch.nn.Linear'")
    inventory = load_inventory()
    check = check_symbol(symbol, inventory)
    if check.status == MISSING:
        hint = f"; did you mean {check.suggestion}?" if check.suggestion else ""
        raise CliError(
            f"torch {inventory.torch_version} has no {check.name!r} in {check.parent}{hint}"
        )
    folder = args.dir.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{args.dir} is not a folder")
    index = CorpusIndex.build(load_corpus([folder] if folder.is_dir() else []))
    for note in index.notes_for(symbol):
        print(
            f"note: {symbol} is already explained by '{note.id}' ({note.location})", file=sys.stderr
        )

    def read(path: Path) -> str | None:
        if not path.exists():
            return None
        try:
            return path.read_text(encoding="utf-8") if path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            return ""

    plan = plan_new_note(symbol, folder, read, set(index.by_id))
    folder.mkdir(parents=True, exist_ok=True)
    if plan.created:
        with plan.path.open("x", encoding="utf-8") as file:
            file.write(plan.text)
    else:
        with plan.path.open("a", encoding="utf-8") as file:
            file.write(("\n" if plan.prefix_newline else "") + plan.text)
    row, column = plan.cursor
    print(f"{plan.path}:{row + 1}:{column + 1}: note '{plan.note_id}' on {symbol}: write its texts")
    return 0
