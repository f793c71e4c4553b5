"""Windows and macOS shapes of what a client sends, served by the real server on any machine.

- Document URIs with drive letters (``file:///c%3A/Users/...`` as VS Code writes them,
  ``file:///C:/...`` as others do), UNC shares (``file://server/share/...``) and macOS folders
  with spaces: found, hovered and diagnosed under the URI the client sent (the server never
  turns them into paths: ``TorchNotesServer.document`` is the one accessor).
- CRLF documents (Windows line ends): the same diagnostics, ranges, hovers, quick fixes and
  snippet completions as with LF.
- A workspace root whose URI is percent-encoded (spaces, Chinese) and ``torchNotes.extraPaths``
  with ``~``, ``${env:NAME}`` and a relative folder.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    PROFILES,
    SERVER_COMMAND,
    complete_at,
    diagnostics_of,
    hover_at,
    open_document,
    position,
    record_published,
    start_session,
    wait_until,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from test_e2e_diagnostics import apply_edits

TEXT = "import torch\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).view(-1)\nz = torch.arrange(3)\n"
CRLF = TEXT.replace("\n", "\r\n")


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    await start_session(lsp_client, request.param)
    record_published(lsp_client)
    yield
    await lsp_client.shutdown_session()


URIS = [
    "file:///c%3A/Users/Ada/proj/train.py",  # VS Code on Windows
    "file:///C:/Users/Ada/proj/%E8%AE%AD%E7%BB%83.py",  # other clients, 训练.py
    "file://fileserver/share/proj/train.py",  # a UNC share
    "file:///Users/Ada/My%20Project/train.py",  # macOS, a folder with a space
]


@pytest.mark.parametrize("uri", URIS)
async def test_windows_and_macos_uris(client: LanguageClient, uri: str):
    open_document(client, uri, TEXT)
    found = await diagnostics_of(client, uri)
    assert {d.code for d in found} == {"view-after-transpose", "unknown-torch-attr"}
    hover = await hover_at(client, uri, position(client, TEXT, "transpose", 1))
    assert hover is not None and "transpose" in hover.contents.value
    if client.profile != "neovim":  # type: ignore[attr-defined]
        assert any(p.uri == uri for p in client.published)  # type: ignore[attr-defined]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


async def test_crlf_document_reads_like_lf(client: LanguageClient):
    lf_uri, crlf_uri = "file:///c%3A/proj/lf.py", "file:///c%3A/proj/crlf.py"
    open_document(client, lf_uri, TEXT)
    open_document(client, crlf_uri, CRLF)
    lf = sorted(await diagnostics_of(client, lf_uri), key=lambda d: str(d.code))
    crlf = sorted(await diagnostics_of(client, crlf_uri), key=lambda d: str(d.code))
    assert [(d.code, d.range) for d in crlf] == [(d.code, d.range) for d in lf]
    for marker, offset in (("transpose", 1), ("view", 1), ("torch.rand", 7)):
        where = position(client, TEXT, marker, offset)
        a, b = await hover_at(client, lf_uri, where), await hover_at(client, crlf_uri, where)
        assert (a and a.contents.value) == (b and b.contents.value), marker

    # The quick fix rewrites the line and nothing of its line end.
    view = next(d for d in crlf if d.code == "view-after-transpose")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(crlf_uri),
            range=view.range,
            context=types.CodeActionContext(diagnostics=[view]),
        )
    )
    quick_fixes = [a for a in actions or [] if getattr(a, "kind", None) == "quickfix"]
    fix = quick_fixes[0]
    fixed = apply_edits(CRLF, fix.edit.changes[crlf_uri], client.encoding)  # type: ignore[attr-defined]
    assert fixed.split("\n")[2] == "y = x.transpose(0, 1).contiguous().view(-1)\r"
    assert fixed.count("\r\n") == CRLF.count("\r\n")


async def test_crlf_completions(client: LanguageClient):
    text = "import torch\r\n\r\ndef f(x):\r\n    pt\r\n    y = torch.\r\n"
    uri = "file:///c%3A/proj/complete.py"
    open_document(client, uri, text)
    lf = text.replace("\r\n", "\n")
    snippets = await complete_at(client, uri, position(client, lf, "    pt\n", 6))
    assert any(item.label == "pt-train" for item in snippets)
    members = await complete_at(client, uri, position(client, lf, "torch.\n", 6))
    assert all("\r" not in (item.label or "") for item in members)


async def test_crlf_edits_keep_positions(client: LanguageClient):
    uri = "file:///c%3A/proj/edited.py"
    open_document(client, uri, CRLF)
    await diagnostics_of(client, uri)
    # Fix the typo with an incremental edit, as VS Code sends it on a CRLF file.
    row = TEXT.splitlines().index("z = torch.arrange(3)")
    start = types.Position(row, len("z = torch."))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=2, uri=uri),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(start, types.Position(row, len("z = torch.arrange"))),
                    text="arange",
                )
            ],
        )
    )
    assert [d.code for d in await diagnostics_of(client, uri, version=2)] == [
        "view-after-transpose"
    ]


# ---- a percent-encoded workspace root and extraPaths written the Windows/macOS way ----------

NOTE = """\
topic: {name}
notes:
  - id: mine.{name}
    symbols: [torch.special.{name}]
    title: {{en: "My note on {name}", zh: "我的 {name} 笔记"}}
    summary: {{en: "Mine.", zh: "我的。"}}
    body: {{en: "Body.", zh: "正文。"}}
    example: |
      import torch
      assert torch.special.{name} is not None
"""
BASE = Path(tempfile.mkdtemp(prefix="torch-notes-platforms-"))
HOME = BASE / "home"
ROOT = BASE / "my proj 训练"
ELSEWHERE = BASE / "elsewhere"
USER_NOTES = ((HOME / "tn-notes", "zeta"), (ROOT / "notes", "erfcx"), (ELSEWHERE, "xlog1py"))
for folder, name in USER_NOTES:
    folder.mkdir(parents=True)
    (folder / f"{name}.yaml").write_text(textwrap.dedent(NOTE.format(name=name)), "utf-8")
USER_CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    server_env={**os.environ, "HOME": str(HOME), "TN_EXTRA_NOTES": str(ELSEWHERE)},
)
EXTRA_PATHS = ["~/tn-notes", "${env:TN_EXTRA_NOTES}", "notes", "./notes/../notes"]


@pytest_lsp.fixture(config=USER_CONFIG, scope="module")
async def user_client(lsp_client: LanguageClient):
    await start_session(
        lsp_client, "visual-studio-code", root=ROOT, settings={"extraPaths": EXTRA_PATHS}
    )
    yield
    await lsp_client.shutdown_session()


async def test_extra_paths_from_home_env_and_an_encoded_root(user_client: LanguageClient):
    assert "%20" in ROOT.as_uri() and "%E8%AE%AD" in ROOT.as_uri()
    info = await wait_until(user_client, lambda info: len(info["extraPaths"]) == 3)
    assert info["extraPaths"] == [str(HOME / "tn-notes"), str(ELSEWHERE), str(ROOT / "notes")]
    assert not info["errors"], info["errors"]
    text = "import torch\ntorch.special.zeta\ntorch.special.erfcx\ntorch.special.xlog1py\n"
    uri = (ROOT / "t.py").as_uri()
    open_document(user_client, uri, text)
    for name in ("zeta", "erfcx", "xlog1py"):
        hover = await hover_at(user_client, uri, position(user_client, text, name, 1))
        assert hover is not None and f"My note on {name}" in hover.contents.value, name
