"""A new note for an API symbol: its id, its topic file, its text, where it goes.

The topic file is chosen by the symbol's module (``torch.nn.Linear`` → ``nn.yaml``,
``torch.Tensor.view`` → ``tensor.yaml``, ``torch.nn.functional.relu`` →
``nn_functional.yaml``) in the user's notes folder; it is created when missing, and the
note is appended to its ``notes`` list otherwise. The note has the id, the symbol,
empty English and Chinese texts to write (the live checks say which), a ``hover``
block and an ``example`` that import what they need.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from torch_notes.corpus.hover_block import PRELUDE
from torch_notes.corpus.yaml_source import YamlProblem, parse_tree

MAX_TOPIC_FILES = 20
"""``nn.yaml``, ``nn_2.yaml``, ...: tries before giving up on a topic's files."""


def split_symbol(symbol: str) -> tuple[list[str], list[str]]:
    """``torch.nn.Linear`` → ``(["torch", "nn"], ["Linear"])``: the module, then the names in it.

    The module ends before the first capitalised name (a class); a symbol with none is a
    function or attribute of the module its last dot leaves.
    """
    parts = symbol.split(".")
    for position, part in enumerate(parts[1:], start=1):
        if part[:1].isupper():
            return parts[:position], parts[position:]
    return parts[:-1] or parts, parts[-1:] if len(parts) > 1 else []


def topic_for(symbol: str) -> str:
    """The topic (and file stem) of a symbol's note."""
    module, names = split_symbol(symbol)
    words = module[1:] if module[0] == "torch" else module
    if not words:
        words = ["tensor"] if names[:1] == ["Tensor"] else ["torch"]
    return _slug("_".join(words)) or "torch"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")


def note_id_for(symbol: str, taken: Collection[str]) -> str:
    """``nn.linear``, ``tensor.view``, ``nn.module_eval``; ``_2``, ``_3``... when taken."""
    topic = topic_for(symbol)
    _, names = split_symbol(symbol)
    if names and names[0].lower() == topic:
        names = names[1:]
    base = f"{topic}.{_slug('_'.join(names)) or 'note'}"
    if not re.match(r"^[a-z]", base):
        base = f"my_{base}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


@dataclass(frozen=True, slots=True)
class Imports:
    """How code reaches a symbol: import lines and the expression naming it."""

    lines: tuple[str, ...]
    expression: str


def imports_for(symbol: str) -> Imports:
    """The imports an example needs for ``symbol`` (``import torch`` always first)."""
    module, names = split_symbol(symbol)
    dotted = ".".join(module)
    rest = ".".join(names)
    if dotted == "torch" or not names:
        return Imports(("import torch",), symbol)
    if dotted == "torch.nn":
        return Imports(("import torch", "from torch import nn"), f"nn.{rest}")
    if dotted == "torch.nn.functional":
        return Imports(("import torch", "import torch.nn.functional as F"), f"F.{rest}")
    if names[0][:1].isupper():
        return Imports(("import torch", f"from {dotted} import {names[0]}"), rest)
    return Imports(("import torch", f"import {dotted}"), symbol)


def note_text(symbol: str, note_id: str, dash_column: int = 2) -> tuple[str, tuple[int, int]]:
    """The note as YAML list item at ``dash_column``, and where its first field to fill is
    (row within the text, column)."""
    imports = imports_for(symbol)
    pad, key = " " * dash_column, " " * (dash_column + 2)
    hover_imports = [line for line in imports.lines if line not in PRELUDE]
    docs = f"https://docs.pytorch.org/docs/stable/generated/{symbol}.html"
    rows = [
        f"{pad}- id: {note_id}",
        f"{key}symbols: [{symbol}]",
        f'{key}title: {{en: "", zh: ""}}',
        f'{key}summary: {{en: "", zh: ""}}       # one sentence each; the card shows it',
        f"{key}body:",
        f'{key}  en: ""',
        f'{key}  zh: ""',
        f'{key}# pitfall: {{en: "", zh: ""}}     # optional: a mistake PyTorch users make today',
        f"{key}hover: |                        # the card's code: statements and what they show",
        *(f"{key}  >>> {line}" for line in hover_imports),
        f"{key}  >>> {imports.expression}",
        f"{key}example: |                      # runs on save: assert every claim of the note",
        *(f"{key}  {line}" for line in imports.lines),
        "",
        f"{key}  # assert what the note claims: shapes, dtypes, values, raised errors",
        f"{key}# related: []                   # optional: ids of other notes",
    ]
    if symbol.startswith("torch."):
        rows.append(f"{key}# docs: {docs}")
    title_row = 2
    return "\n".join(rows) + "\n", (title_row, rows[title_row].index('""') + 1)


@dataclass(frozen=True, slots=True)
class NewNote:
    """A note to add: where, and how."""

    symbol: str
    note_id: str
    topic: str
    path: Path
    created: bool
    """``path`` does not exist yet: ``text`` is the whole file."""
    row: int
    """Where ``text`` is inserted in the existing file (0-based row, at column 0)."""
    text: str
    cursor: tuple[int, int]
    """The first field to fill, (row, column) in the file once the note is in."""
    prefix_newline: bool = False
    """The existing file does not end with a newline: ``text`` starts with one."""


def new_file_text(symbol: str, note_id: str, topic: str) -> tuple[str, tuple[int, int]]:
    """A topic file holding only the new note."""
    body, (row, column) = note_text(symbol, note_id)
    head = (
        "# Your notes on torch: checked as you type, examples run when you save"
        " (torchNotes.validation.python).\n"
        f"topic: {topic}\nnotes:\n"
    )
    return head + body, (row + 3, column)


def _append_point(text: str) -> tuple[int, int] | None:
    """Where a note can be appended to a file's ``notes`` list, and the list's dash column:
    only when ``notes`` is the file's last key and a block list of mappings."""
    try:
        tree = parse_tree(text)
    except YamlProblem:
        return None
    if not isinstance(tree, MappingNode) or not tree.value:
        return None
    last_key, notes = tree.value[-1]
    if not (isinstance(last_key, ScalarNode) and last_key.value == "notes"):
        return None
    if not isinstance(notes, SequenceNode) or notes.flow_style or not notes.value:
        return None
    first = notes.value[0]
    if not isinstance(first, MappingNode):
        return None
    lines = text.split("\n")
    dash = lines[first.start_mark.line].rfind("-", 0, first.start_mark.column)
    if dash < 0:
        return None
    rows = text.count("\n")
    return rows, dash


def plan_new_note(
    symbol: str, folder: Path, read: Callable[[Path], str | None], taken: Collection[str]
) -> NewNote:
    """Where and how to add a note on ``symbol`` in ``folder``; ``read`` gives a file's
    current text (an open editor's buffer first) or ``None`` when it does not exist."""
    topic = topic_for(symbol)
    note_id = note_id_for(symbol, taken)
    for number in range(1, MAX_TOPIC_FILES + 1):
        name = f"{topic}.yaml" if number == 1 else f"{topic}_{number}.yaml"
        path = folder / name
        existing = read(path)
        if existing is None:
            text, cursor = new_file_text(symbol, note_id, topic)
            return NewNote(symbol, note_id, topic, path, True, 0, text, cursor)
        point = _append_point(existing)
        if point is None:
            continue
        rows, dash = point
        body, (row, column) = note_text(symbol, note_id, dash)
        newline = bool(existing) and not existing.endswith("\n")
        start = rows + 1 if newline else rows
        return NewNote(
            symbol, note_id, topic, path, False, rows, body, (start + row, column), newline
        )
    raise ValueError(f"no topic file for {symbol} in {folder} can take a new note")
