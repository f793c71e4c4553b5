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

EN_HOVER_TEXT = _contiguous_title("en")
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
