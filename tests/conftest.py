"""Shared fixtures: the repository root and a writer for temporary note files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

GOOD_NOTE = """\
  - id: good.{name}
    symbols: [torch.Tensor.{name}]
    title: {{en: "Good {name}", zh: "好的 {name}"}}
    summary: {{en: "Summary of {name}.", zh: "{name} 的摘要。"}}
    body: {{en: "Body of {name}.", zh: "{name} 的正文。"}}
    example: |
      import math
      assert math.sqrt(4) == 2
"""


def good_note(name: str) -> str:
    """YAML text of a valid note whose id is ``good.<name>``."""
    return GOOD_NOTE.format(name=name)


@pytest.fixture
def write_notes(tmp_path: Path) -> Callable[..., Path]:
    """Write a note file from YAML text (dedented) and return its path."""

    def write(text: str, name: str = "notes.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
