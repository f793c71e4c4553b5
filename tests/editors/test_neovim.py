"""Neovim's built-in LSP client against the real server: hover, snippet completion, code action.

Debian's Neovim is 0.7.2: the Lua script uses only what 0.7 has (``vim.lsp.start_client``,
``vim.lsp.buf_request_sync``); the same calls still work in 0.11.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from editor_support import (
    CONTIGUOUS_LINE,
    EN_HOVER_MARKDOWN,
    ZH_HOVER_MARKDOWN,
    SnippetCase,
    need,
    pick_snippet,
    server_command,
    write_workspace,
)

pytestmark = [pytest.mark.editor, pytest.mark.timeout(180)]

SCRIPT = Path(__file__).with_name("nvim_lsp.lua")


@pytest.fixture(scope="module")
def nvim() -> str:
    path = shutil.which("nvim")
    need(path, "nvim not found")
    return path


def run_nvim(nvim: str, workdir: Path, settings: dict, snippet: SnippetCase) -> dict:
    """Open a training script in headless Neovim with the server attached; the Lua report."""
    script = write_workspace(workdir)
    lines = script.read_text(encoding="utf-8").splitlines()
    hover_col = lines[CONTIGUOUS_LINE].index("contiguous") + 3
    lines.append(
        snippet.prefix[:4]
    )  # a statement start holding the first letters of a snippet prefix
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    variables = {
        "TN_CMD": json.dumps(server_command()),
        "TN_FILE": str(script),
        "TN_SETTINGS": json.dumps(settings),
        "TN_HOVER": json.dumps([CONTIGUOUS_LINE, hover_col]),
        "TN_LINE": json.dumps(len(lines) - 1),
        "TN_ACTION": snippet.title_en,
    }
    report, proc = headless_nvim(nvim, SCRIPT, workdir, variables, timeout=90)
    assert proc.returncode == 0, proc.stderr
    return report


def headless_nvim(
    nvim: str, lua: Path, workdir: Path, variables: dict[str, str], timeout: float
) -> tuple[dict, subprocess.CompletedProcess[str]]:
    """Run ``lua`` in a headless Neovim with its own XDG directories and ``variables`` in its
    environment; the JSON report it wrote to ``$TN_OUT``, and the finished process."""
    out = workdir / "report.json"
    env = {
        **os.environ,
        **variables,
        "TN_OUT": str(out),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "XDG_DATA_HOME": str(workdir / "data"),
        "XDG_STATE_HOME": str(workdir / "state"),
        "XDG_CACHE_HOME": str(workdir / "cache"),
    }
    proc = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {lua}"],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert out.is_file(), (
        f"no report from nvim (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in report, f"nvim script failed: {report['error']}\n{proc.stderr}"
    return report, proc


def check_hover(report: dict, expected: str) -> None:
    """The assertion that must fail when the server serves no hover."""
    hover = report.get("hover")
    assert isinstance(hover, str) and expected in hover, f"hover without the note: {hover!r}"


def test_neovim_hover_completion_code_action(nvim: str, tmp_path: Path) -> None:
    snippet = pick_snippet()
    report = run_nvim(nvim, tmp_path, {}, snippet)

    check_hover(report, EN_HOVER_MARKDOWN)
    assert "```python" in report["hover"]
    start, end = report["hover_range"]["start"], report["hover_range"]["end"]
    assert start["line"] == end["line"] == CONTIGUOUS_LINE
    assert end["character"] - start["character"] == len("contiguous")

    # Snippet completions by prefix (kind Snippet = 15). Neovim 0.7 advertises no snippet
    # support: plain text with the defaults filled in.
    items = {item["label"]: item for item in report["completion"] if item["kind"] == 15}
    assert snippet.prefix in items, sorted(items)
    ours = items[snippet.prefix]
    assert ours["insertTextFormat"] in (None, 1), ours
    assert ours["text"].strip() == snippet.expanded.strip(), ours

    # The code action replaces the typed prefix with the snippet, defaults filled in.
    assert f"Insert PyTorch snippet: {snippet.title_en}" in report["code_actions"], report
    after = "\n".join(report["buffer_after"])
    assert snippet.expanded.strip() in after, after
    assert report["buffer_after"][-1] != snippet.prefix[:4]
    assert report["catalogue_size"] >= 1
    assert report["stopped"], "the server did not exit after stop_client"


def test_neovim_chinese_hover(nvim: str, tmp_path: Path) -> None:
    report = run_nvim(nvim, tmp_path, {"language": "zh"}, pick_snippet())
    assert report["settings_applied"], report["server_info"]
    check_hover(report, ZH_HOVER_MARKDOWN)


def test_neovim_check_fails_without_hover(nvim: str, tmp_path: Path) -> None:
    """With hovers switched off the hover check fails: the test above can catch a dead server."""
    report = run_nvim(nvim, tmp_path, {"hover": {"enable": False}}, pick_snippet())
    assert report["hover"] is None
    with pytest.raises(AssertionError, match="hover without the note"):
        check_hover(report, EN_HOVER_MARKDOWN)


SIDECAR_SCRIPT = Path(__file__).with_name("nvim_sidecar.lua")
BESIDE = "import torch\n\nx = torch.rand(4, 6)\ny = x.transpose(0, 1).contiguous()\ntorch.\ny.\n\n"
JEDI_TEXT = "Returns a contiguous in memory tensor"


def run_nvim_sidecar(nvim: str, workdir: Path, jedi: Path, with_torch_notes: bool) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "beside.py"
    script.write_text(BESIDE, encoding="utf-8")
    lines = BESIDE.split("\n")
    variables = {
        "TN_JEDI": json.dumps([str(jedi)]),
        "TN_ENV": sys.executable,
        "TN_CMD": json.dumps(server_command()) if with_torch_notes else "",
        "TN_FILE": str(script),
        "TN_HOVER": json.dumps([3, lines[3].index("contiguous") + 3]),
        "TN_COMPLETIONS": json.dumps([[4, len("torch.")], [5, len("y.")]]),
        "TN_EMPTY": "6",
        "TN_ROUNDS": "20",
    }
    report, _ = headless_nvim(nvim, SIDECAR_SCRIPT, workdir, variables, timeout=400)
    return report


@pytest.mark.timeout(900)
def test_neovim_beside_jedi(nvim: str, jedi_language_server: Path, tmp_path: Path) -> None:
    """Both servers attached to one buffer: hovers from both, no completion label doubled by
    torch-notes, no code action of ours unless asked for; Jedi's hover latency with and without
    torch-notes attached is printed (figures, not assertions)."""
    both = run_nvim_sidecar(nvim, tmp_path / "with", jedi_language_server, True)
    alone = run_nvim_sidecar(nvim, tmp_path / "without", jedi_language_server, False)

    assert JEDI_TEXT in both["hovers"]["jedi"], both["hovers"]
    assert EN_HOVER_MARKDOWN in both["hovers"]["torch-notes"], both["hovers"]
    assert both["hovers"]["jedi"] == alone["hovers"]["jedi"], "the main server's hover unchanged"

    for entry in both["completions"]:
        jedi_labels = set(entry["labels"].get("jedi") or [])
        ours = entry["labels"].get("torch-notes") or []
        assert jedi_labels, entry["at"]
        assert not jedi_labels & set(ours), sorted(jedi_labels & set(ours))

    automatic, invoked = both["actions"]["automatic"], both["actions"]["invoked"]
    assert not automatic.get("torch-notes"), automatic
    assert any("PyTorch snippet" in title for title in invoked.get("torch-notes") or []), invoked

    figures = {
        f"jedi {q}": [both["jedi_hover_ms"][q], alone["jedi_hover_ms"][q]] for q in ("p50", "p90")
    } | {f"all servers {q}": [both["all_hover_ms"][q], alone["all_hover_ms"][q]] for q in ("p50",)}
    print("Neovim side-car hover ms, [with torch-notes, without]:", json.dumps(figures))
