"""Resolution that follows Python: scopes, flow, receiver kinds, and the labelled set's score.

The labelled set (``tests/resolution/labelled/``) is realistic PyTorch code with a label on
every call of a tensor, module or optimizer method name: ``note`` where such a method runs,
``none`` where it does not (see ``tests/resolution/evaluation.py``). The score is printed
(``pytest -s``) and must keep recall ≥ 98 % and precision ≥ 99 %.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types

from tests.conftest import REPO_ROOT
from tests.resolution.evaluation import (
    ApiMembers,
    LabelError,
    inline_labels,
    listing,
    score_labelled,
    sites,
)
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.completion_context import MemberAccess, completion_context
from torch_notes.analysis.distinctive_members import GENERIC_TENSOR_NAMES, TENSOR_NAMES
from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.expressions import identifier_at
from torch_notes.analysis.positions import UTF32
from torch_notes.analysis.resolve import resolve_node
from torch_notes.analysis.values import FOREIGN, TORCH, UNKNOWN

LABELLED = REPO_ROOT / "tests" / "resolution" / "labelled"
FILES = sorted(LABELLED.glob("*.py"))


@pytest.fixture(scope="module")
def api() -> ApiMembers:
    return ApiMembers.shipped()


def analyse(source: str) -> Analysis:
    return Analysis.of(SourceDocument.parse(source, encoding=UTF32))


def symbols_at(source: str, marker: str, api: ApiMembers, occurrence: int = 0) -> tuple[str, ...]:
    """What the resolver gives the identifier starting at the ``occurrence``-th ``marker``."""
    analysis = analyse(source)
    start = -1
    for _ in range(occurrence + 1):
        start = source.index(marker, start + 1)
    row = source.count("\n", 0, start)
    column = start - (source.rfind("\n", 0, start) + 1)
    node = identifier_at(analysis.doc, analysis.doc.point_at(types.Position(row, column)))
    assert node is not None, marker
    resolution = resolve_node(analysis, node, api)
    return () if resolution is None else resolution.symbols


def value_of(source: str, marker: str, occurrence: int = 0):
    """The receivers' value of the identifier starting at the ``occurrence``-th ``marker``."""
    analysis = analyse(source)
    start = -1
    for _ in range(occurrence + 1):
        start = source.index(marker, start + 1)
    row = source.count("\n", 0, start)
    column = start - (source.rfind("\n", 0, start) + 1)
    node = identifier_at(analysis.doc, analysis.doc.point_at(types.Position(row, column)))
    assert node is not None, marker
    return analysis.receivers.value(node)


# -- the labelled set ------------------------------------------------------------------------


def test_the_labelled_set_is_large_and_covers_both_outcomes(api):
    labelled = [pair for path in FILES for pair in inline_labels(str(path), path.read_text(), api)]
    assert len(FILES) >= 8
    assert len(labelled) >= 300
    assert sum(positive for _, positive in labelled) >= 150
    assert sum(not positive for _, positive in labelled) >= 150


def test_recall_and_precision_on_the_labelled_set(api):
    score = score_labelled(FILES, api, REPO_ROOT)
    print(f"\nlabelled set: {score.summary()}")
    for line in listing(score.misses):
        print(f"  miss: {line}")
    for line in listing(score.false_hits):
        print(f"  false hit: {line}")
    assert score.recall >= 0.98, score.summary()
    assert score.precision >= 0.99, score.summary()


@pytest.mark.parametrize(
    ("file", "line", "name", "positive"),
    [
        # a parameter ``data`` shadows ``import data``
        ("language_model.py", "data = data.view(bsz, -1).t().contiguous()", "view", True),
        ("language_model.py", "data = data.view(bsz, -1).t().contiguous()", "contiguous", True),
        ("language_model.py", "nbatch = data.size(0) // bsz", "size", True),
        # a list, then a tensor under the same name
        ("policy_gradient.py", "policy_loss = torch.cat(policy_loss).sum()", "sum", True),
        ("policy_gradient.py", "policy_loss.backward()", "backward", True),
        # a PIL image, then a transform's tensor
        ("style_transfer.py", "content_image = content_image.unsqueeze(0)", "unsqueeze", True),
        # an instance of local project code, called
        ("distributed_training.py", "loss = model(batch).sum()", "sum", True),
        ("distributed_training.py", "    loss.backward()  # note\n    return", "backward", True),
        # attributes of ``self``
        ("attention_blocks.py", "return out + self.bias.unsqueeze(0)", "unsqueeze", True),
        ("attention_blocks.py", "self.dataset.data.unsqueeze(1).clone()", "unsqueeze", True),
        ("attention_blocks.py", "self.dataset.data.unsqueeze(1).clone()", "clone", True),
        # traps
        ("style_transfer.py", 'if device.type == "cuda"', "type", False),
        (
            "distributed_training.py",
            "dist_autograd.backward(context_id, [loss])",
            "backward",
            False,
        ),
        ("distributed_training.py", "np.transpose(grid)", "transpose", False),
        ("tabular_pipeline.py", 'os.path.join(root, "housing.csv")', "join", False),
        ("tabular_pipeline.py", 'names = line.strip().split(",")', "split", False),
        ("tabular_pipeline.py", "totals = frame.sum(numeric_only=True)", "sum", False),
        ("image_io.py", "img = img.resize((size, size))", "resize", False),
        ("image_io.py", "flat = arr.view(np.uint8).reshape(-1)", "view", False),
        ("policy_gradient.py", "scores.mean(), scores.std(), scores.max()", "mean", False),
        ("digits_classifier.py", "        scheduler.step()", "step", False),
    ],
)
def test_the_patterns_of_the_issue_are_labelled_and_resolved(api, file, line, name, positive):
    path = LABELLED / file
    labelled = inline_labels(str(path), path.read_text(), api)
    text = path.read_text()
    row = text[: text.index(line)].count("\n") + line.count("\n", 0, line.index(name)) + 1
    found = [(site, label) for site, label in labelled if site.line == row and site.name == name]
    assert found, f"{file}:{row}: no labelled {name!r}"
    for site, label in found:
        assert label == positive
        assert site.predicted == positive, site


def test_labels_must_match_the_calls(api):
    with pytest.raises(LabelError, match="labels"):
        inline_labels("x.py", "import torch\ny = torch.zeros(2).t()  # note\n", api)
    with pytest.raises(LabelError, match="unlabelled"):
        inline_labels("x.py", "import torch\ny = torch.zeros(2).t()\n", api)
    pairs = inline_labels("x.py", "import torch\ny = torch.zeros(2).t()  # none note\n", api)
    assert [(site.name, label) for site, label in pairs] == [("zeros", False), ("t", True)]


def test_predictions_do_not_depend_on_the_order_of_questions(api):
    text = (LABELLED / "language_model.py").read_text()
    forward = [site.predicted for site in sites("f", text, api)]
    analysis = analyse(text)
    from tests.resolution.evaluation import call_names, is_method, predict

    backward = [is_method(predict(analysis, node, api)) for node in reversed(call_names(analysis))]
    assert forward == backward[::-1]


# -- the rule for unknown receivers --------------------------------------------------------------


def test_the_distinctive_and_generic_lists_split_the_tensor_api():
    inventory = json.loads(
        (REPO_ROOT / "server" / "torch_notes" / "data" / "torch_api.json").read_text()
    )
    public = {name for name in inventory["classes"]["torch.Tensor"] if not name.startswith("_")}
    assert not TENSOR_NAMES & GENERIC_TENSOR_NAMES
    assert public == TENSOR_NAMES | GENERIC_TENSOR_NAMES
    assert {"contiguous", "unsqueeze", "backward", "masked_fill", "permute"} <= TENSOR_NAMES
    assert {"sum", "to", "type", "item", "view", "reshape", "split"} <= GENERIC_TENSOR_NAMES


@pytest.mark.parametrize(
    ("call", "resolves"),
    [
        ("x.contiguous()", True),
        ("x.unsqueeze(0)", True),
        ("x.masked_fill(m, 0)", True),
        ("x.backward()", True),
        ("x.view(-1)", True),
        ("x.view(b, t, c)", True),
        ("x.view(x.size(0), -1)", True),
        ("x.view(np.uint8)", False),
        ("x.view()", False),
        ("x.sum()", False),
        ("x.sum(dim=1)", True),
        ("x.to(device)", False),
        ('x.to("cuda")', True),
        ("x.to(torch.float16)", True),
        ("x.to(dev, non_blocking=True)", True),
        ("x.type()", False),
        ("x.type(torch.float32)", True),
        ("x.item()", False),
        ("x.copy()", False),
        ("x.append(1)", False),
        ("x.split(2)", True),
        ('x.split(",")', False),
        ("x.transpose(1, 2)", True),
        ("x.transpose(2, 0, 1)", False),
        ("x.size()", True),
        ("x.eval()", True),
        ('x.eval("a + b")', False),
        ("x.parameters()", True),
        ("x.step()", False),
    ],
)
def test_unknown_receivers_resolve_only_distinctive_names(api, call, resolves):
    source = f"import numpy as np\nimport torch\n\ndef f(x, b, t, c, m, dev):\n    {call}\n"
    name = call.partition(".")[2].partition("(")[0]
    found = symbols_at(source, f"{name}(", api)
    assert bool(found) == resolves, found


def test_device_type_is_not_a_tensor_note(api):
    source = 'import torch\ndevice = torch.device("cuda")\nprint(device.type)\nx = torch.ones(2)\n'
    assert symbols_at(source, "type)", api) == ()
    source += "x.type(torch.float16)\n"
    assert symbols_at(source, "type(torch", api) == ("torch.Tensor.type",)


def test_ranking_prefers_the_class_the_receiver_name_suggests(api):
    source = "def f(optimizer, model):\n    optimizer.zero_grad()\n    model.zero_grad()\n"
    assert symbols_at(source, "zero_grad", api, 0)[0] == "torch.optim.Optimizer.zero_grad"
    assert symbols_at(source, "zero_grad", api, 1)[0] == "torch.nn.Module.zero_grad"


# -- scopes --------------------------------------------------------------------------------------

SCOPES = """\
import torch
import numpy as np
import data

x = np.zeros(3)

def f(x):
    return x.view(2, -1)

def g():
    x = torch.zeros(3)
    return x.sum()

def h():
    return x.sum()

class C:
    x = torch.zeros(3)

    def m(self):
        return x.sum()

def comprehension(rows):
    x = np.ones(2)
    return [x.sum() for x in torch.zeros(2, 2)], x.sum()

def uses_global():
    global x
    x = torch.ones(2)
    return x.sum()

def outer():
    y = torch.zeros(1)
    def inner():
        nonlocal y
        return y.sum()
    return inner

def deleted():
    z = torch.zeros(1)
    del z
    z = np.zeros(1)
    return z.sum()

def shadow(data, torch):
    return data.sum(), torch.zeros(1)
"""


@pytest.mark.parametrize(
    ("marker", "occurrence", "kind", "what"),
    [
        ("x.view", 0, UNKNOWN, ""),  # the parameter, not the module-level array
        ("x.sum", 0, TORCH, "torch.Tensor"),  # the local
        ("x.sum", 1, FOREIGN, "numpy"),  # the module's x, from a function
        ("x.sum", 2, FOREIGN, "numpy"),  # class bodies do not enclose methods
        ("x.sum", 3, TORCH, "torch.Tensor"),  # the comprehension's own x
        ("x.sum", 4, FOREIGN, "numpy"),  # ... does not leak out of it
        ("y.sum", 0, TORCH, "torch.Tensor"),  # nonlocal
        ("z.sum", 0, FOREIGN, "numpy"),  # del, then rebound
        ("data.sum", 0, UNKNOWN, ""),  # a parameter shadows ``import data``
    ],
)
def test_scopes(marker, occurrence, kind, what):
    value = value_of(SCOPES, marker, occurrence)
    assert (value.kind, value.what) == (kind, what)


def test_a_global_statement_sends_the_name_to_the_module():
    value = value_of(SCOPES, "x.sum", 5)
    assert value.kind == TORCH and value.what == "torch.Tensor" and not value.certain


def test_a_shadowed_torch_is_not_torch(api):
    assert symbols_at(SCOPES, "zeros(1)\n", api, occurrence=3) == ()  # shadow(data, torch)


# -- flow ----------------------------------------------------------------------------------------

FLOW = """\
import torch
import numpy as np
from PIL import Image

def reassigned(path, transform):
    img = Image.open(path)
    a = img.resize((2, 2))
    img = transform(img)
    return img.unsqueeze(0)

def branches(flag):
    if flag:
        v = torch.zeros(2)
    else:
        v = torch.ones(2)
    w = torch.zeros(2) if flag else np.zeros(2)
    if flag:
        u = torch.zeros(2)
    else:
        u = [1, 2]
    return v.sum(), w.sum(), u.sum()

def early_exit(batch):
    if batch is None:
        return None
    batch = torch.as_tensor(batch)
    return batch.sum()

def looped(items):
    t = np.zeros(2)
    for item in items:
        t.sum()
        t = torch.zeros(2)
    return t.sum()

def narrowed(v):
    if isinstance(v, torch.Tensor):
        return v.item()
    return v

def trying():
    try:
        q = torch.zeros(2)
    except ValueError as error:
        q = np.zeros(2)
        error.args
    return q.sum()

def walrus(rows):
    if (n := torch.tensor(rows)).numel() > 2:
        return n.sum()
"""


@pytest.mark.parametrize(
    ("marker", "occurrence", "kind", "what"),
    [
        ("img.resize", 0, FOREIGN, "PIL"),
        ("img.unsqueeze", 0, UNKNOWN, ""),  # transform(img): unknown, no longer the image
        ("v.sum", 0, TORCH, "torch.Tensor"),  # both branches agree
        ("w.sum", 0, UNKNOWN, ""),  # a tensor or an array: unknown
        ("u.sum", 0, UNKNOWN, ""),
        ("batch.sum", 0, TORCH, "torch.Tensor"),
        ("t.sum", 0, UNKNOWN, ""),  # first iteration: an array; later ones: a tensor
        ("t.sum", 1, UNKNOWN, ""),  # zero iterations leave the array
        ("v.item", 0, TORCH, "torch.Tensor"),  # isinstance narrows
        ("q.sum", 0, UNKNOWN, ""),
        ("error.args", 0, FOREIGN, "object"),
        ("n.sum", 0, TORCH, "torch.Tensor"),
    ],
)
def test_flow(marker, occurrence, kind, what):
    value = value_of(FLOW, marker, occurrence)
    assert (value.kind, value.what) == (kind, what)


def test_flow_resolution_of_the_reassigned_image(api):
    assert symbols_at(FLOW, "unsqueeze", api) == ("torch.Tensor.unsqueeze",)
    assert symbols_at(FLOW, "resize", api) == ()


def test_certainty_is_kept_for_plain_assignments_only():
    source = (
        "import torch\nx = torch.zeros(2)\ny = x.t()\nfor z in x:\n    pass\n"
        "x.sum(); y.sum(); z.sum()\n"
    )
    assert value_of(source, "x.sum").certain
    assert value_of(source, "y.sum").certain
    assert not value_of(source, "z.sum").certain


# -- evidence from calls and uses ------------------------------------------------------------------

EVIDENCE = """\
import torch
from torch import nn
from model import Net

def train(model, loader, optimizer, device):
    model.train()
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        print(loss.item())

def uses(h):
    h.unsqueeze(0)
    return h.sum()

def conflicting(maml):
    maml.parameters()
    return maml.clone()

net = Net()
loader = torch.utils.data.DataLoader([], batch_size=2)
train(net, loader, torch.optim.SGD(net.parameters(), lr=0.1), torch.device("cpu"))
out = net(torch.zeros(1)).sum()
"""


@pytest.mark.parametrize(
    ("marker", "occurrence", "expected"),
    [
        ("to(device)", 0, "torch.Tensor.to"),  # loader: a DataLoader at the call site
        ("step()", 0, "torch.optim.Optimizer.step"),  # optimizer: an SGD at the call site
        ("item()", 0, "torch.Tensor.item"),
        ("sum()", 0, "torch.Tensor.sum"),  # h: its uses give it away
        ("clone()", 0, None),  # parameters() and clone(): the uses disagree
        ("sum()\n", 1, "torch.Tensor.sum"),  # Net(): project code, called: a module's output
    ],
)
def test_evidence_from_call_sites_and_uses(api, marker, occurrence, expected):
    found = symbols_at(EVIDENCE, marker, api, occurrence)
    assert (found[0] if found else None) == expected


# -- completion receivers ------------------------------------------------------------------------


def test_completion_receivers_come_from_the_same_receivers():
    base = 'import torch\nimport numpy as np\nx = torch.zeros(3)\ns = "abc"\na = np.ones(2)\n'
    for line, expected in [("s.", None), ("a.", None), ("x.t().", "torch.Tensor"), ("q.", "")]:
        source = base + line + "\nprint(1)\n"
        context = completion_context(analyse(source), types.Position(5, len(line)))
        if expected is None:
            assert context is None, line
        else:
            assert isinstance(context, MemberAccess) and context.value is not None
            assert context.value.what == expected


def test_the_benchmark_label_table_parses(tmp_path: Path):
    from tests.resolution.evaluation import table_labels

    table = tmp_path / "labels.tsv"
    table.write_text("# comment\na/b.py\t3\t5\tview\tnote\n", encoding="utf-8")
    assert table_labels(table) == {("a/b.py", 3, 5): ("view", True)}
    table.write_text("a/b.py\t3\tview\tnote\n", encoding="utf-8")
    with pytest.raises(LabelError):
        table_labels(table)


@pytest.mark.timeout(20)
def test_a_file_that_is_all_error_still_resolves_and_terminates(api):
    source = (
        "import torch\nfrom torch import nn\n\ndef forward(x:\n"
        "    y = super().forward(x).contiguous(\n    for i in range(3\n"
        "        z = torch.cat([y, y]\n    return y.view(-1\n"
    )
    assert analyse(source).doc.tree.root_node.type == "ERROR"
    found = {site.name: site.predicted for site in sites("broken.py", source, api)}
    assert found["contiguous"] and found["view"] and not found["cat"]


def test_notebook_cells_carry_what_names_hold(api):
    from torch_notes.analysis.notebook import Cell, NotebookAnalyser

    cells = [
        Cell("1", "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    pass\n", 1),
        Cell("2", 'model = Net()\ndevice = "cuda"\nwords = "a b".split()\n', 1),
        Cell("3", "model.to(device)\nwords.index('a')\nmodel = 3\n", 1),
        Cell("4", "model.to(device)\n", 1),
    ]
    found = NotebookAnalyser(UTF32).analyse(cells)

    def symbols(key: str, marker: str) -> tuple[str, ...]:
        analysis = found[key]
        start = analysis.doc.text.index(marker)
        node = identifier_at(analysis.doc, analysis.doc.point_at(types.Position(0, start)))
        resolution = resolve_node(analysis, node, api)
        return () if resolution is None else resolution.symbols

    assert symbols("3", "to(") == ("torch.nn.Module.to",)  # Net(): a module, from two cells up
    assert found["3"].exports.values["words"].kind == FOREIGN
    assert symbols("4", "to(") == ()  # model = 3 in cell 3
