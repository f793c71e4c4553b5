"""``torch-notes coverage``: what counts as a reference, what as a hit, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.positions import UTF32
from torch_notes.cli.main import main
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.features.conv_hover import conv_hover
from torch_notes.features.coverage import (
    METHOD,
    NAME,
    ApiVocabulary,
    Reference,
    Tally,
    references,
    source_references,
)
from torch_notes.features.hover import hover

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Every kind of reference, and the look-alikes that are not references.
SYNTHETIC = """\
import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms

x = torch.zeros(2, 3)
y = x.transpose(0, 1).contiguous()
layer = nn.Linear(3, 4)
out = F.relu(layer(x))
dtype = torch.float32
loader = DataLoader([1, 2])
rank = dist.get_rank()
pipeline = transforms.Compose([])
total = np.zeros(3).sum()
parts = "a,b".split(",")
model = nn.Sequential(layer)
model.eval()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
opt.zero_grad()


def flat(t: torch.Tensor) -> torch.Tensor:
    return t.view(-1)


shape = x.shape
namespace = torch.nn
functional = F
alias = transforms
rare = torch.special.zeta(x, 1.0)
"""

# (symbol, kind) of each reference of SYNTHETIC, in source order.
EXPECTED = [
    ("torch.zeros", NAME),
    ("torch.Tensor.transpose", METHOD),
    ("torch.Tensor.contiguous", METHOD),
    ("torch.nn.Linear", NAME),
    ("torch.nn.functional.relu", NAME),
    ("torch.float32", NAME),
    ("torch.utils.data.DataLoader", NAME),
    ("torch.distributed.get_rank", NAME),
    ("torchvision.transforms.Compose", NAME),
    ("torch.nn.Sequential", NAME),
    ("torch.nn.Module.eval", METHOD),
    ("torch.optim.SGD", NAME),
    ("torch.nn.Module.parameters", METHOD),
    ("torch.optim.Optimizer.zero_grad", METHOD),
    ("torch.Tensor.view", METHOD),
    ("torch.special.zeta", NAME),
]

NOTE = """\
  - id: mine.{id}
    symbols: [{symbols}]
    title: {{en: "Mine {id}", zh: "我的 {id}"}}
    summary: {{en: "Summary of {id}.", zh: "{id} 的摘要。"}}
    body: {{en: "Body of {id}.", zh: "{id} 的正文。"}}
    example: |
      assert 1 + 1 == 2
"""


def write_notes(path: Path, notes: dict[str, list[str]]) -> Path:
    """A note file with one note per id, claiming the given symbols."""
    items = "".join(
        NOTE.format(id=note_id, symbols=", ".join(symbols)) for note_id, symbols in notes.items()
    )
    text = "topic: mine\nnotes:" + (f"\n{items}" if items else " []\n")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def api() -> ApiVocabulary:
    return ApiVocabulary.shipped()


@pytest.fixture(scope="module")
def builtin_index() -> CorpusIndex:
    return CorpusIndex.build(load_corpus())


def own_index(tmp_path: Path, notes: dict[str, list[str]]) -> CorpusIndex:
    """An index of only the given notes (no built-in ones): hits are known in advance."""
    corpus = load_corpus([write_notes(tmp_path / "mine.yaml", notes)], include_builtin=False)
    assert not corpus.errors, corpus.errors
    return CorpusIndex.build(corpus)


def test_every_kind_of_reference_and_no_look_alikes(tmp_path, api):
    refs = source_references(SYNTHETIC, own_index(tmp_path, {}), api)
    assert [(ref.symbol, ref.kind) for ref in refs] == EXPECTED
    assert not any(ref.hit for ref in refs)
    lines = SYNTHETIC.split("\n")
    for ref in refs:  # each reference sits on the last name of its expression
        assert lines[ref.row][ref.column :].startswith(ref.symbol.rpartition(".")[2])


def test_hits_are_references_whose_hover_shows_a_note(tmp_path, api):
    index = own_index(
        tmp_path,
        {
            "zeros": ["torch.zeros"],
            "contiguous": ["torch.Tensor.contiguous"],
            "linear": ["torch.nn.Linear", "torch.nn.functional.linear"],
            "eval": ["torch.nn.Module.eval"],
            "never": ["torch.fft.fft"],
        },
    )
    refs = source_references(SYNTHETIC, index, api)
    hits = {ref.symbol: ref.notes for ref in refs if ref.hit}
    assert hits == {
        "torch.zeros": ("mine.zeros",),
        "torch.Tensor.contiguous": ("mine.contiguous",),
        "torch.nn.Linear": ("mine.linear",),
        "torch.nn.Module.eval": ("mine.eval",),
    }
    tally = Tally.of(refs)
    assert (tally.references, tally.hits) == (16, 4)
    assert tally.by_kind == {METHOD: (6, 2), NAME: (10, 2)}
    assert tally.share == pytest.approx(4 / 16)
    assert tally.missed["torch.nn.Module.eval"] == 0
    assert tally.top_missed(2) == [("torch.Tensor.transpose", 1), ("torch.Tensor.view", 1)]


def test_counts_every_occurrence_and_sums_tallies(tmp_path, api):
    index = own_index(tmp_path, {"relu": ["torch.nn.functional.relu"]})
    source = "import torch.nn.functional as F\nimport torch\n" + "y = F.relu(F.gelu(x))\n" * 3
    refs = source_references(source, index, api)
    relu, gelu = "torch.nn.functional.relu", "torch.nn.functional.gelu"
    assert [ref.symbol for ref in refs] == [relu, gelu] * 3
    one = Tally.of(refs)
    assert one.top_missed(5) == [(gelu, 3)]
    both = one + Tally.of(refs[:2])
    assert (both.references, both.hits, both.by_kind) == (8, 4, {NAME: (8, 4)})
    assert both.missed[gelu] == 4
    assert Tally().share is None and (Tally() + Tally()).references == 0


def test_foreign_receivers_and_non_calls_are_not_references(tmp_path, api):
    source = """\
import numpy as np
import torch
import argparse; parser = argparse.ArgumentParser(); args = parser.parse_args()
args.mean()
text = "abc"
text.split(",")
arr = np.ones(3)
arr.mean()
np.zeros(3).mean()
x = torch.ones(3)
x.mean()
x.T
x.grad
class Net(torch.nn.Module):
    def view(self):
        return self
    def forward(self, x):
        return self.view()
"""
    refs = source_references(source, own_index(tmp_path, {}), api)
    assert [(ref.row, ref.symbol) for ref in refs] == [
        (9, "torch.ones"),
        (10, "torch.Tensor.mean"),
        (13, "torch.nn.Module"),
    ]


def test_modules_and_internal_names_are_never_references(tmp_path, api):
    source = """\
import torch
import torch.multiprocessing as mp
from torch import distributed as d2
from torchvision import models
setup(mp, d2, torch.nn, torch.nn.functional, torch)
net = models.resnet18(weights=None)
d2.barrier()
print(torch.__version__, torch._C._get_tracing_state())
if hasattr(torch.backends, "mps") and torch.backends.mps.is_available():
    pass
"""
    refs = source_references(source, own_index(tmp_path, {}), api)
    assert [ref.symbol for ref in refs] == [
        "torchvision.models.resnet18",
        "torch.distributed.barrier",
        "torch.backends.mps.is_available",
    ]


def test_broken_code_still_counts(tmp_path, api):
    source = "import torch\nx = torch.zeros(3)\ny = x.view(-1)\nz = torch.cat([x, \ndef (:\n"
    refs = source_references(source, own_index(tmp_path, {"view": ["torch.Tensor.view"]}), api)
    assert [(ref.symbol, ref.hit) for ref in refs] == [
        ("torch.zeros", False),
        ("torch.Tensor.view", True),
        ("torch.cat", False),
    ]


# -- agreement with the hover -------------------------------------------------------------


def _shows_note(analysis: Analysis, ref: Reference, index: CorpusIndex) -> bool:
    """What the editor's hover at ``ref`` shows beyond any computed section."""
    doc = analysis.doc
    point = (ref.row, ref.column)
    found = hover(analysis, doc.position_of(point), index, "en", {})
    if found is None:
        return False
    assert found.range == doc.range_of(_node_at(analysis, point))
    computed = conv_hover(doc, analysis.imports, _point(point)) or ""
    return found.contents.value.strip() != computed.strip()


def _point(point: tuple[int, int]):
    from tree_sitter import Point

    return Point(*point)


def _node_at(analysis: Analysis, point: tuple[int, int]):
    node = analysis.doc.tree.root_node.named_descendant_for_point_range(
        _point(point), _point(point)
    )
    assert node is not None and node.type == "identifier"
    return node


@pytest.mark.parametrize(
    "name", ["train_cifar_like.py", "tabular_regression.py", "common_mistakes.py", "synthetic"]
)
def test_agrees_with_hover_at_every_reference(name, builtin_index, api):
    source = SYNTHETIC if name == "synthetic" else (EXAMPLES / name).read_text(encoding="utf-8")
    analysis = Analysis.of(SourceDocument.parse(source, encoding=UTF32))
    refs = references(analysis, builtin_index, api)
    assert len(refs) >= 15
    assert any(ref.hit for ref in refs)
    if name == "synthetic":
        assert any(not ref.hit for ref in refs), "torch.special.zeta has no note"
    for ref in refs:
        assert ref.hit == _shows_note(analysis, ref, builtin_index), ref


# -- command line -----------------------------------------------------------------------------


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["coverage", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_text_per_file_total_and_missed(capsys, tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(SYNTHETIC, encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text("import torch\ny = torch.zeros(1).view(-1)\n", "utf-8")
    (tmp_path / "pkg" / "notes.txt").write_text("torch.zeros(1)\n", encoding="utf-8")
    (tmp_path / "pkg" / ".hidden").mkdir()
    (tmp_path / "pkg" / ".hidden" / "c.py").write_text("import torch\ntorch.ones(1)\n", "utf-8")
    code, out, err = run_cli(capsys, str(tmp_path / "pkg"), "--top", "3")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(str(tmp_path / "pkg" / "a.py")) and lines[0].endswith("/16")
    assert lines[1].startswith(str(tmp_path / "pkg" / "b.py")) and lines[1].endswith("/2")
    assert lines[2].startswith("total: ") and "of 18 torch references" in lines[2]
    assert lines[2].endswith(" hits, 2 files)")
    assert any(line.startswith("  method: ") for line in lines)
    assert "most frequent without a note (top 1):" in out
    assert out.rstrip().endswith("1  torch.special.zeta")
    assert ".hidden" not in out and "notes.txt" not in out


def test_cli_json_counts_a_user_note(capsys, tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import torch\nx = torch.fft.fft(torch.ones(4))\nx.fft_thing()\n", "utf-8")
    code, out, _ = run_cli(capsys, str(script), "--json")
    before = json.loads(out)
    assert code == 0 and before["errors"] == []
    missed = {item["symbol"] for item in before["total"]["top_missed"]}
    assert "torch.fft.fft" in missed
    notes = write_notes(tmp_path / "mine.yaml", {"fft": ["torch.fft.fft"]})
    code, out, _ = run_cli(capsys, str(script), "--json", "--notes", str(notes))
    after = json.loads(out)
    assert code == 0 and after["notes"] == before["notes"] + 1
    assert after["total"]["references"] == before["total"]["references"]
    assert after["total"]["hits"] == before["total"]["hits"] + 1
    assert after["files"][0]["path"] == str(script)
    assert "torch.fft.fft" not in {item["symbol"] for item in after["total"]["top_missed"]}


def test_cli_bad_input_names_the_file_and_measures_the_rest(capsys, tmp_path):
    good = tmp_path / "good.py"
    good.write_text("import torch\nx = torch.zeros(1)\n", encoding="utf-8")
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"import torch\n# caf\xe9\n")
    missing = tmp_path / "missing.py"
    code, out, err = run_cli(capsys, str(latin), str(missing), str(good), "--json")
    assert code == 2
    report = json.loads(out)
    assert [item["path"] for item in report["files"]] == [str(good)]
    assert [item["path"] for item in report["errors"]] == [str(latin), str(missing)]
    assert f"{latin}: not UTF-8 text" in err
    assert f"{missing}: no such file or directory" in err
    code, out, err = run_cli(capsys, str(missing))
    assert code == 2 and "total: - of 0 torch references" in out


def test_cli_never_opens_a_fifo(capsys, tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "ok.py").write_text("import torch\ntorch.ones(1)\n", encoding="utf-8")
    code, out, err = run_cli(capsys, str(fifo), str(tmp_path))
    assert code == 2
    assert f"{fifo}: not a regular file or directory" in err
    assert str(tmp_path / "ok.py") in out and out.count("pipe.py") == 0


def test_cli_rejects_a_negative_top(capsys, tmp_path):
    code, _, err = run_cli(capsys, str(tmp_path), "--top", "-1")
    assert code == 2 and "--top" in err


def test_cli_module_imports_lightly():
    code = (
        "import sys, torch_notes.cli.coverage_cmd;"
        "heavy = [m for m in ('pygls', 'lsprotocol', 'tree_sitter', 'torch') if m in sys.modules];"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
