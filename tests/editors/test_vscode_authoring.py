"""Writing a note in the packaged extension, in a real VS Code (code-server 4.139, headless).

From a ``.py`` file, the "Write a note" code action on ``nn.Bilinear`` (a name no built-in
note explains) creates ``notes/nn.yaml`` and opens it; the note is filled with an example whose
assert fails and saved: VS Code draws the error squiggle on that line (validation on save, in
the validator's sandbox, under ``torchNotes.validation.python``); fixed and saved, the squiggle
goes, "Preview card" shows the card in the Markdown preview, and the ``.py`` file's hover shows
the new note, "verified on torch X (your environment)".
Screenshots go to ``.test-artifacts/`` and four of them to ``docs/images/``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from code_server_support import run_driver
from editor_support import EN_HOVER_TEXT, REPO_ROOT
from test_vscode import code_server  # noqa: F401 - a fixture of this module too

pytestmark = [pytest.mark.editor, pytest.mark.slow, pytest.mark.timeout(600)]

DRIVER = Path(__file__).with_name("vscode_authoring.cjs")
IMAGES = REPO_ROOT / "docs" / "images"
SCRIPT = '''\
"""A model that uses a layer no built-in note explains yet."""

import torch
from torch import nn

x = torch.zeros(2, 3).contiguous()
layer = nn.Bilinear(3, 4, 2)
'''
NOTE = """\
topic: nn
notes:
  - id: nn.bilinear
    symbols: [torch.nn.Bilinear]
    title: {{en: "Bilinear: x1ᵀ·A·x2 + b", zh: "Bilinear：x1ᵀ·A·x2 + b"}}
    summary:
      en: "One output per feature from two inputs."
      zh: "由两个输入得到每个特征的一个输出。"
    body:
      en: "The weight has shape (out, in1, in2)."
      zh: "权重的形状是 (out, in1, in2)。"
    hover: |
      >>> nn.Bilinear(3, 4, 2).weight.shape
      torch.Size([2, 3, 4])
    example: |
      import torch
      from torch import nn
      bilinear = nn.Bilinear(3, 4, 2)
      assert bilinear.weight.shape == {shape}
      assert bilinear(torch.zeros(5, 3), torch.zeros(5, 4)).shape == (5, 2)
"""
FAILING, FIXED = NOTE.format(shape="(2, 4, 3)"), NOTE.format(shape="(2, 3, 4)")
WORKSPACE_SETTINGS = {
    "torchNotes.extraPaths": ["notes"],
    "torchNotes.validation.python": sys.executable,
    "editor.autoIndent": "none",
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.hover.delay": 150,
}


def test_write_a_note_from_the_code_and_validate_it_on_save(
    vscode_tools,
    code_server,  # noqa: F811 - the fixture imported above
    artifacts,
) -> None:
    workspace = code_server.workspace
    (workspace / "model.py").write_text(SCRIPT, encoding="utf-8")
    (workspace / ".vscode").mkdir(exist_ok=True)
    (workspace / ".vscode" / "settings.json").write_text(
        json.dumps(WORKSPACE_SETTINGS, indent=2), encoding="utf-8"
    )
    config = {
        "url": code_server.url,
        "workspace": str(workspace),
        "file": "model.py",
        "settingsPath": str(code_server.settings),
        "timeoutMs": 60000,
        "authoring": {
            "readyToken": "contiguous",
            "readyText": EN_HOVER_TEXT,
            "token": "Bilinear",
            "symbol": "torch.nn.Bilinear",
            "noteFile": "notes/nn.yaml",
            "failing": FAILING,
            "fixed": FIXED,
            "failingToken": "bilinear.weight",
            "failure": "AssertionError",
            "title": "Bilinear: x1ᵀ·A·x2 + b",
            "timeoutMs": 120000,
        },
    }
    result = run_driver(
        vscode_tools, config, artifacts, "vscode-authoring", driver=DRIVER, timeout=480
    )
    steps = {s["name"]: s for s in result["steps"]}
    failed = [s for s in result["steps"] if not s["ok"]]
    if failed:
        pytest.fail(f"step {failed[0]['name']} failed: {failed[0].get('error')}\nsee {artifacts}/")

    # The code action, offered on the name, wrote notes/nn.yaml and opened it.
    assert 'Write a note for "torch.nn.Bilinear"' in steps["write-note"]["menu"]
    assert "symbols: [torch.nn.Bilinear]" in steps["write-note"]["created"]
    assert "squiggly-error" in steps["write-note"]["squiggles"]  # its empty texts, live
    # Saved with a failing assert: the error squiggle on that line, the message in its hover.
    assert "squiggly-error" in steps["failing"]["squiggles"], steps["failing"]
    assert "AssertionError: assert bilinear.weight.shape == (2, 4, 3)" in steps["failing"]["hover"]
    assert "failed on save" in steps["failing"]["lenses"]
    # Fixed and saved: no squiggle left, verified in this environment.
    assert steps["fixed"]["squigglesAfter"] == [], steps["fixed"]
    assert "verified on torch" in steps["fixed"]["lenses"]
    # "Preview card": the card in the Markdown preview, as the .py file will show it.
    preview = steps["preview"]["preview"]
    assert "Bilinear: x1ᵀ·A·x2 + b" in preview and "Card preview" in preview, preview
    # The .py file's hover shows the new note at once.
    hover = steps["hover"]["hover"]
    assert "Bilinear: x1ᵀ·A·x2 + b" in hover and "(your environment)" in hover, hover

    for name in (
        "vscode-write-note-action",
        "vscode-note-failure",
        "vscode-note-preview",
        "vscode-note-hover",
    ):
        shutil.copyfile(result["screenshots"][name], IMAGES / f"{name}.png")
