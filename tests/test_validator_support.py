"""Helpers (no tests) that write small note files for the validator tests."""

from __future__ import annotations

import textwrap
from pathlib import Path


def note_yaml(
    note_id: str,
    example: str,
    *,
    snippet: str = "",
    requires: str = "",
) -> str:
    """One note as YAML list item text (indented for a ``notes:`` list)."""
    lines = [
        f"  - id: {note_id}",
        "    symbols: [torch.ones]",
        '    title: {en: "A test note", zh: "测试笔记"}',
        '    summary: {en: "Used by the validator tests.", zh: "供验证器测试使用。"}',
        '    body: {en: "Body.", zh: "正文。"}',
        "    example: |",
        textwrap.indent(textwrap.dedent(example).strip("\n"), " " * 6),
    ]
    if snippet:
        lines.append(textwrap.indent(textwrap.dedent(snippet).strip("\n"), " " * 4))
    if requires:
        lines.append(f"    requires: [{requires}]")
    return "\n".join(lines) + "\n"


def write_notes(path: Path, *notes: str, topic: str = "testing") -> Path:
    """Write a note file holding ``notes``; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"topic: {topic}\nnotes:\n" + "".join(notes), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line of ``path`` containing ``needle``."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")
