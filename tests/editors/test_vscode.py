"""The packaged extension in a real VS Code: code-server 4.139 (VS Code 1.139) in headless Chromium.

Installs the built vsix, opens a workspace with a training script by clicking it in the Explorer,
hovers ``.contiguous()``, reads the language status item, opens a file with two mistakes and
applies the quick fixes of their diagnostics (Ctrl+. and the light bulb), runs "PyTorch Notes:
Insert Snippet…" from the command palette, switches ``torchNotes.language`` to ``zh`` in the
Settings editor while VS Code runs, runs "Search Notes…", "Show Logs" and "Restart Server", and
finally switches hovers and then diagnostics off to show that the hover and diagnostic checks
then fail.
The server runs from the vsix's bundle under the system ``python3``, which has none of the
server's dependencies: the vsix is self-contained.
Screenshots go to ``.test-artifacts/``; the hover and diagnostic ones are copied to
``docs/images/``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from code_server_support import CodeServer, run_driver, running_code_server
from editor_support import (
    CONTIGUOUS_BODY,
    EN_HOVER_TEXT,
    MISTAKES_FIXED,
    NOTEBOOK_CELLS,
    REPO_ROOT,
    ZH_HOVER_TEXT,
    importing_snippet,
    pick_snippet,
    write_mistakes,
    write_notebook,
    write_workspace,
)

pytestmark = [pytest.mark.editor, pytest.mark.slow, pytest.mark.timeout(600)]

DOCS_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-hover.png"
DOCS_DIAGNOSTIC_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-diagnostic.png"
DOCS_NOTEBOOK_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-notebook.png"
DOCS_FULL_NOTE_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-full-note.png"
MISTAKES_FILE, MISTAKES_OFF_FILE = "mistakes.py", "mistakes_off.py"
NOTEBOOK_FILE = "explore.ipynb"

# The findings in MISTAKES_SCRIPT, the squiggle VS Code draws for each, and its quick fix.
FINDINGS = [
    {
        "rule": "view-after-transpose",
        "token": "view",
        "squiggle": "squiggly-warning",
        "message": "no longer contiguous",
        "fix": ".contiguous()",
        "fixed": MISTAKES_FIXED["view-after-transpose"],
        "after": "view",
        "trigger": "keyboard",
    },
    {
        "rule": "unknown-torch-attr",
        "token": "arrange",
        "squiggle": "squiggly-error",
        "message": "did you mean",
        "fix": "Change to",
        "fixed": MISTAKES_FIXED["unknown-torch-attr"],
        "after": "arange",
        "trigger": "lightbulb",
    },
]
EXTENSION_ID = "torch-notes.torch-notes"


@pytest.fixture(scope="module")
def code_server(vscode_tools, vsix, tmp_path_factory, artifacts) -> Iterator[CodeServer]:
    base = tmp_path_factory.mktemp("vscode")
    workspace = base / "workspace"
    write_workspace(workspace)
    write_mistakes(workspace, MISTAKES_FILE, MISTAKES_OFF_FILE)
    write_notebook(workspace / NOTEBOOK_FILE, NOTEBOOK_CELLS)
    with running_code_server(vscode_tools, base, workspace, [vsix], artifacts) as server:
        installed = [p.name for p in (base / "extensions").iterdir()]
        assert any(name.startswith(EXTENSION_ID) for name in installed), installed
        yield server


def run_vscode(vscode_tools, server: CodeServer, artifacts: Path, **extra) -> dict:
    snippet = pick_snippet()
    importing = importing_snippet()
    config = {
        "url": server.url,
        "workspace": str(server.workspace),
        "file": "train.py",
        "settingsPath": str(server.settings),
        "hover": {"token": "contiguous", "text": EN_HOVER_TEXT, "textZh": ZH_HOVER_TEXT},
        "snippet": {"prefix": snippet.prefix, "importing": {"prefix": importing.prefix}},
        "search": {"query": "contiguous", "symbol": "torch.Tensor.contiguous"},
        "diagnostics": {"file": MISTAKES_FILE, "findings": FINDINGS, "timeoutMs": 30000},
        "fullNote": {"link": "Full note", "text": CONTIGUOUS_BODY},
        "notebook": {
            "file": NOTEBOOK_FILE,
            "hover": {"token": "contiguous", "text": EN_HOVER_TEXT},
            "fix": {
                "token": "arrange",
                "squiggle": "squiggly-error",
                "title": "Change to",
                "fixed": "steps = torch.arange(3)",
                "rule": "unknown-torch-attr",
            },
            "emptyCell": len(NOTEBOOK_CELLS) - 1,
            "insert": {"prefix": snippet.prefix, "expanded": snippet.expanded.strip()},
        },
        "timeoutMs": 60000,
        **extra,
    }
    result = run_driver(vscode_tools, config, artifacts, "vscode")
    result["snippet_case"] = snippet
    result["importing_case"] = importing
    return result


def start_up_times(user_data: Path) -> dict[str, list[dict[str, int]]]:
    """The "Start-up: …" and "First hover answered …" lines of the extension's log, as numbers."""
    import re

    ready, first_hover = [], []
    for log in sorted(user_data.glob("logs/**/*PyTorch Notes*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if m := re.search(
                r"Start-up: interpreter (\d+) ms, initialize answered (\d+) ms, \S+ notes "
                r"loaded (\d+) ms",
                line,
            ):
                keys = ("interpreter", "initialized", "ready")
                ready.append(dict(zip(keys, map(int, m.groups()), strict=True)))
            elif m := re.search(r"First hover answered (\d+) ms", line):
                first_hover.append(int(m.group(1)))
    return {"ready": ready, "first_hover": first_hover}


def steps(result: dict) -> dict[str, dict]:
    return {s["name"]: s for s in result["steps"]}


def check_hover(step: dict | None, expected: str) -> None:
    """The assertion that must fail when the server serves no hover."""
    assert step is not None and step["ok"], f"hover step failed: {step and step.get('error')}"
    assert expected in step["hover"], step["hover"]


def check_diagnostic(seen: dict, finding: dict) -> None:
    """The assertion that must fail when the server publishes no diagnostics: VS Code draws the
    finding's squiggle under its token and lists its rule in the Problems panel."""
    by_rule = {f["rule"]: f for f in seen["findings"]}
    squiggles = by_rule[finding["rule"]]["squiggles"]
    assert finding["squiggle"] in squiggles, (finding["rule"], squiggles)
    assert finding["rule"] in seen["problems"], seen["problems"]


def test_vscode_extension_end_to_end(vscode_tools, code_server, artifacts) -> None:
    result = run_vscode(
        vscode_tools,
        code_server,
        artifacts,
        noHover={"timeoutMs": 15000},
        noDiagnostics={"file": MISTAKES_OFF_FILE, "timeoutMs": 10000},
    )
    by_name = steps(result)
    failed = [s for s in result["steps"] if not s["ok"]]
    assert not failed, (
        f"step {failed[0]['name']} failed: {failed[0].get('error')}\n"
        f"see {artifacts}/ (screenshots, code-server-logs/)"
    )
    assert result.get("ok"), result.get("error")

    # Hover on .contiguous(): the note, in English (VS Code's display language).
    check_hover(by_name["hover"], EN_HOVER_TEXT)
    assert "transpose" in by_name["hover"]["hover"]
    shutil.copyfile(result["screenshots"]["vscode-hover"], DOCS_SCREENSHOT)

    # The language status item: running, with the number of notes the server loaded.
    assert "PyTorch note" in by_name["status"]["status"], by_name["status"]

    # Diagnostics: the squiggles and the Problems entries of both findings; the hover shows
    # the message with VS Code's quick-fix action. The docs get the first quick-fix menu, over
    # both squiggles and the Problems panel.
    diagnostics = by_name["diagnostics"]
    for finding in FINDINGS:
        check_diagnostic(diagnostics["before"], finding)
    assert "torch-notes" in diagnostics["before"]["problems"], diagnostics["before"]["problems"]
    assert "Quick Fix" in diagnostics["hover"], diagnostics["hover"]
    # The diagnostic's text once in the hover (VS Code shows it; our card does not repeat it).
    assert diagnostics["hover"].count(FINDINGS[0]["message"]) == 1, diagnostics["hover"]
    shutil.copyfile(result["screenshots"]["vscode-diagnostic"], DOCS_DIAGNOSTIC_SCREENSHOT)
    # Each quick fix (Ctrl+. for one, the light bulb for the other) rewrote its line, and the
    # server's next diagnostics cleared its squiggle and its Problems entry.
    fixed = diagnostics["fileAfter"]
    for finding, fix in zip(FINDINGS, diagnostics["fixes"], strict=True):
        assert finding["fixed"] in fix["fileAfter"], fix["fileAfter"]
        assert fix["squigglesAfter"] == [], fix
        assert finding["rule"] not in diagnostics["problemsAfter"], diagnostics["problemsAfter"]
    assert "arrange" not in fixed and ".view(-1)" in fixed and "reshape" not in fixed, fixed
    # Plain text where VS Code shows plain text: quick-fix titles and the Problems entries.
    menu = diagnostics["fixes"][0]["menu"]
    assert 'Use "reshape"' in menu and "`" not in menu, menu
    assert "`" not in diagnostics["before"]["problems"], diagnostics["before"]["problems"]

    # Insert Snippet…: the QuickPick listed the catalogue; the body landed in the file as
    # a real snippet (defaults of its tabstops in place).
    snippet = result["snippet_case"]
    assert by_name["snippet"]["pickItems"] >= 2
    after = by_name["snippet"]["fileAfter"]
    assert snippet.expanded.strip() in after, after[-800:]
    assert "${" not in after

    # Insert Snippet… of a snippet with imports, at the end of the file: the body lands at the
    # cursor, the imports the file lacks go to its import block, none it has already.
    importing = result["importing_case"]
    text = by_name["snippet-imports"]["fileAfter"]
    head, _, tail = text.partition("\nclass Net")
    assert importing.first_line.strip() in tail, tail[-600:]
    for line in importing.imports:
        assert line in head.splitlines(), (line, head)
        assert line not in tail.splitlines(), (line, "imports land mid-file")
    assert text.count("import torch\n") == 1, text[:400]

    # The card's "Full note" link runs torchNotes.openNote (the one command the hover may run)
    # and opens the rendered note: its body, which the card does not show.
    full = by_name["full-note"]
    assert full["href"].startswith("command:torchNotes.openNote?"), full["href"]
    assert CONTIGUOUS_BODY in full["note"], full["note"][:500]
    assert CONTIGUOUS_BODY not in by_name["hover"]["hover"]
    shutil.copyfile(result["screenshots"]["vscode-full-note"], DOCS_FULL_NOTE_SCREENSHOT)

    # A Jupyter notebook (VS Code's own ipynb support): the hover in cell 2 knows cell 1's
    # import; cell 3's slip is flagged and its quick fix applies; "pt-" in the empty cell
    # offers the snippets; Insert Snippet… inserts into the focused cell.
    notebook = by_name["notebook"]
    check_hover(notebook, EN_HOVER_TEXT)
    assert "squiggly-error" in notebook["squiggles"], notebook
    assert "Change to" in notebook["menu"], notebook["menu"]
    cells = notebook["cellsAfter"]
    assert cells[2] == "steps = torch.arange(3)", cells
    # The server's next diagnostics clear the finding (VS Code keeps the notebook's version
    # when only a cell's text changes: the server's analyses must not depend on it).
    assert "unknown-torch-attr" not in notebook["problemsAfter"], notebook["problemsAfter"]
    prefixes = [label for label in notebook["completion"] if label.startswith("pt-")]
    assert len(prefixes) >= 5, notebook["completion"]  # the rows on screen, all snippets
    assert snippet.expanded.strip() in cells[-1], cells
    assert cells[0] == "import torch", cells
    shutil.copyfile(result["screenshots"]["vscode-notebook"], DOCS_NOTEBOOK_SCREENSHOT)

    # torchNotes.language = zh, written while VS Code runs: Chinese hover without a reload,
    # and the status item in Chinese.
    check_hover(by_name["language"], ZH_HOVER_TEXT)
    assert "条 PyTorch 笔记" in by_name["language"]["status"], by_name["language"]["status"]
    print(f"Settings editor: {by_name['language']['settingLabel']!r}")

    # Search Notes…: the note rendered in a Markdown preview; the picker speaks Chinese too.
    assert ZH_HOVER_TEXT in by_name["search"]["note"]
    assert "搜索笔记" in by_name["search"]["title"], by_name["search"]["title"]

    # Show Logs opens the extension's output channel; Restart Server brings a new server up.
    assert "Starting the server with Python" in by_name["logs"]["logs"]
    check_hover(by_name["restart"], ZH_HOVER_TEXT)

    # Start-up, as the extension logged it: from the start to the notes loaded and to the
    # first hover with content (the first start compiles the bundle's byte-code into the
    # extension's cache; the restart reuses it).
    times = start_up_times(code_server.user_data)
    print("VS Code start-up (ms):", json.dumps(times))
    assert len(times["ready"]) >= 2 and times["first_hover"], times
    # The bundle's byte-code was written beside it (the extension's folder is writable here),
    # once per interpreter: the restart used it.
    extensions = code_server.user_data.parent / "extensions"
    compiled = [p.name for p in extensions.glob("*/bundled/libs/torch_notes/lsp/__pycache__/*")]
    assert "server.cpython-" in " ".join(compiled), compiled

    # Hovers off: the very same hover check fails.
    assert by_name["no-hover"]["hoverCheckFailed"], by_name["no-hover"]
    with pytest.raises(AssertionError):
        check_hover({"ok": False, "error": by_name["no-hover"]["error"]}, ZH_HOVER_TEXT)

    # Diagnostics off: what VS Code shows of a fresh copy of the file fails the same check.
    for finding in FINDINGS:
        with pytest.raises(AssertionError):
            check_diagnostic(by_name["no-diagnostics"]["seen"], finding)
