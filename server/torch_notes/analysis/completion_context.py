"""What the user is typing at a position: a new statement, a member access, or neither."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lsprotocol import types
from tree_sitter import Node

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.expressions import expression_before
from torch_notes.analysis.positions import index_from_bytes
from torch_notes.analysis.values import FOREIGN, IMPORT, Value
from torch_notes.corpus.index import is_torch_name


@dataclass(frozen=True, slots=True)
class StatementStart:
    """The cursor ends a (possibly empty) word where a statement may begin."""

    row: int
    start: int
    """Code-point index where the typed word starts."""
    end: int
    """Code-point index of the cursor."""
    word: str


@dataclass(frozen=True, slots=True)
class MemberAccess:
    """The cursor follows ``receiver.`` (and maybe part of a member name)."""

    row: int
    start: int
    end: int
    partial: str
    receiver: str | None
    """The torch module or class being accessed, ``None`` for any other expression."""
    value: Value | None = field(default=None, compare=False)
    """What that other expression evidently holds (the resolver's receivers), if found."""


CompletionContext = StatementStart | MemberAccess

_WORD = re.compile(r"[A-Za-z0-9_-]*$")
_MEMBER = re.compile(r"\.\s*(\w*)$")
_CHAIN = re.compile(r"(?<!\w)([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*$")
_OPENERS = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _in_line_string_or_comment(prefix: str) -> bool:
    """Whether the end of ``prefix`` (one line, starting in code) is in a string or comment."""
    quote: str | None = None
    i = 0
    while i < len(prefix):
        char = prefix[i]
        if quote is None:
            if char == "#":
                return True
            if char in "'\"":
                quote = prefix[i : i + 3] if prefix[i : i + 3] in ('"""', "'''") else char
                i += len(quote)
                continue
        elif char == "\\":
            i += 2
            continue
        elif prefix.startswith(quote, i):
            i += len(quote)
            quote = None
            continue
        i += 1
    return quote is not None


def _ancestors(node: Node | None):
    while node is not None:
        yield node
        node = node.parent


def in_string_or_comment(analysis: Analysis, row: int, index: int) -> bool:
    """Whether the cursor at code point ``index`` of line ``row`` is in a string or comment."""
    doc = analysis.doc
    line = doc.line(row)
    if _in_line_string_or_comment(line[:index]):
        return True
    offset = doc.byte_offset((row, len(line[:index].encode("utf-8", "surrogatepass"))))
    root = doc.tree.root_node
    for node in (root.descendant_for_byte_range(offset, offset),):
        for ancestor in _ancestors(node):
            if ancestor.type == "interpolation":
                break
            if ancestor.type == "string" and ancestor.start_byte < offset < ancestor.end_byte:
                return True
    return False


def _previous_token_offset(source: bytes, offset: int) -> int | None:
    """Offset of the last non-blank byte before ``offset``."""
    i = offset - 1
    while i >= 0 and source[i] in b" \t\r\n\f":
        i -= 1
    return i if i >= 0 else None


def inside_brackets(analysis: Analysis, offset: int) -> bool:
    """Whether byte ``offset`` lies inside an open ``(``, ``[`` or ``{`` (closed or not)."""
    doc = analysis.doc
    root = doc.tree.root_node
    starts = [root.descendant_for_byte_range(offset, offset)]
    previous = _previous_token_offset(doc.source, offset)
    if previous is not None:
        starts.append(root.descendant_for_byte_range(previous, previous + 1))
    seen: set[int] = set()
    for start in starts:
        for ancestor in _ancestors(start):
            if ancestor.id in seen:
                break
            seen.add(ancestor.id)
            depth = 0
            for child in ancestor.children:
                if child.start_byte >= offset:
                    break
                if not child.is_missing and child.end_byte <= offset:
                    depth += _OPENERS.get(child.type, 0)
            if depth > 0:
                return True
    return False


def _receiver_value(analysis: Analysis, row: int, dot: int) -> Value | None:
    """What the expression ending before the dot at code point ``dot`` of ``row`` holds."""
    doc = analysis.doc
    line = doc.line(row)
    end = doc.byte_offset((row, len(line[:dot].rstrip().encode("utf-8", "surrogatepass"))))
    found = expression_before(doc, end)
    return None if found is None else analysis.receivers.value(found)


def _member_context(
    analysis: Analysis, row: int, prefix: str, match: re.Match[str]
) -> MemberAccess | None:
    before = prefix[: match.start()]
    stripped = before.lstrip()
    if stripped.startswith(("import ", "from ")) and " import " not in stripped:
        return None
    partial = match.group(1)
    start, end = len(prefix) - len(partial), len(prefix)
    chain = _CHAIN.search(before)
    if chain is not None:
        ahead = before[: chain.start()].rstrip()
        if ahead.endswith("."):
            return MemberAccess(row, start, end, partial, None)
        names = [part.strip() for part in chain.group(1).split(".")]
        head = names[0]
        if head in analysis.imports:
            full = ".".join([analysis.imports[head], *names[1:]])
            return MemberAccess(row, start, end, partial, full) if is_torch_name(full) else None
        if head in ("import", "from", "def", "class", "lambda", "return") and len(names) == 1:
            return None
        return _other_receiver(analysis, row, start, end, partial, match.start())
    if before.rstrip().endswith((")", "]")):
        return _other_receiver(analysis, row, start, end, partial, match.start())
    return None


def _other_receiver(
    analysis: Analysis, row: int, start: int, end: int, partial: str, dot: int
) -> MemberAccess | None:
    """A member access on an expression that is not an import: none on foreign values."""
    value = _receiver_value(analysis, row, dot)
    if value is not None and (
        value.kind == FOREIGN or (value.kind == IMPORT and not is_torch_name(value.what))
    ):
        return None
    return MemberAccess(row, start, end, partial, None, value)


def completion_context(analysis: Analysis, position: types.Position) -> CompletionContext | None:
    """Classify the cursor for completion; ``None`` where this server offers nothing."""
    doc = analysis.doc
    point = doc.point_at(position)
    row = point.row
    line = doc.line(row)
    index = index_from_bytes(line, point.column)
    prefix = line[:index]
    if in_string_or_comment(analysis, row, index):
        return None
    member = _MEMBER.search(prefix)
    if member is not None:
        return _member_context(analysis, row, prefix, member)
    word = _WORD.search(prefix)
    assert word is not None  # the pattern matches the empty string
    if prefix[: word.start()].strip() or word.group()[:1].isdigit() or word.group()[:1] == "-":
        return None
    if row > 0 and doc.line(row - 1).rstrip().endswith("\\"):
        return None
    if inside_brackets(analysis, doc.byte_offset(point)):
        return None
    return StatementStart(row, word.start(), index, word.group())


def statement_start_at(analysis: Analysis, position: types.Position) -> StatementStart | None:
    """The statement-start context at ``position``, if that is where it is."""
    context = completion_context(analysis, position)
    return context if isinstance(context, StatementStart) else None
