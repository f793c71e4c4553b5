"""torch-notes beside a main Python server in a real VS Code (issue 15, point 2).

code-server runs jedi-language-server as the main Python server through a test-only stand-in
for the Python extension's Jedi mode (``jedi_standin/``), once with torch-notes installed and
once without. In both, the test hovers ``.contiguous()``, puts the cursor on an empty line,
types ``torch.`` and runs the stand-in's measurement (Jedi's hover latency on its own
connection, and VS Code's merged hovers, completions and code actions). With torch-notes: the
hover shows Jedi's docstring and our card, no completion label appears twice because of us, no
light bulb and no snippet action on the empty line, and Jedi's latency is printed beside the
figure without torch-notes (figures, not assertions).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from code_server_support import run_driver, running_code_server
from editor_support import EN_HOVER_TEXT

pytestmark = [pytest.mark.editor, pytest.mark.slow, pytest.mark.timeout(900)]

SCRIPT = """\
import torch

x = torch.rand(4, 6)
y = x.transpose(0, 1).contiguous()
torch.
y.
"""
LINES = SCRIPT.split("\n")
HOVER = {"line": 3, "character": LINES[3].index("contiguous") + 3}
COMPLETIONS = [{"line": 4, "character": len("torch.")}, {"line": 5, "character": len("y.")}]
EMPTY_LINE = len(LINES) - 1
JEDI_TEXT = "Returns a contiguous in memory tensor"
"""From Tensor.contiguous's docstring, which jedi-language-server shows on hover."""


def run_sidecar(name, tools, extensions, jedi, tmp_path_factory, artifacts) -> dict:
    base = tmp_path_factory.mktemp(name)
    workspace = base / "workspace"
    workspace.mkdir()
    script = workspace / "beside.py"
    script.write_text(SCRIPT, encoding="utf-8")
    report = artifacts / f"{name}-report.json"
    settings = {
        "jediStandIn.command": [str(jedi)],
        "jediStandIn.environmentPath": sys.executable,  # the test's venv: it has torch
        "jediStandIn.measurement": {
            "report": str(report),
            "file": str(script),
            "hover": HOVER,
            "completions": COMPLETIONS,
            "emptyLine": EMPTY_LINE,
            "rounds": 20,
        },
    }
    with running_code_server(
        tools, base, workspace, extensions, artifacts, name=name, settings=settings
    ) as server:
        texts = [JEDI_TEXT, EN_HOVER_TEXT] if len(extensions) > 1 else [JEDI_TEXT]
        result = run_driver(
            tools,
            {
                "url": server.url,
                "workspace": str(workspace),
                "file": script.name,
                "settingsPath": str(server.settings),
                "timeoutMs": 60000,
                "sidecar": {
                    "name": name,
                    "hover": {"token": "contiguous", "texts": texts},
                    "report": str(report),
                },
            },
            artifacts,
            name,
        )
    failed = [s for s in result["steps"] if not s["ok"]]
    assert not failed, f"{name}: step {failed[0]['name']} failed: {failed[0].get('error')}"
    steps = {s["name"]: s for s in result["steps"]}
    measured = steps["measure"]["report"]
    assert "error" not in measured, measured["error"]
    return {**steps, "report": measured}


def test_beside_jedi_in_vscode(
    vscode_tools, vsix, jedi_standin, jedi_language_server, tmp_path_factory, artifacts
) -> None:
    both = run_sidecar(
        "sidecar-with",
        vscode_tools,
        [jedi_standin, vsix],
        jedi_language_server,
        tmp_path_factory,
        artifacts,
    )
    alone = run_sidecar(
        "sidecar-without",
        vscode_tools,
        [jedi_standin],
        jedi_language_server,
        tmp_path_factory,
        artifacts,
    )

    # The hover shows both servers' content: Jedi's docstring is not replaced by our card.
    assert JEDI_TEXT in both["hover"]["hover"] and EN_HOVER_TEXT in both["hover"]["hover"]
    merged = [h.replace("`", "") for h in both["report"]["hovers"]]  # Markdown as sent
    assert any(JEDI_TEXT in h for h in merged) and any(EN_HOVER_TEXT in h for h in merged), merged
    assert not any(EN_HOVER_TEXT in h.replace("`", "") for h in alone["report"]["hovers"])

    # Completions: no label is listed twice because of torch-notes (after "torch." and after a
    # tensor), in the merged lists and in the list VS Code showed.
    for with_us, without in zip(
        both["report"]["completions"], alone["report"]["completions"], strict=True
    ):
        ours, theirs = Counter(with_us["labels"]), Counter(without["labels"])
        doubled = sorted(label for label, n in ours.items() if n > max(1, theirs[label]))
        assert not doubled, (with_us["text"], doubled)
        assert theirs, f"the main server completed nothing after {without['text']!r}"
    shown = [row.split(",")[0] for row in both["completion"]["shown"]]
    assert len(shown) == len(set(shown)), shown

    # The empty line: no light bulb, and no snippet action even when code actions are asked for.
    assert both["empty-line"]["lightBulbs"] == 0
    assert not [t for t in both["report"]["emptyLineActions"] if "PyTorch" in t]

    # Jedi's hover latency with torch-notes attached and without (figures, not a test).
    figures = {
        f"{kind} hover {q} (ms)": [run["report"][key][q] for run in (both, alone)]
        for kind, key in (("jedi", "jediHoverMs"), ("merged", "mergedHoverMs"))
        for q in ("p50", "p90")
    }
    print("VS Code side-car, [with torch-notes, without]:", json.dumps(figures))
    Path(artifacts / "sidecar-vscode.json").write_text(json.dumps(figures, indent=2), "utf-8")
