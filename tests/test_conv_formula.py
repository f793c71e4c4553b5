"""The computed conv/pool hover: its formula against real layers, and what it shows."""

from __future__ import annotations

import importlib.util
import itertools

import pytest
from tree_sitter import Point

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.features.conv_hover import conv_hover, output_size

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")

HEADER = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"


def hover_text(line: str, marker: str) -> str | None:
    text = HEADER + line + "\n"
    doc = SourceDocument.parse(text)
    row = text.count("\n", 0, text.index(line))
    column = line.index(marker)
    return conv_hover(doc, collect_imports(doc), Point(row, column))


@needs_torch
def test_formula_matches_conv2d_and_pools() -> None:
    import torch
    from torch import nn

    sizes = (7, 8, 13, 28, 32)
    checked = 0
    inputs = {n: torch.zeros(1, 1, n, n + 1) for n in sizes}
    for k, s, p, d in itertools.product((1, 2, 3, 5), (1, 2, 3), (0, 1, 2), (1, 2)):
        conv = nn.Conv2d(1, 1, (k, k + 1 if k < 5 else k), stride=(s, s), padding=p, dilation=d)
        kh, kw = conv.kernel_size
        for n, x in inputs.items():
            want = [output_size(n, kh, s, p, d), output_size(n + 1, kw, s, p, d)]
            if min(want) < 1:
                with pytest.raises(RuntimeError):
                    conv(x)
                continue
            assert list(conv(x).shape[-2:]) == want, (k, s, p, d, n)
            checked += 1
            if 2 * p > k:
                continue  # pools refuse padding above half the kernel
            for ceil_mode in (False, True):
                pool = nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=ceil_mode)
                want_pool = [output_size(m, k, s, p, d, ceil_mode=ceil_mode) for m in (n, n + 1)]
                if min(want_pool) < 1:
                    continue
                assert list(pool(x).shape[-2:]) == want_pool, ("max", k, s, p, d, n, ceil_mode)
                if d == 1 and 2 * p <= k:
                    avg = nn.AvgPool2d(k, stride=s, padding=p, ceil_mode=ceil_mode)
                    assert list(avg(x).shape[-2:]) == want_pool, ("avg", k, s, p, n, ceil_mode)
                checked += 1
    assert checked > 500


@needs_torch
def test_hover_table_matches_real_layers() -> None:
    import torch
    from torch import nn

    cases = [
        ("nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)", nn.Conv2d(3, 16, 3, 2, 1)),
        (
            "nn.Conv2d(3, 8, (3, 5), stride=(1, 2), padding=(1, 0))",
            nn.Conv2d(3, 8, (3, 5), (1, 2), (1, 0)),
        ),
        ("nn.MaxPool2d(2)", nn.MaxPool2d(2)),
        ("nn.MaxPool2d(3, 2, 1, ceil_mode=True)", nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
        ("nn.Conv2d(3, 4, 7, dilation=2, padding=3)", nn.Conv2d(3, 4, 7, dilation=2, padding=3)),
    ]
    for source, layer in cases:
        text = hover_text(f"layer = {source}", "nn.")
        assert text is not None, source
        for n in (28, 32, 64, 224):
            channels = 3 if isinstance(layer, nn.Conv2d) else 1
            h, w = layer(torch.zeros(1, channels, n, n)).shape[-2:]
            assert f"| {n}×{n} | {h}×{w} |" in text, (source, n)


def test_hover_fills_in_the_formula() -> None:
    text = hover_text("c = nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)", "Conv2d")
    assert text is not None
    assert "floor((in + 2·p − d·(k−1) − 1) / s) + 1" in text
    assert "floor((in + 2·1 − 1·(3−1) − 1) / 2) + 1" in text
    assert "| 224×224 | 112×112 |" in text


def test_functional_forms() -> None:
    text = hover_text("y = F.conv2d(x, torch.randn(8, 3, 5, 5), padding=2)", "conv2d")
    assert text is not None and "| 32×32 | 32×32 |" in text
    text = hover_text("y = F.conv2d(x, w, stride=2)", "conv2d")
    assert text is not None and "`k` the weight's kernel size" in text and "| 28" not in text
    text = hover_text("y = F.max_pool2d(x, 2)", "max_pool2d")
    assert text is not None and "| 28×28 | 14×14 |" in text
    text = hover_text("y = nn.Conv2d(1, 1, 3, padding='same')", "Conv2d")
    assert text is not None and "| 64×64 | 64×64 |" in text


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("c = nn.Conv2d(3, 16, k)", "Conv2d"),  # kernel not a literal
        ("c = nn.Conv2d(3, 16, 3, stride=s)", "Conv2d"),
        ("c = nn.Conv2d(*args)", "Conv2d"),
        ("c = nn.Linear(3, 16)", "Linear"),
        ("c = Conv2d(3, 16, 3)", "Conv2d"),  # not imported from torch
        ("c = nn.Conv2d(3, 16, 3)", "16"),  # not on the callee
        ("# nn.Conv2d(3, 16, 3)", "Conv2d"),
        ("c = nn.MaxPool2d(2, ceil_mode=flag)", "MaxPool2d"),
    ],
)
def test_no_hover(line: str, marker: str) -> None:
    assert hover_text(line, marker) is None


def test_pool_with_too_much_padding_says_it_raises() -> None:
    text = hover_text("p = nn.MaxPool2d(2, padding=2)", "MaxPool2d")
    assert text is not None and "raises" in text and "| 28" not in text
