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

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from editor_support import (
    EN_HOVER_TEXT,
    MISTAKES_FIXED,
    REPO_ROOT,
    ZH_HOVER_TEXT,
    pick_snippet,
    write_mistakes,
    write_workspace,
)

pytestmark = [pytest.mark.editor, pytest.mark.slow, pytest.mark.timeout(600)]

DRIVER = Path(__file__).with_name("vscode_driver.cjs")
DOCS_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-hover.png"
DOCS_DIAGNOSTIC_SCREENSHOT = REPO_ROOT / "docs" / "images" / "vscode-diagnostic.png"
MISTAKES_FILE, MISTAKES_OFF_FILE = "mistakes.py", "mistakes_off.py"

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
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "workbench.editor.enablePreview": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": True,
    "security.workspace.trust.enabled": False,
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "git.enabled": False,
    "editor.minimap.enabled": False,
    "editor.hover.delay": 150,
    "files.autoSave": "off",
    "torchNotes.trace.server": "messages",
}


@dataclass
class CodeServer:
    url: str
    workspace: Path
    settings: Path
    log: Path
    user_data: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop a process started with start_new_session=True and everything it spawned."""
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    # Children that outlived the leader (extension host, language server) share its group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def code_server(vscode_tools, vsix, tmp_path_factory, artifacts) -> Iterator[CodeServer]:
    base = tmp_path_factory.mktemp("vscode")
    user_data, extensions, home = base / "user-data", base / "extensions", base / "home"
    workspace = base / "workspace"
    write_workspace(workspace)
    write_mistakes(workspace, MISTAKES_FILE, MISTAKES_OFF_FILE)
    settings = user_data / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps(USER_SETTINGS, indent=2), encoding="utf-8")
    home.mkdir()
    env = {
        "PATH": f"{vscode_tools.node.parent}:{SYSTEM_PATH}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(base / "config"),
        "XDG_DATA_HOME": str(base / "data"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "LANG": "C.UTF-8",
        "TMPDIR": str(base),
        # No extension gallery: code-server would query open-vsx.org otherwise.
        "EXTENSIONS_GALLERY": json.dumps(
            {"serviceUrl": "http://127.0.0.1:9/gallery", "itemUrl": "http://127.0.0.1:9/item"}
        ),
    }
    common = [
        str(vscode_tools.node),
        str(vscode_tools.code_server),
        "--extensions-dir",
        str(extensions),
        "--user-data-dir",
        str(user_data),
        "--config",
        str(base / "config.yaml"),
    ]
    install = subprocess.run(
        [*common, "--install-extension", str(vsix)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    installed = [p.name for p in extensions.iterdir() if p.name.startswith(EXTENSION_ID)]
    assert installed, f"{vsix.name} not installed: {install.stdout}{install.stderr}"

    port = _free_port()
    log = artifacts / "code-server.log"
    with log.open("w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(
            [
                *common,
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-workspace-trust",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-getting-started-override",
                "--ignore-last-opened",
                str(workspace),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"code-server exited: {log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"code-server not up: {log.read_text()[-3000:]}"
            time.sleep(0.5)
        yield CodeServer(url, workspace, settings, log, user_data)
    finally:
        _kill_group(proc)
        # The extension host's logs, the language client's channel among them.
        logs, kept = user_data / "logs", artifacts / "code-server-logs"
        shutil.rmtree(kept, ignore_errors=True)
        if logs.is_dir():
            shutil.copytree(logs, kept)


def run_driver(vscode_tools, server: CodeServer, artifacts: Path, **extra) -> dict:
    snippet = pick_snippet()
    result_path = artifacts / "vscode-result.json"
    result_path.unlink(missing_ok=True)
    config = {
        "url": server.url,
        "workspace": str(server.workspace),
        "file": "train.py",
        "playwrightCore": str(vscode_tools.playwright_core),
        "chromium": str(vscode_tools.chromium),
        "artifacts": str(artifacts),
        "settingsPath": str(server.settings),
        "result": str(result_path),
        "hover": {"token": "contiguous", "text": EN_HOVER_TEXT, "textZh": ZH_HOVER_TEXT},
        "snippet": {"prefix": snippet.prefix},
        "search": {"query": "contiguous", "symbol": "torch.Tensor.contiguous"},
        "diagnostics": {"file": MISTAKES_FILE, "findings": FINDINGS, "timeoutMs": 30000},
        "timeoutMs": 60000,
        **extra,
    }
    config_path = artifacts / "vscode-driver.json"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    proc = subprocess.Popen(
        [str(vscode_tools.node), str(DRIVER), str(config_path)],
        env={**os.environ, "PATH": f"{vscode_tools.node.parent}:{os.environ.get('PATH', '')}"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=420)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        stdout, stderr = proc.communicate()
    finally:
        _kill_group(proc)  # Chromium, should the driver have left it behind
    (artifacts / "vscode-driver.log").write_text(stdout + stderr, encoding="utf-8")
    assert result_path.is_file(), f"the driver wrote no result:\n{stderr[-3000:]}"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["snippet_case"] = snippet
    result["stderr"] = stderr
    return result


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
    result = run_driver(
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
    shutil.copyfile(result["screenshots"]["vscode-diagnostic"], DOCS_DIAGNOSTIC_SCREENSHOT)
    # Each quick fix (Ctrl+. for one, the light bulb for the other) rewrote its line, and the
    # server's next diagnostics cleared its squiggle and its Problems entry.
    fixed = diagnostics["fileAfter"]
    for finding, fix in zip(FINDINGS, diagnostics["fixes"], strict=True):
        assert finding["fixed"] in fix["fileAfter"], fix["fileAfter"]
        assert fix["squigglesAfter"] == [], fix
        assert finding["rule"] not in diagnostics["problemsAfter"], diagnostics["problemsAfter"]
    assert "arrange" not in fixed and ".view(-1)" in fixed and "reshape" not in fixed, fixed
    assert 'Use "reshape"' in diagnostics["fixes"][0]["menu"], diagnostics["fixes"][0]["menu"]

    # Insert Snippet…: the QuickPick listed the catalogue; the body landed in the file as
    # a real snippet (defaults of its tabstops in place).
    snippet = result["snippet_case"]
    assert by_name["snippet"]["pickItems"] >= 2
    after = by_name["snippet"]["fileAfter"]
    assert snippet.expanded.strip() in after, after[-800:]
    assert "${" not in after

    # torchNotes.language = zh, written while VS Code runs: Chinese hover without a reload.
    check_hover(by_name["language"], ZH_HOVER_TEXT)

    # Search Notes…: the note rendered in a Markdown preview.
    assert ZH_HOVER_TEXT in by_name["search"]["note"]

    # Show Logs opens the extension's output channel; Restart Server brings a new server up.
    assert "Starting the server with Python" in by_name["logs"]["logs"]
    check_hover(by_name["restart"], ZH_HOVER_TEXT)

    # Hovers off: the very same hover check fails.
    assert by_name["no-hover"]["hoverCheckFailed"], by_name["no-hover"]
    with pytest.raises(AssertionError):
        check_hover({"ok": False, "error": by_name["no-hover"]["error"]}, ZH_HOVER_TEXT)

    # Diagnostics off: what VS Code shows of a fresh copy of the file fails the same check.
    for finding in FINDINGS:
        with pytest.raises(AssertionError):
            check_diagnostic(by_name["no-diagnostics"]["seen"], finding)
