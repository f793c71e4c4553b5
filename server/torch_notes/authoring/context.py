"""Where the cursor is in a note file, read from the lines around it.

The text being typed is often not valid YAML, so this reads indentation and keys line
by line rather than the node tree: a key's *parent* is the nearest key above it that is
less indented; its *siblings* are the keys at its column within the same list item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

KEY_LINE = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s|$)(.*)$")
_TYPING_KEY = re.compile(r"^(\s*)(-\s+)?([A-Za-z_]*)$")
_BLOCK_ITEM = re.compile(r"^(\s*)-\s+")
_WORD = re.compile(r"[A-Za-z0-9_.]")
LIST_FIELDS = ("symbols", "related", "requires")
"""Note fields whose values are lists of words this module locates."""


@dataclass(frozen=True, slots=True)
class KeyLine:
    """A ``key:`` line: where its key starts, whether it opens a list item."""

    column: int
    key: str
    dash: bool
    rest: str


def key_line(line: str) -> KeyLine | None:
    """The key written on ``line``, if any (comments and list items of words are not keys)."""
    match = KEY_LINE.match(line)
    if match is None:
        return None
    return KeyLine(match.start(3), match.group(3), match.group(2) is not None, match.group(4))


def _skip(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


@dataclass(frozen=True, slots=True)
class Parent:
    """The key a position belongs to, and the keys beside it in the same mapping."""

    key: str | None
    """``None`` at the file's top level."""
    row: int
    siblings: frozenset[str]


def parent_at(lines: Sequence[str], row: int, column: int, *, item_start: bool = False) -> Parent:
    """The parent key of a key at ``column`` on ``row`` (``item_start``: the row opens a
    list item, so no key above is a sibling)."""
    siblings: set[str] = set()
    collecting = not item_start
    for above in range(row - 1, -1, -1):
        line = lines[above]
        if _skip(line):
            continue
        found = key_line(line)
        indent = len(line) - len(line.lstrip())
        if found is None:
            if indent < column and not _BLOCK_ITEM.match(line):
                return Parent(None, above, frozenset(siblings))
            continue
        if found.column > column:
            continue
        if found.column == column:
            if collecting:
                siblings.add(found.key)
            if found.dash:
                collecting = False
            continue
        return Parent(found.key, above, frozenset(siblings | _below(lines, row, column)))
    return Parent(None, -1, frozenset(siblings | _below(lines, row, column)))


def _below(lines: Sequence[str], row: int, column: int) -> set[str]:
    found: set[str] = set()
    for below in range(row + 1, len(lines)):
        line = lines[below]
        if _skip(line):
            continue
        key = key_line(line)
        indent = len(line) - len(line.lstrip())
        if key is None:
            if indent < column:
                break
            continue
        if key.column < column or (key.column == column and key.dash):
            break
        if key.column == column:
            found.add(key.key)
    return found


@dataclass(frozen=True, slots=True)
class KeyContext:
    """The cursor is on a key being typed."""

    parent: Parent
    start: int
    """Column where the typed part of the key starts."""
    typed: str
    new_item: bool
    """The line opens a list item (``- i|``): under ``notes``, a new note."""


def key_context(lines: Sequence[str], row: int, column: int) -> KeyContext | None:
    """A key typed at the start of a line, up to ``column``."""
    if not 0 <= row < len(lines):
        return None
    match = _TYPING_KEY.match(lines[row][:column])
    if match is None:
        return None
    start = match.start(3)
    dash = match.group(2) is not None
    return KeyContext(parent_at(lines, row, start, item_start=dash), start, match.group(3), dash)


@dataclass(frozen=True, slots=True)
class ValueContext:
    """The cursor is on a word of a note's ``symbols``, ``related``, ``requires`` or ``id``."""

    field: str
    row: int
    start: int
    end: int
    word: str


def word_at(line: str, column: int, *, forward: bool = True) -> tuple[int, int]:
    """The dotted word around ``column`` (to the cursor only, when not ``forward``)."""
    start = column
    while start > 0 and _WORD.match(line[start - 1]):
        start -= 1
    end = column
    while forward and end < len(line) and _WORD.match(line[end]):
        end += 1
    return start, end


def value_context(
    lines: Sequence[str], row: int, column: int, *, forward: bool = False
) -> ValueContext | None:
    """The list word (or note id) at ``column``: in a flow list (``symbols: [a, b|]``), a
    block list item under the field (``- torch.nn.Li|``) or a plain value (``id: x|``)."""
    if not 0 <= row < len(lines):
        return None
    line = lines[row]
    start, end = word_at(line, column, forward=forward)
    before = line[:start]
    field = None
    found = key_line(line)
    if found is not None and found.column + len(found.key) < start:
        head = before[found.column + len(found.key) :]
        if found.key in LIST_FIELDS and re.fullmatch(r"\s*:\s*(\[\s*|.*,\s*)?", head):
            field = found.key
        elif found.key == "id" and re.fullmatch(r"\s*:\s*", head):
            field = "id"
    else:
        item = _BLOCK_ITEM.match(before)
        if item is not None and item.end() == len(before):
            parent = parent_at(lines, row, item.start(0) + len(item.group(1)) + 1)
            if parent.key in LIST_FIELDS:
                field = parent.key
    if field is None:
        return None
    return ValueContext(field, row, start, end, line[start:end])
