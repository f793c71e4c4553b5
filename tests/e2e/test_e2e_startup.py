"""Start-up: ``initialize`` is answered before the corpus and the features load, and nothing
sent right after it is lost or answered from an empty corpus."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest_lsp
from lsp_support import (
    CONFIG,
    REPO,
    hover_at,
    install_recorders,
    open_document,
    position,
    server_info,
)
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

SOURCE = "import torch\n\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).contiguous()\n"
URI = "file:///w/startup.py"


@pytest_lsp.fixture(config=CONFIG)
async def raw(lsp_client: LanguageClient):
    """A server this test initializes itself."""
    install_recorders(lsp_client)
    yield
    await lsp_client.shutdown_session()


async def test_requests_sent_with_initialized_wait_for_the_start_up(raw: LanguageClient) -> None:
    result = await raw.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    )
    # The capabilities are complete although nothing is loaded yet.
    caps = result.capabilities
    assert caps.hover_provider and caps.completion_provider and caps.code_action_provider
    assert caps.diagnostic_provider is not None
    assert "torchNotes.showNote" in caps.execute_command_provider.commands
    raw.encoding = str(caps.position_encoding or "utf-16")  # type: ignore[attr-defined]
    # didOpen and a hover straight away: answered from the loaded corpus, never empty.
    open_document(raw, URI, SOURCE)
    hover = await hover_at(raw, URI, position(raw, SOURCE, "contiguous", 2))
    assert hover is not None and "contiguous" in hover.contents.value
    info = await server_info(raw)
    assert info["notes"] > 100 and info["heavyModules"] == []


async def test_server_info_answers_once_the_start_up_work_is_done(raw: LanguageClient) -> None:
    # the Markdown parser and the analysis modules load in a thread after `initialize`; a
    # client that asks for
    # serverInfo (the status item, the benchmarks' "ready") hears from a warmed-up server
    await raw.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    )
    info = await server_info(raw)
    assert info["warmedUp"] is True and info["notes"] > 100


def test_the_server_answers_initialize_without_its_heavy_modules() -> None:
    """What ``torch-notes lsp`` imports before it can answer ``initialize``: pygls and a few
    small modules; the corpus loader (PyYAML), tree-sitter, the features and the rules come
    right after the answer."""
    code = (
        "import json, sys\n"
        "from torch_notes.cli.main import build_parser\n"
        "args = build_parser('lsp').parse_args(['lsp'])\n"
        "from torch_notes.lsp.handlers import create_server\n"
        "create_server()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
    )
    loaded = set(json.loads(done.stdout))
    assert "pygls.lsp.server" in loaded
    heavy = {
        "yaml",
        "tree_sitter",
        "tree_sitter_python",
        "torch_notes.corpus.loader",
        "torch_notes.corpus.model",
        "torch_notes.corpus.index",
        "torch_notes.corpus.verified",
        "torch_notes.analysis.analysis",
        "torch_notes.features.hover",
        "torch_notes.features.completion",
        "torch_notes.diagnostics.registry",
        "torch_notes.lsp.diagnostics",
        "torch_notes.lsp.notebook",
    }
    assert not heavy & loaded, sorted(heavy & loaded)
