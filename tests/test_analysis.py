"""Unit tests of parsing, positions, import bindings, name resolution and completion contexts."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.completion_context import MemberAccess, StatementStart, completion_context
from torch_notes.analysis.document import SourceDocument, TextChange
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.positions import (
    UTF8,
    UTF16,
    UTF32,
    index_from_units,
    units_from_index,
    units_len,
)
from torch_notes.analysis.resolve import iter_resolutions, resolve_at
from torch_notes.corpus.index import CorpusIndex, owner_class
from torch_notes.corpus.model import Corpus, Location, Note, Text

SYMBOLS = {
    "t.contiguous": ("torch.Tensor.contiguous", "torch.Tensor.is_contiguous"),
    "t.view": ("torch.Tensor.view", "torch.Tensor.reshape", "torch.reshape"),
    "t.transpose": ("torch.Tensor.transpose", "torch.transpose", "torch.Tensor.t"),
    "m.eval": ("torch.nn.Module.eval", "torch.nn.Module.train", "torch.no_grad"),
    "m.zero_grad": ("torch.nn.Module.zero_grad",),
    "o.loop": ("torch.optim.Optimizer.zero_grad", "torch.optim.Optimizer.step"),
    "n.conv": ("torch.nn.Conv2d", "torch.nn.functional.relu"),
    "d.loader": ("torch.utils.data.DataLoader",),
    "o.sgd": ("torch.optim.SGD",),
    "c.zeros": ("torch.zeros",),
    "s.split": ("torch.Tensor.split",),
}


def make_note(note_id: str, symbols: tuple[str, ...]) -> Note:
    text = Text(en=f"{note_id} en", zh=f"{note_id} 中文")
    return Note(
        id=note_id,
        symbols=symbols,
        title=text,
        summary=text,
        body=text,
        example="assert True\n",
        location=Location(Path("test.yaml"), 1),
        example_line=1,
    )


@pytest.fixture(scope="module")
def index() -> CorpusIndex:
    return CorpusIndex.build(Corpus(tuple(make_note(i, s) for i, s in SYMBOLS.items())))


def analyse(source: str, encoding: str = UTF16) -> Analysis:
    return Analysis.of(SourceDocument.parse(source, encoding=encoding))


def at(source: str, marker: str, offset: int = 0, occurrence: int = 0) -> types.Position:
    """The UTF-32 position of the ``occurrence``-th ``marker`` (plus ``offset`` characters)."""
    start = -1
    for _ in range(occurrence + 1):
        start = source.index(marker, start + 1)
    start += offset
    row = source.count("\n", 0, start)
    return types.Position(row, start - (source.rfind("\n", 0, start) + 1))


def ids_at(index: CorpusIndex, source: str, marker: str, offset: int = 0, occurrence: int = 0):
    analysis = analyse(source, UTF32)
    point = analysis.doc.point_at(at(source, marker, offset, occurrence))
    resolution = resolve_at(analysis, point, index)
    if resolution is None:
        return None
    return [note.id for s in resolution.symbols for note in index.notes_for(s)]


# -- positions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [(UTF8, [0, 1, 4, 8, 9]), (UTF16, [0, 1, 2, 4, 5]), (UTF32, [0, 1, 2, 3, 4])],
)
def test_units_from_index(encoding, expected):
    line = "a中😀b"
    assert [units_from_index(line, i, encoding) for i in range(5)] == expected
    assert [index_from_units(line, u, encoding) for u in expected] == [0, 1, 2, 3, 4]


def test_index_from_units_snaps_inside_a_character_and_clamps():
    assert index_from_units("😀x", 1, UTF16) == 0
    assert index_from_units("中x", 2, UTF8) == 0
    assert index_from_units("abc", 99, UTF16) == 3
    assert units_len("中😀", UTF8) == 7


def test_points_and_ranges_on_a_cjk_emoji_line():
    source = 'msg = "训练 🚀 开始"; y = x.contiguous()\n'
    for encoding in (UTF8, UTF16, UTF32):
        doc = SourceDocument.parse(source, encoding=encoding)
        index = source.index("contiguous")
        column = units_from_index(source.rstrip("\n"), index, encoding)
        point = doc.point_at(types.Position(0, column))
        assert point.column == len(source[:index].encode())
        assert doc.position_of(point) == types.Position(0, column)


def test_incremental_edits_match_a_fresh_parse():
    source = "import torch\n\nx = torch.zeros(3)\n中文 = x.view(-1)\n"
    doc = SourceDocument.parse(source, version=1)
    changes = [
        TextChange("ones", types.Range(types.Position(2, 10), types.Position(2, 15))),
        TextChange(
            "\ny = x.t().contiguous()", types.Range(types.Position(3, 16), types.Position(3, 16))
        ),
        TextChange("", types.Range(types.Position(0, 0), types.Position(1, 0))),
    ]
    edited = doc.apply(changes, version=2)
    fresh = SourceDocument.parse(edited.text)
    assert edited.text == "\nx = torch.ones(3)\n中文 = x.view(-1)\ny = x.t().contiguous()\n"
    assert str(edited.tree.root_node) == str(fresh.tree.root_node)
    assert edited.version == 2
    assert doc.text == source  # the old version is untouched


def test_full_replacement_change():
    doc = SourceDocument.parse("x = 1\n").apply([TextChange("y = 2\n")], version=5)
    assert doc.text == "y = 2\n" and doc.version == 5


# -- imports and resolution ------------------------------------------------------------------

IMPORTS = """\
import os
import numpy as np
import torch as th
import torch.nn.functional as F
from torch import nn, optim as opt_mod
from torch.utils.data import DataLoader as DL
from torch.optim import SGD
from . import local
import torch.nn
"""


def test_collect_imports_every_form():
    bindings = collect_imports(SourceDocument.parse(IMPORTS))
    assert bindings == {
        "os": "os",
        "np": "numpy",
        "th": "torch",
        "F": "torch.nn.functional",
        "nn": "torch.nn",
        "opt_mod": "torch.optim",
        "DL": "torch.utils.data.DataLoader",
        "SGD": "torch.optim.SGD",
        "torch": "torch",
    }


def test_owner_class():
    assert owner_class("torch.Tensor.view") == "torch.Tensor"
    assert owner_class("torch.nn.Module.eval") == "torch.nn.Module"
    assert owner_class("torch.zeros") is None
    assert owner_class("torch.nn.Conv2d") is None


SCRIPT = (
    IMPORTS
    + """
def view(x):
    return x

class Net(nn.Module):
    def view(self, a):
        return a

    def forward(self, x):
        self.split = 3
        y = self.view(x).transpose(0, 1)
        self.eval()
        return F.relu(x).contiguous()  # x.contiguous() in a comment

a = th.zeros(2, 3)
b = a.t().contiguous()
c = (a @ b).view(-1)
d = np.transpose(a).view(1)
e = os.path.join("a", "b")
s = "x.view(3)"
loader = DL(a, batch_size=2)
model = Net()
model.eval()
opt = SGD(model.parameters(), lr=0.1)
opt.zero_grad()
model.zero_grad()
th.nn.Conv2d(1, 1, 3)
view(a)
words = "a b".split(" ")
line = "x"
line.split(2)
parts = a.split(2)
th.nn.Linear(1, 2)
m = th.Tensor.view(a, -1)
"""
)


@pytest.mark.parametrize(
    ("marker", "offset", "occurrence", "expected"),
    [
        ("contiguous()\nc =", 0, 0, ["t.contiguous"]),  # b = a.t().contiguous()
        ("t().contiguous", 0, 0, ["t.transpose"]),
        ("view(-1)", 2, 0, ["t.view"]),  # (a @ b).view(-1)
        ("transpose(0, 1)", 3, 0, ["t.transpose"]),  # self.view(x).transpose(...)
        ("zeros(2", 1, 0, ["c.zeros"]),
        ("DL(a", 0, 0, ["d.loader"]),
        ("SGD(model", 0, 0, ["o.sgd"]),
        ("eval()\nopt", 0, 0, ["m.eval"]),
        ("zero_grad()\nmodel", 0, 0, ["o.loop"]),  # opt = SGD(...) → the optimizer's
        ("zero_grad()\nth", 0, 0, ["m.zero_grad"]),  # model = Net() → the module's
        ("self.eval", 5, 0, ["m.eval"]),
        ("Conv2d(1", 0, 0, ["n.conv"]),
        ("relu(x)", 0, 0, ["n.conv"]),
        ("contiguous()  #", 0, 0, ["t.contiguous"]),
        ("split(2)\nth", 0, 0, ["s.split"]),
        ("Tensor.view(a", 7, 0, ["t.view"]),
        ("DataLoader as DL", 3, 0, ["d.loader"]),  # inside the import statement
        ("SGD\n", 0, 0, ["o.sgd"]),
    ],
)
def test_resolution_hits(index, marker, offset, occurrence, expected):
    assert ids_at(index, SCRIPT, marker, offset, occurrence) == expected


@pytest.mark.parametrize(
    ("marker", "offset", "occurrence"),
    [
        ("view(a)\nwords", 0, 0),  # a local function named view
        ("def view", 4, 0),  # its definition
        ("self.view(x)", 5, 0),  # the class defines view
        ("self.split", 5, 0),  # an instance attribute, not a method
        ("transpose(a)", 0, 0),  # np.transpose
        ("view(1)", 0, 0),  # np.transpose(a).view(1): rooted in numpy
        ("join(", 0, 0),  # os.path.join
        ("x.view(3)", 2, 0),  # inside a string
        ("contiguous() in a comment", 0, 0),  # inside a comment
        ('split(" ")', 0, 0),  # str.split with a string argument
        ("split(2)\nparts", 0, 0),  # line = "x": a string variable
        ("Linear(1", 0, 0),  # a torch API without a note
        ("batch_size=2", 0, 0),  # keyword argument name
        ("    return a", 4, 0),  # a plain local name
        ("(a @ b)", 1, 0),  # a variable
        ("th.zeros", 0, 0),  # the module alias itself has no note
    ],
)
def test_resolution_misses(index, marker, offset, occurrence):
    assert ids_at(index, SCRIPT, marker, offset, occurrence) is None


def test_hover_range_requires_the_cursor_on_the_token(index):
    source = "import torch\nx = torch.zeros(1)\n"
    assert ids_at(index, source, "zeros", 0) == ["c.zeros"]
    assert ids_at(index, source, "zeros", 4) == ["c.zeros"]
    assert ids_at(index, source, "(1)", 0) is None


def test_resolution_in_a_broken_file(index):
    source = "import torch\nfor i in range(3:\n    y = x.t().contiguous(\n    z = torch.zeros(\n"
    assert ids_at(index, source, "contiguous") == ["t.contiguous"]
    assert ids_at(index, source, "zeros") == ["c.zeros"]


def test_iter_resolutions_skips_imports_and_annotations(index):
    source = (
        "import torch\nfrom torch import zeros\n"
        "def f(x: torch.Tensor) -> None:\n    zeros(1).view(-1)\n"
    )
    found = [(r.node.start_point[0], r.symbols) for r in iter_resolutions(analyse(source), index)]
    assert found == [(3, ("torch.zeros",)), (3, ("torch.Tensor.view",))]


# -- completion contexts ------------------------------------------------------------------

CONTEXT = """\
import torch
import numpy as np
from torch import nn

def train(model):
    pt
    pt-tr
    x = torch.
    y = nn.
    z = x.transpose(0, 1).
    q = x.con
    w = np.
    v = 1.
    # pt
    bar(a,
        pt)
    s = "pt
    foo(
        pt
"""


def context_at(marker: str, offset: int = 0, occurrence: int = 0):
    return completion_context(analyse(CONTEXT), at(CONTEXT, marker, offset, occurrence))


def test_statement_start_contexts():
    assert context_at("    pt\n", 6) == StatementStart(5, 4, 6, "pt")
    assert context_at("    pt-tr", 9) == StatementStart(6, 4, 9, "pt-tr")
    assert context_at("    pt-tr", 4) == StatementStart(6, 4, 4, "")
    assert isinstance(context_at("def train", 0), StatementStart)


@pytest.mark.parametrize(
    ("marker", "offset"),
    [
        ('"pt', 3),  # in a string
        ("# pt", 4),  # in a comment
        ("foo(\n        pt", 15),  # in an unclosed argument list
        ("pt)", 2),  # in a closed argument list
        ("x = torch", 3),  # after an assignment
        ("v = 1.", 6),  # a float literal
        ("w = np.", 7),  # a non-torch module
    ],
)
def test_no_completion_contexts(marker, offset):
    assert context_at(marker, offset) is None


def test_member_contexts():
    assert context_at("torch.\n", 6) == MemberAccess(7, 14, 14, "", "torch")
    assert context_at("nn.\n", 3) == MemberAccess(8, 11, 11, "", "torch.nn")
    assert context_at("1).\n", 3) == MemberAccess(9, 26, 26, "", None)
    assert context_at("x.con", 5) == MemberAccess(10, 10, 13, "con", None, "x")
