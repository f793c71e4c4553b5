"""``torch-notes lsp --notes DIR``: the user's notes given on the command line are served.

Editors without a settings UI for ``torchNotes.extraPaths`` (Helix, a plain Neovim
config) can pass note directories when they start the server.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest_lsp
from lsp_support import SERVER_COMMAND, hover_at, open_document, position, start_session, wait_until
from pytest_lsp import ClientServerConfig, LanguageClient

NOTES = Path(tempfile.mkdtemp(prefix="torch-notes-cli-notes-"))
(NOTES / "mine.yaml").write_text(
    textwrap.dedent(
        """\
        topic: mine
        notes:
          - id: mine.zeta
            symbols: [torch.special.zeta]
            title: {en: "My note on zeta", zh: "我的 zeta 笔记"}
            summary: {en: "The Hurwitz zeta function.", zh: "Hurwitz zeta 函数。"}
            body: {en: "Body.", zh: "正文。"}
            hover: |
              >>> torch.special.zeta(torch.tensor([2.0]), 1.0)
              tensor([1.6449])
            example: |
              import torch
              assert torch.special.zeta(torch.tensor(2.0), 1.0) > 1.6
        """
    ),
    encoding="utf-8",
)
CONFIG = ClientServerConfig(server_command=[*SERVER_COMMAND, "--notes", str(NOTES)])


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    await start_session(lsp_client, "neovim")
    yield
    await lsp_client.shutdown_session()


async def test_notes_from_the_command_line_are_served(client: LanguageClient) -> None:
    info = await wait_until(client, lambda info: bool(info["extraPaths"]))
    assert info["extraPaths"] == [str(NOTES)] and info["errors"] == []
    text = "import torch\ny = torch.special.zeta(x, 1.0)\n"
    open_document(client, "file:///workspace/zeta.py", text)
    hover = await hover_at(client, "file:///workspace/zeta.py", position(client, text, "zeta", 1))
    assert hover is not None and hover.contents.value.startswith("### My note on zeta")
