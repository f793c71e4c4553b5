"""Validate on save, end to end: the validator (a separate process, the sandbox of
``torch-notes validate``) runs a saved note's example and hover block; a failing assert is
a diagnostic on its line until the note is fixed and saved again; a newer save cancels the
older run; progress goes to ``$/progress``; the server itself never imports torch."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from authoring_support import (
    answer_code_lens_refresh,
    change_document,
    eventually,
    open_yaml,
    row_of,
    save_document,
    server_env,
    workspace,
)
from lsp_support import (
    SERVER_COMMAND,
    hover_text_until,
    open_document,
    position,
    server_info,
    start_session,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.timeout(300)

ROOT, NOTES, CACHE = workspace("torch-notes-validate-")
NOTES.mkdir()
CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(CACHE))
SETTINGS = {"extraPaths": [str(NOTES)], "validation": {"python": sys.executable}}

NOTE = """\
topic: bilinear
notes:
  - id: mine.bilinear
    symbols: [torch.nn.Bilinear]
    title: {{en: "Bilinear: x1ᵀ A x2 + b", zh: "Bilinear：x1ᵀ A x2 + b"}}
    summary: {{en: "Two inputs, one output per feature.", zh: "两个输入，每个特征一个输出。"}}
    body: {{en: "Weight shape is (out, in1, in2).", zh: "权重形状为 (out, in1, in2)。"}}
    hover: |
      >>> nn.Bilinear(3, 4, 2).weight.shape
      torch.Size([2, 3, 4])
    example: |
      import torch
      from torch import nn
      layer = nn.Bilinear(3, 4, 2)
      assert layer.weight.shape == {shape}   # the claim
"""
FAILING = NOTE.format(shape="(2, 4, 3)")
FIXED = NOTE.format(shape="(2, 3, 4)")
SLOW = NOTE.format(shape="(2, 3, 4) and not __import__('time').sleep(120)")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    answer_code_lens_refresh(lsp_client)
    await start_session(lsp_client, "visual-studio-code", settings=SETTINGS, root=ROOT)
    yield
    await lsp_client.shutdown_session()


def validation(client: LanguageClient, uri: str) -> list[types.Diagnostic] | None:
    """The validation diagnostics last pushed for ``uri`` (``None`` before any push)."""
    pushed = client.diagnostics.get(uri)
    if pushed is None:
        return None
    return [d for d in pushed if d.code == "note-validation"]


async def test_a_failing_assert_is_shown_on_its_line_then_cleared(client: LanguageClient) -> None:
    path = NOTES / "bilinear.yaml"
    path.write_text(FAILING, encoding="utf-8")
    uri = open_yaml(client, path)
    save_document(client, uri, FAILING)
    found = await eventually(lambda: validation(client, uri), timeout=120)
    (diagnostic,) = found
    assert diagnostic.range.start.line == row_of(FAILING, "# the claim")
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message.startswith("AssertionError: assert layer.weight.shape == (2, 4, 3)")
    assert "example line 4" in diagnostic.message and "torch 2." in diagnostic.message
    # progress: begun with the note count, reported per job, ended
    reports = [
        r for token, rs in client.progress_reports.items() if "validate" in token for r in rs
    ]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and "1 note" in reports[0].title
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    assert any("failed on save: AssertionError" in lens.command.title for lens in lenses)

    change_document(client, uri, FIXED, 2)
    save_document(client, uri, FIXED)
    await eventually(lambda: validation(client, uri) == [], timeout=60)
    assert list(client.diagnostics[uri]) == []
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    assert any("verified on torch" in lens.command.title for lens in lenses)

    # A Python file's hover shows the saved note at once, verified in this environment.
    text = "from torch import nn\nlayer = nn.Bilinear(3, 4, 2)\n"
    py_uri = (ROOT / "use.py").as_uri()
    open_document(client, py_uri, text)

    where = position(client, text, "Bilinear", 2)
    value = await hover_text_until(client, py_uri, where, "(your environment)", attempts=200)
    assert value.startswith("### Bilinear") and "(your environment)" in value, value


async def test_a_second_save_cancels_the_first_run(client: LanguageClient) -> None:
    path = NOTES / "slow.yaml"
    slow = SLOW.replace("mine.bilinear", "mine.slow")
    failing = FAILING.replace("mine.bilinear", "mine.slow")
    path.write_text(slow, encoding="utf-8")
    uri = open_yaml(client, path)
    before = set(client.progress_reports)
    save_document(client, uri, slow)  # its example would run for two minutes
    await eventually(lambda: set(client.progress_reports) - before)
    change_document(client, uri, failing, 2)
    save_document(client, uri, failing)
    found = await eventually(lambda: validation(client, uri), timeout=90)
    (diagnostic,) = found  # the second save's failure, not a timeout of the first
    assert "AssertionError" in diagnostic.message and "timed out" not in diagnostic.message
    assert diagnostic.range.start.line == row_of(failing, "# the claim")
    # every run that began has ended (the cancelled one too)
    for token, reports in client.progress_reports.items():
        if "validate" in token:
            assert isinstance(reports[-1], types.WorkDoneProgressEnd), token


async def test_the_server_never_imports_torch(client: LanguageClient) -> None:
    info = await server_info(client)
    assert info["heavyModules"] == []
