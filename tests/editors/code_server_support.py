"""Running code-server (VS Code 1.139 in the browser) for the real-editor tests, and driving it
with ``vscode_driver.cjs``: shared by the extension's test and the side-car test."""

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

DRIVER = Path(__file__).with_name("vscode_driver.cjs")
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_group(proc: subprocess.Popen) -> None:
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


@contextlib.contextmanager
def running_code_server(
    tools,
    base: Path,
    workspace: Path,
    vsixes: list[Path],
    artifacts: Path,
    *,
    name: str = "code-server",
    settings: dict | None = None,
) -> Iterator[CodeServer]:
    """code-server on a free loopback port with ``vsixes`` installed and ``workspace`` open;
    its log goes to ``artifacts/<name>.log``, its extension host's logs to
    ``artifacts/<name>-logs/`` when it stops."""
    user_data, extensions, home = base / "user-data", base / "extensions", base / "home"
    settings_path = user_data / "User" / "settings.json"
    settings_path.parent.mkdir(parents=True)
    settings_path.write_text(json.dumps({**USER_SETTINGS, **(settings or {})}, indent=2), "utf-8")
    home.mkdir()
    env = {
        "PATH": f"{tools.node.parent}:{SYSTEM_PATH}",
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
        str(tools.node),
        str(tools.code_server),
        "--extensions-dir",
        str(extensions),
        "--user-data-dir",
        str(user_data),
        "--config",
        str(base / "config.yaml"),
    ]
    for vsix in vsixes:
        install = subprocess.run(
            [*common, "--install-extension", str(vsix)],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert install.returncode == 0, install.stdout + install.stderr
    installed = [p.name for p in extensions.iterdir()] if extensions.is_dir() else []
    assert len(installed) >= len(vsixes), f"not all of {vsixes} installed: {installed}"

    port = free_port()
    log = artifacts / f"{name}.log"
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
        yield CodeServer(url, workspace, settings_path, log, user_data)
    finally:
        kill_group(proc)
        logs, kept = user_data / "logs", artifacts / f"{name}-logs"
        shutil.rmtree(kept, ignore_errors=True)
        if logs.is_dir():
            shutil.copytree(logs, kept)


def run_driver(
    tools,
    config: dict,
    artifacts: Path,
    name: str = "vscode",
    *,
    driver: Path = DRIVER,
    timeout: float = 420,
) -> dict:
    """Run ``driver`` (``vscode_driver.cjs`` by default) with ``config`` (the common keys
    filled in), killing it after ``timeout`` seconds; its JSON result."""
    result_path = artifacts / f"{name}-result.json"
    result_path.unlink(missing_ok=True)
    config = {
        "playwrightCore": str(tools.playwright_core),
        "chromium": str(tools.chromium),
        "artifacts": str(artifacts),
        "result": str(result_path),
        **config,
    }
    config_path = artifacts / f"{name}-driver.json"
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    proc = subprocess.Popen(
        [str(tools.node), str(driver), str(config_path)],
        env={**os.environ, "PATH": f"{tools.node.parent}:{os.environ.get('PATH', '')}"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        stdout, stderr = proc.communicate()
    finally:
        kill_group(proc)  # Chromium, should the driver have left it behind
    (artifacts / f"{name}-driver.log").write_text(stdout + stderr, encoding="utf-8")
    assert result_path.is_file(), f"the driver wrote no result:\n{stderr[-3000:]}"
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["stderr"] = stderr
    return result
