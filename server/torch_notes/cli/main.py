"""Entry point of the ``torch-notes`` command: dispatches to one module per subcommand.

Each subcommand module exposes ``add_parser(subparsers)`` and ``run(args) -> int``.
Modules are imported only when their subcommand runs, so ``torch-notes lsp``
never pays for (or imports) what ``torch-notes validate`` needs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from torch_notes import __version__

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, one-line help)
    "lsp": ("torch_notes.cli.lsp_cmd", "start the language server (stdio by default)"),
    "show": ("torch_notes.cli.show_cmd", "render a note by id or API name"),
    "search": ("torch_notes.cli.search_cmd", "rank notes matching words (English or Chinese)"),
    "export": ("torch_notes.cli.export_cmd", "write every note as JSON or a VS Code snippets file"),
    "validate": ("torch_notes.cli.validate_cmd", "execute every example and snippet under torch"),
    "new": ("torch_notes.cli.new_cmd", "start a note of your own on an API symbol"),
    "check": ("torch_notes.cli.check_cmd", "lint Python files with the notes' diagnostics"),
    "explain": (
        "torch_notes.cli.explain_cmd",
        "list every place in Python files where a note applies",
    ),
    "coverage": (
        "torch_notes.cli.coverage_cmd",
        "share of torch references in Python files whose hover shows a note",
    ),
}


class CliError(Exception):
    """A user-facing error: printed to stderr, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="torch-notes",
        description="Validated PyTorch notes for your editor: hover docs, completions, snippets.",
    )
    parser.add_argument("--version", action="version", version=f"torch-notes {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name != module_name:
                raise
            continue
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_parser(sub_parser)
        sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except CliError as err:
        print(f"torch-notes {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
