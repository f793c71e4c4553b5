"""Safe, located YAML reading: node trees that keep their line numbers.

Only the YAML core types are accepted. Explicit tags such as
``!!python/object`` are rejected, and so are anchors/aliases (an alias bomb
expands exponentially, and notes have no use for them). Nothing here ever
constructs arbitrary Python objects.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from torch_notes.corpus.paths import NOTE_FILE_SUFFIXES
from torch_notes.files import FileRefused, read_regular_file

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32

# libyaml's parser is ~15x faster and yields the same nodes and marks; fall back when absent.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


class YamlProblem(Exception):
    """A file that cannot be read as a note file; ``line`` is 1-based (0: whole file)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def line_of(node: Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def content_line(node: ScalarNode) -> int:
    """The 1-based line where a scalar's text starts (after ``|`` or ``>``)."""
    if node.style in ("|", ">"):
        return node.start_mark.line + 2
    return node.start_mark.line + 1


def read_tree(path: Path) -> Node | None:
    """Read ``path`` into a node tree; ``None`` for an empty file.

    The file must be a regular ``.yaml``/``.yml`` file (a symlink's target too) of at
    most :data:`MAX_FILE_BYTES`; it is read without ever blocking
    (:func:`torch_notes.files.read_regular_file`).
    """
    try:
        raw = read_regular_file(path, max_bytes=MAX_FILE_BYTES, suffixes=NOTE_FILE_SUFFIXES)
    except FileRefused as err:
        raise YamlProblem(0, err.reason) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise YamlProblem(line, f"not valid UTF-8 (byte 0x{raw[err.start]:02x})") from err
    return parse_tree(text)


def parse_tree(text: str) -> Node | None:
    """Parse YAML text into a node tree; ``None`` for an empty document.

    The tree is not yet checked: call :func:`check_node` on each part.
    """
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        if err.context_mark is not None and "end of stream" in (err.problem or ""):
            mark = err.context_mark  # an unclosed construct: point at where it opened
        line = mark.line + 1 if mark else 0
        reason = ": ".join(part for part in (err.context, err.problem) if part) or "invalid YAML"
        raise YamlProblem(line, f"invalid YAML: {reason}") from err
    except yaml.reader.ReaderError as err:  # a control character: locate it
        line = text.count("\n", 0, err.position) + 1
        char = err.character if isinstance(err.character, int) else ord(err.character)
        raise YamlProblem(line, f"invalid YAML: control character U+{char:04X}") from err
    except yaml.YAMLError as err:
        raise YamlProblem(0, f"invalid YAML: {err}") from err
    if len(documents) > 1:
        raise YamlProblem(line_of(documents[1]), "a note file holds one YAML document, found more")
    if not documents or documents[0] is None:
        return None
    return documents[0]


def check_tag(node: Node) -> None:
    """Refuse a foreign tag on ``node`` itself (not its children)."""
    if node.tag not in _SAFE_TAGS:
        raise YamlProblem(line_of(node), f"tag {node.tag!r} is not allowed (plain YAML only)")


def check_node(node: Node, seen: set[int], depth: int = 0) -> None:
    """Refuse aliases (a node met twice), foreign tags and deep nesting below ``node``.

    ``seen`` is shared across calls on one file, so an alias to another note's
    anchor is caught too. Raises :class:`YamlProblem`.
    """
    if id(node) in seen:
        raise YamlProblem(line_of(node), "anchors and aliases are not allowed in note files")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlProblem(line_of(node), f"nesting deeper than {MAX_DEPTH} levels")
    check_tag(node)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            check_node(key, seen, depth + 1)
            check_node(value, seen, depth + 1)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            check_node(item, seen, depth + 1)
