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
    """The text of ``path``; :class:`UnreadableFile` when it cannot or may not be read.

    Only a regular file is read, never blocking (a FIFO, ``/dev/zero`` or a ``/proc``
    file cannot stall the command: :func:`torch_notes.files.read_regular_file`). A
    Python file is decoded as its PEP 263 coding declaration says (UTF-8 by default)
    and is refused over the editor's document limit
    (:data:`~torch_notes.lsp.state.MAX_DOCUMENT_CHARS` characters; at four bytes each at
    most, larger files are refused before a byte is read). A notebook is UTF-8 JSON of
    at most what an editor may send the server in one message.
    """
    from torch_notes.files import FileRefused, decode_python_source, read_regular_file
    from torch_notes.lsp.state import MAX_DOCUMENT_CHARS
    from torch_notes.lsp.transport import DEFAULT_MAX_MESSAGE_BYTES

    notebook = path.suffix == NOTEBOOK_SUFFIX
    limit = DEFAULT_MAX_MESSAGE_BYTES if notebook else 4 * MAX_DOCUMENT_CHARS
    try:
        raw = read_regular_file(path, max_bytes=limit)
        if not notebook:
            text = decode_python_source(raw)
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise FileRefused(f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    except FileRefused as err:
        raise UnreadableFile(err.reason) from err
    if not notebook and len(text) > MAX_DOCUMENT_CHARS:
        raise UnreadableFile(
            f"file has {len(text)} characters; the limit is {MAX_DOCUMENT_CHARS} "
            "(documents over it are not analysed in the editor either)"
        )
    return text


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
