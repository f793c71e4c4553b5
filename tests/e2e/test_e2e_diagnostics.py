"""Note-driven diagnostics end to end: every rule, its quick fixes, hovers, push and pull.

The VS Code profile of pytest-lsp does not pull diagnostics, so the server pushes to it
(debounced); the Neovim profile advertises ``textDocument.diagnostic``, so it pulls and
gets nothing pushed.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
import pytest_lsp
from lsp_support import (
    CONFIG,
    PROFILES,
    diagnostics_of,
    hover_at,
    is_pull,
    open_document,
    position,
    record_published,
    start_session,
    wait_until,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from torch_notes.corpus.loader import load_corpus

NOTES = {note.id: note for note in load_corpus().notes}
_counter = itertools.count()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    """One server per profile; every ``publishDiagnostics`` is also recorded in order."""
    await start_session(lsp_client, request.param)
    record_published(lsp_client)
    yield
    await lsp_client.shutdown_session()


def new_uri(name: str = "doc") -> str:
    return f"file:///workspace/diag_{name}_{next(_counter)}.py"


# rule, code, flagged token, note id, fixed line (first quick fix)
CASES = [
    (
        "view-after-transpose",
        "import torch\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).view(-1)\n",
        "view(",
        "tensor.view_vs_reshape",
        "y = x.transpose(0, 1).contiguous().view(-1)",
    ),
    (
        "unknown-torch-attr",
        "import torch as th\ny = th.arrange(5)\n",
        "arrange",
        "creation.arange_linspace",
        "y = th.arange(5)",
    ),
    (
        "unknown-torch-attr",
        "import torch.nn.functional as F\ny = F.rellu(x)  # 中文 ✓\n",
        "rellu",
        "layers.relu",
        "y = F.relu(x)  # 中文 ✓",
    ),
    (
        "deprecated-api",
        "from torchvision import models\nm = models.resnet18(pretrained=True)\n",
        "pretrained",
        "models.torchvision_weights",
        'm = models.resnet18(weights="DEFAULT")',
    ),
    (
        "deprecated-api",
        "import torch\nn = torch.norm(x, p=2, dim=1)\n",
        "norm(",
        "math.norm_deprecated",
        "n = torch.linalg.vector_norm(x, ord=2, dim=1)",
    ),
    (
        "tensor-method-typo",
        "import torch\ny = torch.rand(2, 3).repeate(2, 1)\n",
        "repeate",
        "tensor.expand_vs_repeat",
        "y = torch.rand(2, 3).repeat(2, 1)",
    ),
]


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply LSP text edits (single-line ranges) to ``text``."""
    from torch_notes.analysis.positions import index_from_units

    lines = text.split("\n")
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        row = edit.range.start.line
        line = lines[row]
        start = index_from_units(line, edit.range.start.character, encoding)
        end = index_from_units(line, edit.range.end.character, encoding)
        lines[row] = line[:start] + edit.new_text + line[end:]
    return "\n".join(lines)


@pytest.mark.parametrize(("rule", "text", "marker", "note_id", "fixed"), CASES)
async def test_rule_diagnostic_and_quick_fix(
    client: LanguageClient, rule: str, text: str, marker: str, note_id: str | None, fixed: str
) -> None:
    uri = new_uri(rule)
    open_document(client, uri, text)
    (diagnostic,) = await diagnostics_of(client, uri)
    start = position(client, text, marker)
    assert diagnostic.range.start == start
    assert diagnostic.code == rule and diagnostic.source == "torch-notes"
    assert "`" not in diagnostic.message, "plain text: the Problems list shows no Markdown"
    assert diagnostic.data == {"rule": rule, "noteId": note_id}
    if note_id is not None and NOTES[note_id].docs:
        assert diagnostic.code_description.href == NOTES[note_id].docs
    if rule == "deprecated-api":
        assert list(diagnostic.tags) == [types.DiagnosticTag.Deprecated]

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    fixes = [a for a in actions or [] if getattr(a, "kind", None) == types.CodeActionKind.QuickFix]
    assert fixes, "no quick fix offered"
    first = fixes[0]
    assert first.diagnostics and first.diagnostics[0].code == rule
    new_text = apply_edits(text, first.edit.changes[uri], client.encoding)  # type: ignore[attr-defined]
    assert new_text.splitlines()[start.line] == fixed
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


async def test_view_has_two_quick_fixes_and_only_filter(client: LanguageClient) -> None:
    uri = new_uri("only")
    text = "import torch\nx = torch.rand(2, 3)\ny = x.t().view(3, 2)\n"
    open_document(client, uri, text)
    (diagnostic,) = await diagnostics_of(client, uri)
    context = types.CodeActionContext(
        diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), diagnostic.range, context)
    )
    assert [a.title for a in actions] == [
        'Insert ".contiguous()" before ".view"',
        'Use "reshape" instead of "view"',
    ]
    refactor = types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor])
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), diagnostic.range, refactor)
    )
    assert not [a for a in actions or [] if a.kind == types.CodeActionKind.QuickFix]


@pytest.mark.parametrize(
    ("text", "marker", "title"),
    [
        (
            "from torchvision import models\nm = models.resnet18(pretrained=True)\n",
            "pretrained",
            "weights=",
        ),
        ("import torch\ny = torch.arrange(3)\n", "arrange", "arange"),
        ("import torch\ny = torch.rand(2).repeate(2)\n", "repeate", "expand"),
    ],
)
async def test_hover_on_flagged_range_shows_the_note(
    client: LanguageClient, text: str, marker: str, title: str
) -> None:
    uri = new_uri("hover")
    open_document(client, uri, text)
    await diagnostics_of(client, uri)
    result = await hover_at(client, uri, position(client, text, marker, 2))
    assert result is not None
    value = result.contents.value
    assert value.startswith("### ") and title in value, "the card of the finding's note"
    (finding,) = await diagnostics_of(client, uri)
    assert finding.message not in value, "the editor shows the message itself"
    assert result.range.start == position(client, text, marker)


async def test_conv_computed_hover(client: LanguageClient) -> None:
    uri = new_uri("conv")
    text = (
        "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
        "conv = nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)\n"
        "y = F.max_pool2d(x, 2)\n"
        "z = nn.Conv2d(3, 16, k)\n"
    )
    open_document(client, uri, text)
    result = await hover_at(client, uri, position(client, text, "Conv2d", 1))
    assert result is not None
    value = result.contents.value
    assert "floor((in + 2·1 − 1·(3−1) − 1) / 2) + 1" in value and "| 224×224 | 112×112 |" in value
    assert "architecture.conv_output_size" in value  # the note follows the computed part
    pooled = await hover_at(client, uri, position(client, text, "max_pool2d", 1))
    assert pooled is not None and "| 28×28 | 14×14 |" in pooled.contents.value
    plain = await hover_at(client, uri, position(client, text, "Conv2d(3, 16, k)", 1))
    assert plain is not None and "Output size" not in plain.contents.value


async def test_push_is_debounced_and_only_for_the_latest_version(client: LanguageClient) -> None:
    if is_pull(client):
        pytest.skip("pull client")
    uri = new_uri("debounce")
    text = "import torch\ny = torch.arrange(1)\n"
    open_document(client, uri, text)
    await diagnostics_of(client, uri, 1)
    before = len([p for p in client.published if p.uri == uri])  # type: ignore[attr-defined]
    for version in range(2, 7):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [
                    types.TextDocumentContentChangeWholeDocument(
                        text=text + f"z = torch.zeross({version})\n"
                    )
                ],
            )
        )
        await asyncio.sleep(0.01)
    final = await diagnostics_of(client, uri, 6)
    assert [d.code for d in final] == ["unknown-torch-attr", "unknown-torch-attr"]
    await asyncio.sleep(0.5)
    after = [p for p in client.published if p.uri == uri][before:]  # type: ignore[attr-defined]
    assert [p.version for p in after] == [6]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    await asyncio.sleep(0.1)
    assert client.published[-1].uri == uri and not client.published[-1].diagnostics  # type: ignore[attr-defined]


async def test_pull_client_gets_nothing_pushed(client: LanguageClient) -> None:
    if not is_pull(client):
        pytest.skip("push client")
    uri = new_uri("nopush")
    open_document(client, uri, "import torch\ny = torch.arrange(1)\n")
    await asyncio.sleep(0.5)
    assert not [p for p in client.published if p.uri == uri]  # type: ignore[attr-defined]
    assert len(await diagnostics_of(client, uri)) == 1


async def test_settings_disable_and_severity(client: LanguageClient) -> None:
    uri = new_uri("settings")
    text = "import torch\nx = torch.rand(2, 3)\ny = x.t().view(-1)\nz = torch.arrange(2)\n"
    open_document(client, uri, text)
    first = await diagnostics_of(client, uri)
    assert [d.severity for d in first] == [
        types.DiagnosticSeverity.Warning,
        types.DiagnosticSeverity.Error,
    ]

    async def configure(settings: dict) -> list[types.Diagnostic]:
        client.set_configuration(settings, section="torchNotes")
        count = len(client.published)  # type: ignore[attr-defined]
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
        await wait_until(
            client,
            lambda info: (
                info["settings"]["diagnostics_enable"]
                == settings["diagnostics"].get("enable", True)
                and dict(info["settings"]["diagnostics_severity"])
                == settings["diagnostics"].get("severity", {})
            ),
        )
        if is_pull(client):
            return await diagnostics_of(client, uri)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while loop.time() < deadline:
            fresh = [p for p in client.published[count:] if p.uri == uri]  # type: ignore[attr-defined]
            if fresh:
                return list(fresh[-1].diagnostics)
            await asyncio.sleep(0.02)
        raise AssertionError("not republished")

    changed = await configure(
        {"diagnostics": {"severity": {"view-after-transpose": "hint", "unknown-torch-attr": "off"}}}
    )
    assert [(d.code, d.severity) for d in changed] == [
        ("view-after-transpose", types.DiagnosticSeverity.Hint)
    ]
    assert await configure({"diagnostics": {"enable": False}}) == []
    restored = await configure({"diagnostics": {}})
    assert len(restored) == 2
