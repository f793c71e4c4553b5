"""Unit tests of each diagnostic rule: what it flags, and what it must leave alone."""

from __future__ import annotations

import pytest
from tree_sitter import Node

from tests.diagnostics_support import check, found
from torch_notes.analysis.receivers import Receivers
from torch_notes.analysis.values import Value
from torch_notes.diagnostics.inventory import load_inventory, suggest
from torch_notes.diagnostics.model import Severity, apply_fix
from torch_notes.diagnostics.registry import RULE_CODES, RULES

HEADER = "import torch\nimport torch as th\nimport torch.nn.functional as F\nfrom torch import nn\n"


def test_rules_have_stable_codes_and_notes() -> None:
    assert RULE_CODES == (
        "view-after-transpose",
        "unknown-torch-attr",
        "deprecated-api",
        "tensor-method-typo",
    )
    from tests.diagnostics_support import builtin_index

    index = builtin_index()
    for rule in RULES:
        assert rule.note_id is None or rule.note_id in index.by_id, rule.code


# -- view-after-transpose ------------------------------------------------------------------

VIEW = "view-after-transpose"


@pytest.mark.parametrize(
    "expression",
    [
        "x.transpose(0, 1).view(-1)",
        "x.permute(1, 0).view(6)",
        "x.t().view(3, 2)",
        "x.T.view(-1)",
        "x.mT.view(-1)",
        "(x.transpose(0, 1)).view(-1)",
        "x.swapaxes(0, 1).view(x.size(0), -1)",
        "torch.transpose(x, 0, 1).view(-1)",
        "th.permute(x, (1, 0)).view(-1)",
        "torch.rand(2, 3, 4).permute(2, 0, 1).view(4, -1)",
        "x.transpose(0, 1).view((6,))",
        "x.transpose(0, 1).view(n * 2, -1)",
    ],
)
def test_view_after_transpose_hits(expression: str) -> None:
    hits = found(HEADER + f"y = {expression}\n", VIEW)
    assert hits == [(5, "view")]


@pytest.mark.parametrize(
    "code",
    [
        "y = x.transpose(0, 1).contiguous().view(-1)",
        "y = x.transpose(0, 1).reshape(-1)",
        "y = x.reshape(-1)",
        "y = x.view(-1)",
        "y = x.t().contiguous().view(3, 2)",
        "import numpy as np\ny = np.transpose(x).view(np.float32)",
        "import numpy as np\ny = np.transpose(a).view(-1)",
        "y = a.transpose().view(-1)",  # ndarray/DataFrame signature, not torch's
        "y = x.t().view(torch.int32)",  # a dtype view
        "y = x.T.view(dtype=torch.uint8)",
        "y = x.transpose(0, 1).view(torch.float16)",
        "y = x.permute(0, 1, 2).view(-1)",  # identity permutation
        "y = x.transpose(1, 1).view(-1)",
        "y = x.transpose(0, 1).view(shape)",  # could be a dtype: stay quiet
        "y = x.transpose(0, 1).view(*shape)",
        "s = 'x.transpose(0, 1).view(-1)'",
        "# x.transpose(0, 1).view(-1)",
        "def view(a):\n    return a\ny = view(x.transpose(0, 1))",
        "y = image.transpose(Image.FLIP_LEFT_RIGHT).view",
        "y = 'abc'.T.view(-1)",
    ],
)
def test_view_after_transpose_misses(code: str) -> None:
    assert found(HEADER + code + "\n", VIEW) == []


def test_view_after_transpose_fixes() -> None:
    code = HEADER + "y = x.transpose(0, 1).view(-1)\n"
    (diagnostic,) = check(code)
    assert diagnostic.severity is Severity.WARNING
    assert diagnostic.note_id == "tensor.view_vs_reshape"
    fixed = [apply_fix(code, fix).splitlines()[-1] for fix in diagnostic.fixes]
    assert fixed == [
        "y = x.transpose(0, 1).contiguous().view(-1)",
        "y = x.transpose(0, 1).reshape(-1)",
    ]


# -- unknown-torch-attr --------------------------------------------------------------------

UNKNOWN = "unknown-torch-attr"


@pytest.mark.parametrize(
    ("code", "flagged", "guess"),
    [
        ("torch.arrange(5)", "arrange", "arange"),
        ("th.matmu(a, b)", "matmu", "matmul"),
        ("F.rellu(x)", "rellu", "relu"),
        ("nn.Conv2D(3, 8, 3)", "Conv2D", "Conv2d"),
        ("torch.nn.functional.sofmax(x, 1)", "sofmax", "softmax"),
        ("torch.optim.Adamm(p)", "Adamm", "Adam"),
        ("torch.linalg.vector_nrm(x)", "vector_nrm", "vector_norm"),
        ("torch.Tensor.contigous", "contigous", "contiguous"),
        ("nn.Module.evall", "evall", "eval"),
        ("torch.nnn.Linear(2, 2)", "nnn", "nn"),
    ],
)
def test_unknown_attr_hits(code: str, flagged: str, guess: str) -> None:
    (diagnostic,) = [d for d in check(HEADER + code + "\n") if d.rule == UNKNOWN]
    assert diagnostic.severity is Severity.ERROR
    assert f"did you mean `{guess}`?" in diagnostic.message
    assert found(HEADER + code + "\n", UNKNOWN) == [(5, flagged)]
    fixed = apply_fix(HEADER + code + "\n", diagnostic.fixes[0]).splitlines()[-1]
    assert fixed == code.replace(flagged, guess, 1)


def test_unknown_attr_in_from_import() -> None:
    assert found("from torch import arrange, zeros\nfrom torch.nn import Conv2D as C\n") == [
        (1, "arrange"),
        (2, "Conv2D"),
    ]


def test_unknown_attr_links_to_the_note_of_the_suggestion() -> None:
    (diagnostic,) = check(HEADER + "torch.arrange(3)\n")
    assert diagnostic.note_id == "creation.arange_linspace"


@pytest.mark.parametrize(
    "code",
    [
        "torch.arange(5)",
        "torch.nn.functional.relu(x)",
        "torch._C._get_tracing_state()",  # private: not judged
        "torch.__version__",
        "torch.backends.cudnn.benchmark = True",  # submodule the inventory does not list
        "torch.distributed.all_reduce(t)",
        "torch.ops.aten.add",
        "torch.my_extension = object()\ntorch.my_extension.run()",  # assigned by the user
        "if hasattr(torch, 'compiler_futur'):\n    torch.compiler_futur()",
        "try:\n    torch.fancy_new_api()\nexcept AttributeError:\n    pass\n"
        "print(getattr(torch, 'fancy_new_api', None))",
        "try:\n    from torch import fancy_new_api\nexcept ImportError:\n    fancy_new_api = None",
        "try:\n    y = torch.fancy_new_api(x)\nexcept (TypeError, AttributeError):\n    y = x",
        "import numpy as np\nnp.arrange(3)",  # not torch
        "import os\nos.pth.join('a')",
        "s = 'torch.arrange(5)'",
        "# torch.arrange(5)",
        "def f(F):\n    return F.rellu",  # F is rebound: not the import
        "torch = None\ntorch.arrange",
        "from torch.nn import Conv2d, functional",
        "from torchvision import modelz",  # torchvision is not covered by the inventory
        "x.arrange(3)",
    ],
)
def test_unknown_attr_misses(code: str) -> None:
    assert found(HEADER + code + "\n", UNKNOWN) == []


def test_suggest_is_case_insensitive_first_and_bounded() -> None:
    names = load_inventory().modules["torch.nn"]
    assert suggest("Conv2D", names) == "Conv2d"
    assert suggest("conv2d", names) == "Conv2d"
    assert suggest("SomethingElseEntirely", names) is None


# -- deprecated-api ------------------------------------------------------------------------

DEPRECATED = "deprecated-api"


def test_torch_norm_is_deprecated_with_the_note_replacement() -> None:
    (diagnostic,) = check(HEADER + "n = torch.norm(x)\n")
    assert diagnostic.rule == DEPRECATED and diagnostic.deprecated
    assert diagnostic.note_id == "math.norm_deprecated"
    assert "torch.linalg.vector_norm" in diagnostic.message
    fixed = apply_fix(HEADER + "n = torch.norm(x)\n", diagnostic.fixes[0]).splitlines()[-1]
    assert fixed == "n = torch.linalg.vector_norm(x)"


@pytest.mark.parametrize(
    ("call", "rewritten"),
    [
        ("torch.norm(x, p=2, dim=1)", "torch.linalg.vector_norm(x, ord=2, dim=1)"),
        ("th.norm(x, 1)", "th.linalg.vector_norm(x, 1)"),
        ("torch.norm(x, float('inf'))", "torch.linalg.vector_norm(x, float('inf'))"),
        ("torch.norm(x, 'fro', dim=(0, 1))", "torch.linalg.vector_norm(x, 2, dim=(0, 1))"),
        (
            "torch.norm(input=x, p=1, keepdim=True)",
            "torch.linalg.vector_norm(x=x, ord=1, keepdim=True)",
        ),
    ],
)
def test_torch_norm_mechanical_fix(call: str, rewritten: str) -> None:
    (diagnostic,) = check(HEADER + f"n = {call}\n")
    assert apply_fix(HEADER + f"n = {call}\n", diagnostic.fixes[0]).splitlines()[-1] == (
        f"n = {rewritten}"
    )


@pytest.mark.parametrize(
    "call",
    ["torch.norm(x, 'nuc')", "torch.norm(x, p)", "torch.norm(*args)", "torch.norm(x, out=o)"],
)
def test_torch_norm_without_a_mechanical_fix(call: str) -> None:
    (diagnostic,) = check(HEADER + f"n = {call}\n")
    assert diagnostic.rule == DEPRECATED and diagnostic.fixes == ()


def test_deprecations_through_every_import_form() -> None:
    code = (
        "from torch import norm\n"
        "import torch.cuda.amp as amp\n"
        "from torch.cuda.amp import GradScaler\n"
        "a = norm(x)\n"
        "with amp.autocast():\n"
        "    pass\n"
        "s = GradScaler()\n"
    )
    assert found(code, DEPRECATED) == [(4, "norm"), (5, "autocast"), (7, "GradScaler")]
    notes = {d.note_id for d in check(code)}
    assert notes == {"math.norm_deprecated", "amp.cuda_amp_deprecated"}


def test_tensor_norm_only_on_a_certain_tensor() -> None:
    code = HEADER + "x = torch.rand(3)\na = x.norm()\nb = vec.norm()\nc = torch.rand(2).norm(1)\n"
    assert found(code, DEPRECATED) == [(6, "norm"), (8, "norm")]


@pytest.mark.parametrize(
    "code",
    [
        "torch.linalg.vector_norm(x)",
        "import numpy as np\nnp.linalg.norm(x)",
        "vector.norm()",
        "torch.amp.GradScaler('cuda')",
        "torch.autocast('cuda')",
        "def norm(x):\n    return x\nnorm(1)",
    ],
)
def test_deprecated_misses(code: str) -> None:
    assert found(HEADER + code + "\n", DEPRECATED) == []


@pytest.mark.parametrize(
    ("call", "replacement"),
    [
        ("models.resnet18(pretrained=True)", 'models.resnet18(weights="DEFAULT")'),
        ("models.resnet18(pretrained=False)", "models.resnet18(weights=None)"),
        ("tv.models.vgg11(pretrained=use)", 'tv.models.vgg11(weights="DEFAULT" if use else None)'),
        (
            "detection.fasterrcnn_resnet50_fpn(pretrained=True, num_classes=3)",
            'detection.fasterrcnn_resnet50_fpn(weights="DEFAULT", num_classes=3)',
        ),
        (
            "resnet50(progress=False, pretrained=a or b)",
            'resnet50(progress=False, weights="DEFAULT" if a or b else None)',
        ),
    ],
)
def test_pretrained_keyword(call: str, replacement: str) -> None:
    code = (
        "import torchvision as tv\nfrom torchvision import models\n"
        "from torchvision.models import detection, resnet50\n"
        f"m = {call}\n"
    )
    (diagnostic,) = check(code)
    assert diagnostic.rule == DEPRECATED and diagnostic.note_id == "models.torchvision_weights"
    assert found(code) == [(4, "pretrained")]
    assert apply_fix(code, diagnostic.fixes[0]).splitlines()[-1] == f"m = {replacement}"


@pytest.mark.parametrize(
    "code",
    [
        "import timm\nm = timm.create_model('resnet18', pretrained=True)",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained('x')",
        "m = build(pretrained=True)",
        "from torchvision import models\nm = models.resnet18(weights=None)",
        "from torchvision import models\nm = models.ResNet18_Weights(pretrained=True)",
    ],
)
def test_pretrained_misses(code: str) -> None:
    assert check(code + "\n") == ()


def test_pretrained_beside_weights_has_no_fix() -> None:
    code = "from torchvision import models\nm = models.resnet18(pretrained=True, weights=None)\n"
    (diagnostic,) = check(code)
    assert diagnostic.fixes == ()


# -- tensor-method-typo --------------------------------------------------------------------

TYPO = "tensor-method-typo"


@pytest.mark.parametrize(
    "code",
    [
        "y = torch.rand(2, 3).repeate(2, 1)",
        "y = th.zeros(4).unsqeeze(0)",
        "y = torch.tensor([1, 2]).flaot()",
        "y = torch.rand(2, 3).t().contigous()",
        "y = torch.rand(2, 3)[0].unsqeeze(0)",
        "x = torch.rand(2, 3)\ny = x.repeate(2, 1)",
        "def f():\n    x = torch.ones(3)\n    return x.detatch()",
        "x = torch.rand(2)\nz = x.t()\nz.contigous()",
        "from torch import rand as x\nx = torch.rand(2)\nx.repeate(2)",  # imported, then rebound
    ],
)
def test_tensor_typo_hits(code: str) -> None:
    hits = found(HEADER + code + "\n", TYPO)
    assert len(hits) == 1
    (diagnostic,) = [d for d in check(HEADER + code + "\n") if d.rule == TYPO]
    assert diagnostic.fixes and "did you mean" in diagnostic.message


@pytest.mark.parametrize(
    "code",
    [
        "y = x.repeate(2, 1)",  # x is unknown
        "x = torch.rand(2)\nx = x.tolist()\nx.repeate(2)",  # rebound to a list
        "x = torch.rand(2)\ndef f(x):\n    return x.repeate(2)",  # another scope
        "x = torch.rand(2)\ndef f():\n    return x.repeate(2)",  # not the same scope
        "for x in loader:\n    x.repeate(2)",
        "x = torch.rand(2)\nfor x in range(3):\n    x.repeate(2)",
        "x = torch.rand(2)\nx.my_tag = 1\nx.my_tag",  # attribute set by the user
        "y = torch.rand(2).numpy().repeate(2)",  # left torch
        "y = torch.rand(2).max(0).indice",  # a named tuple
        "y = torch.rand(2).repeat(2)",
        "y = torch.rand(2).somethingcompletelydifferent()",  # no close name: not a typo
        "y = np.zeros(3).unsqeeze(0)",
        "s = 'torch.rand(2).repeate(2)'",
        "x = torch.rand(2)\nglobal x\nx.repeate(2)",
    ],
)
def test_tensor_typo_misses(code: str) -> None:
    assert found(HEADER + code + "\n", TYPO) == []


def test_tensor_typo_asks_no_flow_analysis_of_names_only_imports_bind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `torch.zeros` is close to `Tensor.zero_`: the receiver `torch` is an import, so no
    # scope's flow is walked to learn that it is not a tensor (at 20,000 lines of such
    # calls that walk was half of the diagnostics' time)
    asked: list[str] = []
    original = Receivers.value

    def value(self: Receivers, node: Node) -> Value:
        asked.append(node.text.decode())
        return original(self, node)

    monkeypatch.setattr(Receivers, "value", value)
    code = "def f():\n    return torch.zeros(3) + th.zeros(2)\n"
    assert found(HEADER + code, TYPO) == []
    assert asked == []
    assert len(found(HEADER + code.replace("th.zeros(2)", "th.zeros(2).unsqeeze(0)"), TYPO)) == 1
    assert asked[0] == "th.zeros(2)"


def test_tensor_typo_links_to_the_note_of_the_suggestion() -> None:
    (diagnostic,) = check(HEADER + "y = torch.rand(2, 3).repeate(2, 1)\n")
    assert diagnostic.note_id == "tensor.expand_vs_repeat"


# -- robustness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "",
        "import torch\ntorch.",
        "import torch\nx = torch.rand(2, 3).t().view(",
        "import torch\ndef f(:\n    torch.arrange(",
        "import torch\n\x00\ufeff",
        "import torch\nx = (((((",
    ],
)
def test_broken_code_does_not_raise(code: str) -> None:
    check(code)


def test_no_torch_import_means_no_torch_rules() -> None:
    assert check("x.repeate(2)\ntorch.arrange(3)\nF.rellu(x)\n") == ()


def test_from_import_fix_renames_every_use() -> None:
    code = "from torch import arrange\nx = arrange(3)\ny = arrange(4)\nz.arrange\n"
    (diagnostic,) = check(code)
    fixed = apply_fix(code, diagnostic.fixes[0])
    assert fixed == "from torch import arange\nx = arange(3)\ny = arange(4)\nz.arrange\n"


def test_from_import_fix_keeps_a_rebound_name() -> None:
    code = "from torch import arrange\narrange = arrange or None\n"
    (diagnostic,) = check(code)
    assert apply_fix(code, diagnostic.fixes[0]).startswith("from torch import arange as arrange\n")
