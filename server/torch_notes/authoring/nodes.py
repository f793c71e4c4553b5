"""Finding one's way in a note file's YAML node tree: fields, notes, spans of text.

Node marks count rows from 0 and columns in code points, as :class:`~findings.Span` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from torch_notes.authoring.findings import Span

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")
_LIST_ITEM = re.compile(r"^(\s*)(?:-\s+)?")


def field(node: Node | None, name: str) -> tuple[ScalarNode, Node] | None:
    """The key and value nodes of ``name`` in a mapping node (the first, if given twice)."""
    if not isinstance(node, MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == name:
            return key, value
    return None


def note_items(tree: Node | None) -> list[Node]:
    """The items of the file's ``notes`` list (any node type), in order."""
    found = field(tree, "notes")
    if found is None or not isinstance(found[1], SequenceNode):
        return []
    return list(found[1].value)


def note_containing(tree: Node | None, row: int) -> Node | None:
    """The note item whose text covers ``row``."""
    for item in note_items(tree):
        if item.start_mark.line <= row and (
            row < item.end_mark.line or (row == item.end_mark.line and item.end_mark.column > 0)
        ):
            return item
    return None


def resolve(holder: Node | None, path: str) -> tuple[Node | None, Node] | None:
    """The (key, value) nodes of a field path such as ``summary.en`` or ``symbols[1]``
    below ``holder``; the key is ``None`` for a list item."""
    current: Node | None = holder
    key: Node | None = None
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if match is None:
            return None
        found = field(current, match.group(1))
        if found is None:
            return None
        key, current = found
        if match.group(2) is not None:
            index = int(match.group(2))
            if not isinstance(current, SequenceNode) or index >= len(current.value):
                return None
            key, current = None, current.value[index]
    return (key, current) if current is not None else None


def scalar_items(node: Node | None) -> Iterator[ScalarNode]:
    """The scalar items of a list node (nothing for anything else)."""
    if isinstance(node, SequenceNode):
        yield from (item for item in node.value if isinstance(item, ScalarNode))


def is_block_scalar(node: Node) -> bool:
    """``|`` or ``>`` text."""
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def line_span(lines: Sequence[str], row: int) -> Span:
    """The text of ``row`` without indentation, a list item's ``- `` and trailing blanks."""
    if not lines:
        return Span.on_line(0, 0, 0)
    row = max(0, min(row, len(lines) - 1))
    line = lines[row]
    start = _LIST_ITEM.match(line).end()  # type: ignore[union-attr]
    end = len(line.rstrip())
    return Span.on_line(row, min(start, end), end)


def node_span(node: Node, lines: Sequence[str]) -> Span:
    """Where ``node`` stands, cut to its first row (a block's text is a field's whole body)."""
    row = node.start_mark.line
    if is_block_scalar(node) or node.end_mark.line != row:
        return Span.on_line(row, node.start_mark.column, line_span(lines, row).end_column)
    return Span.on_line(row, node.start_mark.column, node.end_mark.column)


def key_value_span(key: Node, value: Node, lines: Sequence[str]) -> Span:
    """From the key to the end of its value on the key's row."""
    row = key.start_mark.line
    if value.start_mark.line == row and not is_block_scalar(value) and value.end_mark.line == row:
        return Span.on_line(row, key.start_mark.column, value.end_mark.column)
    return Span.on_line(row, key.start_mark.column, line_span(lines, row).end_column)


def locate(tree: Node | None, lines: Sequence[str], line: int, field_path: str | None) -> Span:
    """The text a loader error at 1-based ``line`` about ``field_path`` points at.

    The field (its key and value, or a list item) when it is found in the note covering
    that line, unless the line lies inside the field's block text (a line of an example):
    then, as when the field is not there (it is missing), the line's text.
    """
    row = max(line - 1, 0)
    if tree is not None and field_path:
        holder = note_containing(tree, row)
        found = resolve(holder, field_path) if holder is not None else None
        if found is None:
            found = resolve(tree, field_path)
        if found is not None:
            key, value = found
            inside = is_block_scalar(value) and value.start_mark.line < row < value.end_mark.line
            name = _SEGMENT.match(field_path.rpartition(".")[2])
            again = (  # a key given twice: the error is at the second one, resolve finds the first
                key is not None
                and key.start_mark.line != row
                and name is not None
                and re.match(
                    rf"^\s*(-\s+)?{re.escape(name.group(1))}\s*:",
                    lines[row] if row < len(lines) else "",
                )
            )
            if not inside and not again:  # a line of an example or hover block stays that line
                return key_value_span(key, value, lines) if key else node_span(value, lines)
    return line_span(lines, row)
