"""Find where a snippet's ``setup`` and ``check`` code start in its YAML file.

The data model records the example's and the snippet body's first line; the
validator also maps tracebacks in ``setup``/``check`` back to the file, so it
re-reads the located node tree. Any problem just leaves the lines unknown (0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from torch_notes.corpus.yaml_source import YamlProblem, content_line, read_tree


@dataclass(frozen=True, slots=True)
class SnippetLines:
    """1-based YAML lines where a snippet's ``setup`` and ``check`` text start (0: none)."""

    setup: int = 0
    check: int = 0


def _fields(node: Node) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, ScalarNode)}


def snippet_lines(path: Path) -> dict[str, SnippetLines]:
    """Note id → where its snippet's ``setup`` and ``check`` start, for one note file."""
    try:
        tree = read_tree(path)
    except (YamlProblem, OSError):
        return {}
    notes = _fields(tree).get("notes") if tree is not None else None
    if not isinstance(notes, SequenceNode):
        return {}
    found: dict[str, SnippetLines] = {}
    for item in notes.value:
        fields = _fields(item)
        note_id = fields.get("id")
        snippet = _fields(fields.get("snippet")) if "snippet" in fields else {}
        if not isinstance(note_id, ScalarNode) or not snippet:
            continue
        lines = {
            name: content_line(node)
            for name in ("setup", "check")
            if isinstance(node := snippet.get(name), ScalarNode)
        }
        found[note_id.value] = SnippetLines(**lines)
    return found
