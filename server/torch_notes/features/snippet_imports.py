"""Snippet imports go where imports go: into the file's import block, once.

A snippet whose body starts with import lines (``import torch``, ``from torch.utils.data
import DataLoader, Dataset``) is inserted as two edits: the body at the cursor, and the
imports the file does not have yet at the end of its leading import block (after the
module docstring and ``from __future__`` imports). Names the file (or, in a notebook,
a cell above) already binds to the same thing are left out; a ``from`` line keeps only
its missing names. When the import block is not above the cursor (a snippet typed at
the very top of a file), the body keeps its imports.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from lsprotocol import types

from torch_notes.analysis.document import SourceDocument


@dataclass(frozen=True, slots=True)
class SplitBody:
    """A snippet body without its leading import lines, and those lines."""

    imports: tuple[str, ...]
    body: str


def split_imports(body: str) -> SplitBody:
    """The leading top-level import lines of ``body`` (blank lines between them allowed)."""
    lines = body.split("\n")
    imports: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if line != line.lstrip() or "$" in line or _parse_import(line) is None:
            break
        imports.append(line.rstrip())
        index += 1
    if not imports:
        return SplitBody((), body)
    return SplitBody(tuple(imports), "\n".join(lines[index:]))


def _parse_import(line: str) -> ast.Import | ast.ImportFrom | None:
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Import | ast.ImportFrom):
        return None
    return tree.body[0]


def missing_imports(lines: tuple[str, ...], bound: Mapping[str, str]) -> tuple[str, ...]:
    """The import lines (or the parts of them) whose names ``bound`` does not hold yet.

    ``bound`` maps a name to what it was imported as (``{"np": "numpy"}``).
    """
    missing: list[str] = []
    for line in lines:
        statement = _parse_import(line)
        assert statement is not None
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                name = alias.asname or alias.name.partition(".")[0]
                target = alias.name if alias.asname else name
                if bound.get(name) != target:
                    as_part = f" as {alias.asname}" if alias.asname else ""
                    missing.append(f"import {alias.name}{as_part}")
            continue
        if statement.level:
            missing.append(line)
            continue
        absent = [
            alias
            for alias in statement.names
            if bound.get(alias.asname or alias.name) != f"{statement.module}.{alias.name}"
        ]
        if absent:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in absent)
            missing.append(f"from {statement.module} import {names}")
    return tuple(dict.fromkeys(missing))


def import_block_row(doc: SourceDocument) -> int:
    """The row where new imports go: after the docstring, ``__future__`` and the imports
    at the top of the module (comments between them belong to the block)."""
    row = 0
    seen_code = False
    for child in doc.tree.root_node.named_children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and not seen_code:
            first = child.named_children[0] if child.named_children else None
            if first is not None and first.type == "string":
                row = child.end_point.row + 1
                seen_code = True
                continue
        if child.type in ("import_statement", "import_from_statement", "future_import_statement"):
            row = child.end_point.row + 1
            seen_code = True
            continue
        break
    return row


def import_edit(
    doc: SourceDocument, bound: Mapping[str, str], lines: tuple[str, ...], cursor_row: int
) -> types.TextEdit | None:
    """The edit adding the missing ``lines`` to the import block above ``cursor_row``.

    ``None`` when nothing is missing. Raises :class:`ValueError` when the import block is
    not above the cursor (the caller then keeps the imports in the body).
    """
    missing = missing_imports(lines, bound)
    if not missing:
        return None
    row = import_block_row(doc)
    if row >= cursor_row:
        raise ValueError("the import block is not above the cursor")
    position = types.Position(row, 0)
    return types.TextEdit(range=types.Range(position, position), new_text="\n".join(missing) + "\n")
