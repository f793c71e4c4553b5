"""Completion contexts, item shapes per client, and lazy documentation through resolve."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_support import CONFIG, complete_at, open_document, position, start_session
from lsprotocol import types
from pytest_lsp import LanguageClient

SOURCE = """\
import torch
import numpy as np
from torch import nn
import torch.nn.functional as F


def train(model, loader, optimizer):
    model.train()
    for images, labels in loader:
        pt
        x = torch.
        y = nn.
        z = images.transpose(0, 1).
        w = np.
        message = "pt
        # pt
        loss = F.cross_entropy(
            pt
        )
        q = images.con
    pt-tr
"""
URI = "file:///workspace/completion.py"


@pytest.fixture(scope="module")
async def snippets(client: LanguageClient) -> list[dict]:
    open_document(client, URI, SOURCE)
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="torchNotes.listSnippets", arguments=[])
    )


def labels(items: list[types.CompletionItem]) -> set[str]:
    return {item.label for item in items}


async def test_snippets_at_a_statement_start(client: LanguageClient, snippets):
    items = await complete_at(client, URI, position(client, SOURCE, "        pt\n", 10))
    assert labels(items) == {entry["prefix"] for entry in snippets}
    assert all(item.kind == types.CompletionItemKind.Snippet for item in items)
    assert all(item.insert_text_format == types.InsertTextFormat.Snippet for item in items)
    train = next(item for item in items if item.label == "pt-train")
    assert train.text_edit.new_text == next(s for s in snippets if s["prefix"] == "pt-train")[
        "body"
    ].rstrip("\n")


async def test_typed_prefix_with_a_dash_is_replaced(client: LanguageClient, snippets):
    items = await complete_at(client, URI, position(client, SOURCE, "    pt-tr\n", 9))
    assert "pt-train" in labels(items)
    edit = next(item for item in items if item.label == "pt-train").text_edit
    assert edit.range.start.character == 4 and edit.range.end.character == 9


@pytest.mark.parametrize(
    ("marker", "offset"),
    [
        ('"pt', 3),  # in a string
        ("# pt", 4),  # in a comment
        ("            pt\n", 14),  # in an argument list
        ("x = torch", 3),  # inside an expression
    ],
)
async def test_no_snippets_elsewhere(client: LanguageClient, snippets, marker, offset):
    items = await complete_at(client, URI, position(client, SOURCE, marker, offset))
    assert not [item for item in items if item.kind == types.CompletionItemKind.Snippet]


async def test_after_torch_dot_only_noted_apis(client: LanguageClient, snippets):
    items = await complete_at(client, URI, position(client, SOURCE, "torch.\n", 6))
    found = labels(items)
    assert {"zeros", "cat", "manual_seed", "nn"} <= found
    assert "sigmoid_" not in found and "frexp" not in found  # not the whole torch namespace
    assert not [item for item in items if item.kind == types.CompletionItemKind.Snippet]
    assert all(item.documentation is None for item in items)  # documentation comes lazily


async def test_after_module_alias_and_tensor_receivers(client: LanguageClient, snippets):
    after_nn = labels(await complete_at(client, URI, position(client, SOURCE, "nn.\n", 3)))
    assert "Flatten" in after_nn
    tensor_like = await complete_at(client, URI, position(client, SOURCE, "1).\n", 3))
    assert {"contiguous", "view", "reshape", "permute"} <= labels(tensor_like)
    partial = await complete_at(client, URI, position(client, SOURCE, "images.con", 10))
    assert "contiguous" in labels(partial)
    assert await complete_at(client, URI, position(client, SOURCE, "np.\n", 3)) == []


async def test_resolve_delivers_documentation(client: LanguageClient, snippets):
    items = await complete_at(client, URI, position(client, SOURCE, "1).\n", 3))
    item = next(item for item in items if item.label == "contiguous")
    resolved = await client.completion_item_resolve_async(item)
    assert resolved.documentation.kind == types.MarkupKind.Markdown
    assert "(torch-notes:note/tensor.contiguous)" in resolved.documentation.value
    snippet_items = await complete_at(client, URI, position(client, SOURCE, "        pt\n", 10))
    snippet = await client.completion_item_resolve_async(snippet_items[0])
    assert "```python" in snippet.documentation.value


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def plain_client(lsp_client: LanguageClient):
    """A Neovim-like client without snippet support."""
    await start_session(lsp_client, "neovim", snippet_support=False)
    yield
    await lsp_client.shutdown_session()


async def test_plain_text_snippets_without_snippet_support(plain_client: LanguageClient):
    open_document(plain_client, URI, SOURCE)
    items = await complete_at(plain_client, URI, position(plain_client, SOURCE, "        pt\n", 10))
    train = next(item for item in items if item.label == "pt-train")
    assert train.insert_text_format == types.InsertTextFormat.PlainText
    assert "$" not in train.text_edit.new_text
    assert "\n        " in train.text_edit.new_text  # continuation lines carry the indentation
