"""A Jupyter notebook as a document kind: its Python cells, analysed top to bottom.

Each code cell is its own :class:`~torch_notes.analysis.document.SourceDocument`, so a
position in a cell needs no mapping and a syntax error in one cell never spills into the
next. What a cell binds at module level (imports, variables evidently holding torch
objects) flows into the cells below it, as when the notebook runs top to bottom: cell 3
resolves ``F.relu`` through ``import torch.nn.functional as F`` in cell 1.

IPython syntax is not Python; :func:`python_source` turns it into inert Python of the
same line count before parsing, so it never breaks the rest of the cell and never yields
a finding: line magics (``%matplotlib inline``), shell lines (``!pip install``), help
(``x?``, ``?x``), ``name = !cmd`` / ``name = %magic`` assignments, and cell magics
(``%%time`` keeps its Python body; ``%%bash``, ``%%html``… make the whole cell inert).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from torch_notes.analysis.analysis import Analysis, Bindings
from torch_notes.analysis.document import SourceDocument

PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "memit", "mprun", "pypy", "python", "python3"}
)
"""Cell magics whose body is Python code (analysed); every other cell magic makes it inert."""

_ASSIGNED_MAGIC = re.compile(r"^(\s*[A-Za-z_][\w.\[\], ]*=\s*)([!%].*)$")
_HELP = re.compile(r"^\s*(\?{1,2}[\w.*]+|[\w.*]+(\(\))?\?{1,2})\s*$")
"""``?x``, ``??x``, ``x?``, ``x.y??``, ``np.*load*?``: IPython's help, on a line of its own."""


def _inert(line: str) -> str:
    """``line`` as a no-op statement with the same indentation (its text as a comment)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    return f"{indent}...  # {stripped}"


def python_source(cell: str) -> str:
    """The cell's text with IPython syntax made inert; lines keep their numbers."""
    lines = cell.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        name = first[2:].split(maxsplit=1)[0] if len(first) > 2 else ""
        if name not in PYTHON_CELL_MAGICS:
            return "\n".join(f"# {line}" if line.strip() else line for line in lines)
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(_inert(line))
        elif (match := _ASSIGNED_MAGIC.match(line)) is not None and not stripped.startswith("#"):
            out.append(f"{match.group(1)}...  # {match.group(2)}")
        elif _HELP.match(line):
            out.append(_inert(line))
        else:
            out.append(line)
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class Cell:
    """One code cell as the client has it."""

    key: str
    """The cell document's key (its decoded URI)."""
    text: str
    version: int | None


class NotebookAnalyser:
    """Analyses of a notebook's cells, each with what the cells above it bound.

    Cached per cell: a cell is parsed again only when its text changes, and analysed
    again only when its text or the bindings flowing into it change.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._parsed: dict[str, tuple[str, SourceDocument]] = {}
        self._analysed: dict[str, tuple[SourceDocument, Bindings, Analysis]] = {}

    def _document(self, cell: Cell) -> SourceDocument:
        cached = self._parsed.get(cell.key)
        if cached is not None and cached[0] == cell.text:
            doc = cached[1]
            if doc.version != cell.version:  # same text, newer version: keep the tree
                doc = SourceDocument(doc.text, doc.tree, doc.source, doc.encoding, cell.version)
                self._parsed[cell.key] = (cell.text, doc)
            return doc
        doc = SourceDocument.parse(
            python_source(cell.text), encoding=self.encoding, version=cell.version
        )
        self._parsed[cell.key] = (cell.text, doc)
        return doc

    def analyse(self, cells: Sequence[Cell], upto: str | None = None) -> dict[str, Analysis]:
        """The analysis of every cell (or of the cells down to ``upto``), top to bottom."""
        outer = Bindings()
        found: dict[str, Analysis] = {}
        for cell in cells:
            doc = self._document(cell)
            cached = self._analysed.get(cell.key)
            if cached is not None and cached[0] is doc and cached[1] == outer:
                analysis = cached[2]
            else:
                analysis = Analysis.of(doc, outer=outer)
                self._analysed[cell.key] = (doc, outer, analysis)
            found[cell.key] = analysis
            if cell.key == upto:
                break
            outer = analysis.exports
        return found

    def forget(self, keep: Sequence[str]) -> None:
        """Drop the caches of cells not in ``keep`` (deleted cells, a closed notebook)."""
        wanted = set(keep)
        for cache in (self._parsed, self._analysed):
            for key in [key for key in cache if key not in wanted]:
                del cache[key]


class NotebookFormatError(ValueError):
    """A ``.ipynb`` file that is not a notebook we can read."""


def notebook_cells(text: str) -> list[tuple[int, str]]:
    """``(cell number, source)`` of every code cell of an ``.ipynb`` file's text.

    Cell numbers count every cell from 1 (markdown and raw cells too), as a reader sees
    the notebook. Raises :class:`NotebookFormatError` for text that is not a notebook.
    """
    import json

    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise NotebookFormatError(f"not valid JSON ({err})") from err
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise NotebookFormatError("not a Jupyter notebook (no 'cells' list)")
    language = _language(data)
    if language not in ("python", None):
        raise NotebookFormatError(f"a {language} notebook, not Python")
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookFormatError(f"cell {number}: 'source' is not text")
        found.append((number, source))
    return found


def _language(data: dict) -> str | None:
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        block = metadata.get(key)
        if isinstance(block, dict) and isinstance(block.get(field), str):
            return block[field].lower()
    return None
