"""What the file-reading subcommands (``check``, ``explain``, ``coverage``) read.

A Python file is one unit; a Jupyter notebook (``.ipynb``) is one unit per code cell,
each analysed with what the cells above it bound, and labelled ``file.ipynb:cell N``.
A file that cannot be read raises :class:`UnreadableFile` with the reason, so the
command can report it and go on with the other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.notebook import (
    Cell,
    NotebookAnalyser,
    NotebookFormatError,
    notebook_cells,
)
from torch_notes.analysis.positions import UTF32

NOTEBOOK_SUFFIX = ".ipynb"


class UnreadableFile(Exception):
    """A file a command cannot read; the message says why."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One analysed piece of a file: the whole Python file, or one notebook cell."""

    label: str
    """``train.py`` or ``train.ipynb:cell 3``: what a location is prefixed with."""
    analysis: Analysis


def read_text(path: Path) -> str:
    """The text of ``path`` as UTF-8; :class:`UnreadableFile` when that fails."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    except OSError as err:
        raise UnreadableFile(err.strerror or str(err)) from err


def read_units(path: Path) -> list[Unit]:
    """The units of ``path`` (positions counted in code points)."""
    text = read_text(path)
    if path.suffix != NOTEBOOK_SUFFIX:
        return [Unit(str(path), Analysis.of(SourceDocument.parse(text, encoding=UTF32)))]
    try:
        cells = notebook_cells(text)
    except NotebookFormatError as err:
        raise UnreadableFile(str(err)) from err
    keyed = [Cell(str(number), source, None) for number, source in cells]
    analyses = NotebookAnalyser(UTF32).analyse(keyed)
    return [Unit(f"{path}:cell {cell.key}", analyses[cell.key]) for cell in keyed]
