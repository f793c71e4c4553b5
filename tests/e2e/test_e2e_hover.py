"""Hover over realistic training scripts, CJK/emoji lines and broken code, in both profiles."""

from __future__ import annotations

import pytest
from lsp_support import EXAMPLES, hover_at, open_document, position, token_range
from lsprotocol import types
from pytest_lsp import LanguageClient

CIFAR = (EXAMPLES / "train_cifar_like.py").read_text(encoding="utf-8")
TABULAR = (EXAMPLES / "tabular_regression.py").read_text(encoding="utf-8")
SCRIPTS = {"cifar": CIFAR, "tabular": TABULAR}

# (script, marker, offset into the marker, note id expected in the hover or None)
HOVERS = [
    ("cifar", "channels_last.contiguous().view", 14, "tensor.contiguous"),
    ("cifar", "contiguous().view(images", 13, "tensor.view_vs_reshape"),
    ("cifar", "images.permute(0, 2, 3, 1)", 7, "tensor.transpose_permute"),
    ("cifar", "channels_last.reshape(", 14, "tensor.view_vs_reshape"),
    ("cifar", "optimizer.zero_grad()", 10, "training.loop"),
    ("cifar", "loss.backward()", 5, "training.loop"),
    ("cifar", "optimizer.step()", 10, "training.loop"),
    ("cifar", "model.train()", 6, "training.eval_no_grad"),
    ("cifar", "    model.eval()\n    correct", 10, "training.eval_no_grad"),
    ("cifar", "@torch.no_grad()", 7, "training.eval_no_grad"),
    ("cifar", "DataLoader(train_set", 0, "data.dataset_dataloader"),
    ("cifar", "nn.Flatten()", 3, "tensor.flatten"),
    ("cifar", "images.flatten(1)", 7, "tensor.flatten"),
    ("cifar", "torch.cat(predictions)", 6, "tensor.cat_stack"),
    ("cifar", "torch.stack([images[0]", 6, "tensor.cat_stack"),
    ("cifar", "images[0].unsqueeze(0)", 10, "tensor.unsqueeze"),
    ("cifar", "first.squeeze(0)", 6, "tensor.squeeze"),
    ("cifar", "torch.manual_seed(0)", 6, "training.seed"),
    ("cifar", "transforms.Compose(", 11, "data.transforms"),
    ("cifar", "datasets.FakeData(", 9, "data.fakedata"),
    ("cifar", "param.requires_grad_(", 6, "training.freeze_layers"),
    ("cifar", "value.clone()", 6, "tensor.stride_views"),
    ("tabular", "th.from_numpy(x_np)", 3, "interop.numpy"),
    ("tabular", "th.as_tensor(y_np).unsqueeze(1)", 19, "tensor.unsqueeze"),
    ("tabular", "th.inference_mode()", 3, "training.inference_mode"),
    ("tabular", "x.index_select(0, worst)", 2, "indexing.index_select"),
    ("tabular", "th.where(errors", 3, "indexing.where"),
    ("tabular", "th.chunk(pred", 3, "tensor.split_chunk"),
    ("tabular", "reshape(2, 3).t().contiguous()", 14, "tensor.transpose_permute"),
    ("tabular", "pred[:2].expand(2, 4)", 9, "tensor.expand_vs_repeat"),
    ("tabular", "TensorDataset(x, y)", 0, "data.tensor_dataset"),
    ("tabular", "from torch.utils.data import DataLoader", 30, "data.dataset_dataloader"),
    # deliberate misses: not torch, not code, or torch without a note
    ("cifar", "import argparse", 7, None),
    ("cifar", "args = parser.parse_args()", 14, None),
    ("cifar", "args.size", 5, None),  # argparse namespace, not a tensor
    ("cifar", "self.flatten(x)", 5, None),  # an attribute holding nn.Flatten
    ("cifar", "# (N, 32, 8, 8) -> (N, 2048)", 2, None),  # a comment
    ("cifar", '"permuted is contiguous:"', 13, None),  # a string
    ("cifar", 'parser.add_argument("--epochs"', 8, None),
    ("cifar", "super().__init__()", 2, None),
    ("cifar", "time.perf_counter()", 5, None),
    ("tabular", "np.random.default_rng", 3, None),
    ("tabular", "np.linspace(", 3, None),  # numpy's linspace is not torch.linspace
    ("tabular", ".round(2)", 1, None),  # a NumPy array after .numpy()
    ("tabular", 'name.startswith("net.0")', 5, None),
    ("tabular", '    print("worst rows', 4, None),
]


@pytest.fixture(scope="module")
def uris(client: LanguageClient) -> dict[str, str]:
    found = {}
    for name, text in SCRIPTS.items():
        uri = f"file:///workspace/{name}.py"
        open_document(client, uri, text)
        found[name] = uri
    return found


def test_enough_hover_positions():
    assert len(HOVERS) >= 30
    assert sum(expected is None for *_, expected in HOVERS) >= 10


@pytest.mark.parametrize(("script", "marker", "offset", "expected"), HOVERS)
async def test_hover(client: LanguageClient, uris, script, marker, offset, expected):
    text = SCRIPTS[script]
    where = position(client, text, marker, offset)
    result = await hover_at(client, uris[script], where)
    if expected is None:
        assert result is None, result.contents.value[:200]
        return
    assert result is not None, f"no hover at {marker!r}"
    assert f"(torch-notes:note/{expected})" in result.contents.value
    assert result.contents.kind == types.MarkupKind.Markdown
    assert "```python" in result.contents.value
    assert result.range == token_range(client, text, text.index(marker) + offset)


CJK = """\
import torch

x = torch.arange(6).reshape(2, 3)
注释 = "训练开始 🚀🔥 数据"; y = x.t().contiguous(); z = y.view(-1)  # 视图 😀 x.view()
"""

BROKEN = """\
import torch
from torch import nn

def forward(x:
    y = x.transpose(0, 1).contiguous(
    for i in range(3
        z = torch.cat([y, y]
    return y.view(-1
"""


@pytest.mark.parametrize(
    ("marker", "offset", "expected"),
    [
        ("contiguous()", 3, "tensor.contiguous"),
        ("t().contiguous", 0, "tensor.transpose_permute"),
        ("view(-1)", 0, "tensor.view_vs_reshape"),
        ("x.view()", 3, None),  # in the comment after the emoji
        ("训练开始", 1, None),
    ],
)
async def test_cjk_and_emoji_line(client: LanguageClient, marker, offset, expected):
    uri = "file:///workspace/cjk.py"
    open_document(client, uri, CJK)
    where = position(client, CJK, marker, offset)
    result = await hover_at(client, uri, where)
    if expected is None:
        assert result is None
        return
    assert f"(torch-notes:note/{expected})" in result.contents.value
    assert result.range == token_range(client, CJK, CJK.index(marker) + offset)
    line = CJK.split("\n")[3]
    if client.encoding == "utf-8":  # type: ignore[attr-defined]
        assert result.range.start.character == len(line[: line.index(marker)].encode())
    else:
        assert (
            result.range.start.character == len(line[: line.index(marker)].encode("utf-16-le")) // 2
        )


@pytest.mark.parametrize(
    ("marker", "offset", "expected"),
    [
        ("contiguous(", 2, "tensor.contiguous"),
        ("transpose(0", 2, "tensor.transpose_permute"),
        ("cat([y", 1, "tensor.cat_stack"),
        ("view(-1", 1, "tensor.view_vs_reshape"),
        ("range(3", 1, None),
    ],
)
async def test_hover_in_a_broken_file(client: LanguageClient, marker, offset, expected):
    uri = "file:///workspace/broken.py"
    open_document(client, uri, BROKEN)
    result = await hover_at(client, uri, position(client, BROKEN, marker, offset))
    if expected is None:
        assert result is None
    else:
        assert f"(torch-notes:note/{expected})" in result.contents.value


async def test_hover_follows_incremental_edits(client: LanguageClient):
    uri = "file:///workspace/edited.py"
    text = "import torch\nx = torch.zeros(2)\n"
    open_document(client, uri, text)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(2, 0), types.Position(2, 0)),
                    text="# 中文 🚀\ny = x.t().contiguous()\n",
                )
            ],
        )
    )
    text += "# 中文 🚀\ny = x.t().contiguous()\n"
    result = await hover_at(client, uri, position(client, text, "contiguous", 1))
    assert "(torch-notes:note/tensor.contiguous)" in result.contents.value
    assert result.range == token_range(client, text, text.index("contiguous"))
