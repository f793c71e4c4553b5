"""The VS Code extension's manifest and its packaged vsix (no editor needed)."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

from editor_support import REPO_ROOT

from torch_notes import __version__
from torch_notes.lsp.settings import DEFAULT_SETTINGS, LANGUAGES, SECTION, TRACE_VALUES

MANIFEST = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
PROPERTIES = MANIFEST["contributes"]["configuration"]["properties"]
CLIENT_ONLY = {"torchNotes.server.python": ""}
"""Settings only the extension reads: the interpreter that starts the server."""


def test_settings_defaults_match_the_server() -> None:
    server = {f"{SECTION}.{key}": value for key, value in DEFAULT_SETTINGS.items()}
    contributed = {key: spec["default"] for key, spec in PROPERTIES.items()}
    assert contributed == {**server, **CLIENT_ONLY}


def test_settings_enums_match_the_server() -> None:
    assert tuple(PROPERTIES["torchNotes.language"]["enum"]) == LANGUAGES
    assert tuple(PROPERTIES["torchNotes.trace.server"]["enum"]) == TRACE_VALUES


def test_extension_version_is_the_package_version() -> None:
    assert MANIFEST["version"] == __version__


def test_vsix_is_self_contained(vsix: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(vsix) as zf:
        names = zf.namelist()
        vsix_manifest = zf.read("extension.vsixmanifest").decode("utf-8")
        zf.extractall(tmp_path)
    files = {name.removeprefix("extension/") for name in names if name.startswith("extension/")}
    libs = "bundled/libs/"

    # The extension: one bundled file and the manifest.
    assert {"package.json", "client/dist/extension.js"} <= files
    readme = next(f for f in files if f.lower() == "readme.md")
    assert "PyTorch Notes: Insert Snippet" in (tmp_path / "extension" / readme).read_text("utf-8")
    assert 'TargetPlatform="linux-x64"' in vsix_manifest

    # The server and its corpus, laid out as in the wheel.
    for module in ("__main__.py", "lsp/server.py", "lsp/settings.py", "cli/lsp_cmd.py"):
        assert f"{libs}torch_notes/{module}" in files, module
    corpus = {p.name for p in (REPO_ROOT / "snippets").iterdir() if p.is_file()}
    shipped = {f.rsplit("/", 1)[1] for f in files if f.startswith(f"{libs}torch_notes/_corpus/")}
    assert corpus <= shipped, corpus - shipped

    # Its Python dependencies, with the compiled parser for CPython 3.10 to 3.14.
    for package in (
        "pygls",
        "lsprotocol",
        "cattrs",
        "attrs",
        "yaml",
        "tree_sitter_python",
        "markdown_it",
        "mdurl",
    ):
        assert f"{libs}{package}/__init__.py" in files, package
    assert f"{libs}exceptiongroup/__init__.py" in files  # cattrs needs it on Python 3.10
    for minor in range(10, 15):
        assert any(f.startswith(f"{libs}tree_sitter/_binding.cpython-3{minor}-") for f in files), (
            f"no tree-sitter binding for CPython 3.{minor}"
        )

    # Nothing of the sources, tests or build tools.
    leaked = [
        f
        for f in files
        if f.endswith((".ts", ".pyc", ".map"))
        or f.startswith(("client/src/", "client/test/", "tests/", "server/", "node_modules/"))
        or f.startswith(("snippets/", "scripts/", ".tools/", "docs/", "out/"))
        or "/__pycache__/" in f
        or f in ("tsconfig.json", "eslint.config.mjs", "pyproject.toml", "package-lock.json")
    ]
    assert not leaked, leaked[:20]

    # The bundle runs under a bare interpreter: no site-packages, only the bundled libraries.
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    proc = subprocess.run(
        [python, "-s", "-m", "torch_notes", "--version"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(tmp_path / "extension" / "bundled" / "libs"),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert __version__ in proc.stdout


def test_diagnostic_rules_and_severities_match_the_server() -> None:
    from torch_notes.diagnostics.registry import RULE_CODES
    from torch_notes.diagnostics.rule_settings import SEVERITY_VALUES

    spec = PROPERTIES["torchNotes.diagnostics.severity"]
    assert tuple(spec["additionalProperties"]["enum"]) == SEVERITY_VALUES
    assert set(spec["properties"]) == set(RULE_CODES)
    for rule in spec["properties"].values():
        assert tuple(rule["enum"]) == SEVERITY_VALUES


def test_extension_page_readme_covers_the_manifest() -> None:
    """client/README.md is the Marketplace and Open VSX page: every setting and command, the
    screenshots (files of the repository, which vsce links to), the privacy line."""
    readme = (REPO_ROOT / "client" / "README.md").read_text(encoding="utf-8")
    for key in PROPERTIES:
        assert f"`{key}`" in readme, f"{key} is not on the extension page"
    nls = json.loads((REPO_ROOT / "package.nls.json").read_text(encoding="utf-8"))
    for command in MANIFEST["contributes"]["commands"]:
        title = nls.get(command["title"].strip("%"), command["title"])  # localised: %key%
        assert f"{command['category']}: {title}" in readme, command
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert len(images) >= 2, images
    for image in images:
        assert not image.startswith(("http:", "https:")), "a relative path: vsce links it"
        assert (REPO_ROOT / image).is_file(), image
    assert "## Privacy" in readme and "sends nothing" in readme


def test_manifest_is_ready_for_the_marketplace() -> None:
    assert MANIFEST["preview"] is True and "private" not in MANIFEST
    repository = MANIFEST["repository"]["url"].removesuffix(".git")
    assert MANIFEST["bugs"]["url"] == f"{repository}/issues"
    assert MANIFEST["homepage"].startswith(repository)
    icon = REPO_ROOT / MANIFEST["icon"]
    assert icon.suffix == ".png" and icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", icon.read_bytes()[16:24])
    assert width >= 128 and height >= 128, (width, height)
    for name in ("LICENSE", "CHANGELOG.md"):
        assert (REPO_ROOT / name).is_file(), name
    assert f"## {MANIFEST['version']}" in (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_settings_naming_files_or_programs_need_a_trusted_workspace() -> None:
    """A workspace the user has not trusted cannot point the server at files or programs."""
    trust = MANIFEST["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited"
    assert set(trust["restrictedConfigurations"]) == {
        "torchNotes.extraPaths",
        "torchNotes.server.python",
        "torchNotes.validation.python",
    }
    assert set(trust["restrictedConfigurations"]) <= set(PROPERTIES)
