"""Helpers of the real-editor tests: tools, the workspace, the note texts they expect.

A missing tool skips these tests locally (`bash scripts/setup-editors.sh` installs them) and
fails them when ``TORCH_NOTES_REQUIRE_EDITORS=1`` (CI sets it).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("TORCH_NOTES_TOOLS", REPO_ROOT / ".tools"))
ARTIFACTS = Path(os.environ.get("TORCH_NOTES_ARTIFACTS", REPO_ROOT / ".test-artifacts"))
REQUIRE = os.environ.get("TORCH_NOTES_REQUIRE_EDITORS") == "1"

TRAINING_SCRIPT = '''\
"""A small training script: the editor tests hover and insert snippets here."""

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(16, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.transpose(0, 1).contiguous()
        return self.fc(y.view(y.size(0), -1))


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
'''
"""Line 13 (0-based 12) holds ``.contiguous()``."""

CONTIGUOUS_LINE = 12


def _contiguous_title(lang: str, *, rendered: bool = True) -> str:
    """The title of the built-in note ``tensor.contiguous`` as a rendered hover shows it
    (or, with ``rendered=False``, as its Markdown says it)."""
    from torch_notes.corpus.loader import load_corpus

    note = load_corpus().get("tensor.contiguous")
    assert note is not None, "the built-in corpus lost tensor.contiguous"
    title = note.title.get(lang)
    return title.replace("`", "") if rendered else title


MISTAKES_SCRIPT = '''\
"""Two PyTorch slips the notes describe: the editor test fixes them through quick fixes."""

import torch

x = torch.rand(4, 6)
y = x.transpose(0, 1).view(-1)
steps = torch.arrange(5)
print(y.shape, steps)
'''
"""Flagged: ``view`` (view-after-transpose, a warning) and ``arrange`` (unknown-torch-attr, an
error); ``examples/common_mistakes.py`` has more."""

MISTAKES_FIXED = {
    "view-after-transpose": "y = x.transpose(0, 1).contiguous().view(-1)\n",
    "unknown-torch-attr": "steps = torch.arange(5)\n",
}
"""The lines after the quick fixes "Insert `.contiguous()` …" and "Change to `arange`"."""


def _body_excerpt(note_id: str, lang: str = "en") -> str:
    """A run of plain words from a note's body (no Markdown inside), as a rendered page shows it;
    the hover card has no body, so this tells the full note from the card."""
    import re

    from torch_notes.corpus.loader import load_corpus

    note = load_corpus().get(note_id)
    assert note is not None, note_id
    runs = [
        run
        for line in note.body.get(lang).splitlines()
        for run in re.findall(r"[A-Za-z][A-Za-z ,]{18,}[A-Za-z]", line)
    ]
    assert runs, f"no plain sentence in the body of {note_id}"
    return max(runs, key=len)


NOTEBOOK_CELLS = [
    "import torch",
    "x = torch.rand(4, 6)\ny = x.transpose(0, 1).contiguous()",
    "steps = torch.arrange(3)",
    "",
]
"""The notebook of the VS Code test: the import in cell 1, the hover in cell 2, a slip in
cell 3, and an empty cell for snippets."""


def write_notebook(path: Path, cells: list[str]) -> Path:
    """An ``.ipynb`` (nbformat 4) with one Python code cell per entry of ``cells``."""
    import json

    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return path


EN_HOVER_TEXT = _contiguous_title("en")
CONTIGUOUS_BODY = _body_excerpt("tensor.contiguous")
ZH_HOVER_TEXT = _contiguous_title("zh")
EN_HOVER_MARKDOWN = _contiguous_title("en", rendered=False)
ZH_HOVER_MARKDOWN = _contiguous_title("zh", rendered=False)


def need(condition: object, what: str) -> None:
    """Skip (or, under TORCH_NOTES_REQUIRE_EDITORS=1, fail) when a tool is missing."""
    if condition:
        return
    message = f"{what} (install with: bash scripts/setup-editors.sh)"
    if REQUIRE:
        pytest.fail(f"TORCH_NOTES_REQUIRE_EDITORS=1 but {message}", pytrace=False)
    pytest.skip(message)


def server_command() -> list[str]:
    """The language server as the tests' own interpreter runs it (an editable install)."""
    return [sys.executable, "-m", "torch_notes", "lsp"]


def write_workspace(root: Path) -> Path:
    """A workspace folder with ``train.py``; returns the script's path."""
    root.mkdir(parents=True, exist_ok=True)
    script = root / "train.py"
    script.write_text(TRAINING_SCRIPT, encoding="utf-8")
    return script


def write_mistakes(root: Path, *names: str) -> list[Path]:
    """``MISTAKES_SCRIPT`` under each of ``names`` in ``root``; returns their paths."""
    paths = [root / name for name in names]
    for path in paths:
        path.write_text(MISTAKES_SCRIPT, encoding="utf-8")
    return paths


@dataclass(frozen=True)
class SnippetCase:
    prefix: str
    title_en: str
    """As code action titles show it: plain text, code names quoted."""
    title_zh: str
    expanded: str
    """The body as plain text: defaults filled in, first choice taken."""


def pick_snippet() -> SnippetCase:
    """A snippet of the built-in corpus: ``pt-save`` when there is one (one short line), else
    the one with the shortest body."""
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.corpus.snippet_syntax import parse_snippet
    from torch_notes.plain_text import plain_text

    notes = [note for note in load_corpus().snippets() if note.snippet is not None]
    assert notes, "the built-in corpus has no snippet"
    by_prefix = {note.snippet.prefix: note for note in notes}
    note = by_prefix.get("pt-save") or min(notes, key=lambda n: len(n.snippet.body))
    return SnippetCase(
        prefix=note.snippet.prefix,
        title_en=plain_text(note.title.en, "en"),  # as code-action titles show it
        title_zh=plain_text(note.title.zh, "zh"),
        expanded=parse_snippet(note.snippet.body.rstrip("\n")).expand(),
    )


@dataclass(frozen=True)
class ImportingSnippet:
    prefix: str
    imports: tuple[str, ...]
    """Its import lines."""
    first_line: str
    """The first line of its body after the imports (as inserted: defaults filled in)."""


def importing_snippet() -> ImportingSnippet:
    """``pt-dataset`` (or another snippet that starts with import lines)."""
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.corpus.snippet_syntax import parse_snippet

    def split(note) -> ImportingSnippet:
        lines = parse_snippet(note.snippet.body).expand().splitlines()
        imports = tuple(line for line in lines if line.startswith(("import ", "from ")))
        rest = [line for line in lines[len(imports) :] if line.strip()]
        return ImportingSnippet(note.snippet.prefix, imports, rest[0] if rest else "")

    candidates = [
        split(note)
        for note in load_corpus().snippets()
        if note.snippet is not None and note.snippet.body.startswith(("import ", "from "))
    ]
    assert candidates, "no snippet of the built-in corpus starts with imports"
    by_prefix = {c.prefix: c for c in candidates}
    return by_prefix.get("pt-dataset") or candidates[0]
