"""Neovim's built-in LSP client against the real server: hover, snippet completion, code action.

Debian's Neovim is 0.7.2: the Lua script uses only what 0.7 has (``vim.lsp.start_client``,
``vim.lsp.buf_request_sync``); the same calls still work in 0.11.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
    out = workdir / "report.json"
    env = {
        **os.environ,
        "TN_CMD": json.dumps(server_command()),
        "TN_FILE": str(script),
        "TN_SETTINGS": json.dumps(settings),
        "TN_HOVER": json.dumps([CONTIGUOUS_LINE, hover_col]),
        "TN_LINE": json.dumps(len(lines) - 1),
        "TN_ACTION": snippet.title_en,
        "TN_OUT": str(out),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "XDG_DATA_HOME": str(workdir / "data"),
        "XDG_STATE_HOME": str(workdir / "state"),
        "XDG_CACHE_HOME": str(workdir / "cache"),
    }
    proc = subprocess.run(
        [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert out.is_file(), (
        f"no report from nvim (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in report, f"nvim script failed: {report['error']}\n{proc.stderr}"
    assert proc.returncode == 0, proc.stderr
    return report


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
