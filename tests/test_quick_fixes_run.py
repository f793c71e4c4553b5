"""Quick fixes that run: each fix applied to a sample, the result executed under torch.

Every sample is first shown to fail (or warn) as the rule claims, then each of its fixes
is applied with the same edit the editor would apply, and the fixed code must run
(warnings about the deprecated API turned into errors). All samples execute in one
subprocess of the validator's interpreter, each in a fresh namespace.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.diagnostics_support import check
from torch_notes.diagnostics.model import apply_fix

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("torchvision") is None,
    reason="needs torch and torchvision (the validator's environment)",
)

# (name, code, exception the original raises or None when it only warns, rule)
SAMPLES: list[tuple[str, str, str | None, str]] = [
    (
        "view-after-transpose",
        """
        import torch
        x = torch.arange(6).reshape(2, 3)
        y = x.transpose(0, 1).view(-1)
        assert y.tolist() == [0, 3, 1, 4, 2, 5]
        """,
        "RuntimeError",
        "view-after-transpose",
    ),
    (
        "view-after-permute-chain",
        """
        import torch as th
        images = th.rand(4, 3, 8, 8)
        flat = images.permute(0, 2, 3, 1).view(images.size(0), -1)
        assert flat.shape == (4, 192)
        assert th.equal(flat[0, :3], images[0, :, 0, 0])
        """,
        "RuntimeError",
        "view-after-transpose",
    ),
    (
        "view-after-T",
        """
        import torch
        m = torch.arange(6.0).reshape(2, 3)
        assert m.T.view(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        """,
        "RuntimeError",
        "view-after-transpose",
    ),
    (
        "arrange",
        "import torch\nassert torch.arrange(5).tolist() == [0, 1, 2, 3, 4]\n",
        "AttributeError",
        "unknown-torch-attr",
    ),
    (
        "matmu",
        "import torch as th\na = th.eye(2)\nassert th.equal(th.matmu(a, a), a)\n",
        "AttributeError",
        "unknown-torch-attr",
    ),
    (
        "rellu",
        "import torch\nimport torch.nn.functional as F\n"
        "assert F.rellu(torch.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]\n",
        "AttributeError",
        "unknown-torch-attr",
    ),
    (
        "Conv2D",
        "import torch\nfrom torch import nn\n"
        "assert nn.Conv2D(3, 8, 3)(torch.rand(1, 3, 8, 8)).shape == (1, 8, 6, 6)\n",
        "AttributeError",
        "unknown-torch-attr",
    ),
    (
        "from-import",
        "from torch import arrange\nassert arrange(3).tolist() == [0, 1, 2]\n",
        "ImportError",
        "unknown-torch-attr",
    ),
    (
        "repeate",
        "import torch\nassert torch.rand(2, 3).repeate(2, 1).shape == (4, 3)\n",
        "AttributeError",
        "tensor-method-typo",
    ),
    (
        "unsqeeze-bound-name",
        "import torch\nx = torch.zeros(4)\nassert x.unsqeeze(0).shape == (1, 4)\n",
        "AttributeError",
        "tensor-method-typo",
    ),
    (
        "norm-default",
        """
        import torch
        x = torch.tensor([[3.0, -4.0], [0.0, 12.0]])
        assert torch.norm(x) == 13.0
        """,
        None,
        "deprecated-api",
    ),
    (
        "norm-p-dim",
        """
        import torch
        x = torch.tensor([[3.0, -4.0], [0.0, 12.0]])
        assert torch.norm(x, p=1, dim=1).tolist() == [7.0, 12.0]
        assert torch.norm(x, float("inf")) == 12.0
        assert torch.norm(x, "fro", dim=(0, 1)) == 13.0
        assert torch.norm(input=x, p=2, dim=0, keepdim=True).shape == (1, 2)
        """,
        None,
        "deprecated-api",
    ),
    (
        "norm-bare-import",
        """
        import torch
        from torch import norm
        assert norm(torch.tensor([3.0, 4.0]), 2) == 5.0
        """,
        None,
        "deprecated-api",
    ),
    (
        "pretrained-true",
        """
        from torchvision import models
        model = models.squeezenet1_1(pretrained=True)
        assert model.classifier[1].out_channels == 1000
        """,
        None,
        "deprecated-api",
    ),
    (
        "pretrained-false-and-expression",
        """
        import torchvision
        use_weights = False
        a = torchvision.models.squeezenet1_1(pretrained=False)
        b = torchvision.models.squeezenet1_1(pretrained=use_weights, num_classes=10)
        assert b.classifier[1].out_channels == 10
        """,
        None,
        "deprecated-api",
    ),
]

RUNNER = r"""
import json, sys, warnings
import torch
from torchvision import models

# A local copy of the weights "DEFAULT" points to, so the fixed code runs without network.
weights = models.SqueezeNet1_1_Weights.DEFAULT
hub = torch.hub.get_dir() + "/checkpoints"
import os
os.makedirs(hub, exist_ok=True)
state = models.squeezenet1_1(weights=None).state_dict()
torch.save(state, hub + "/" + weights.url.rsplit("/", 1)[1])

warnings.filterwarnings("error", message=".*pretrained.*")
results = []
for name, code in json.load(sys.stdin):
    try:
        exec(compile(code, name, "exec"), {"__name__": "__sample__"})
        results.append([name, None])
    except BaseException as err:
        results.append([name, type(err).__name__ + ": " + str(err)[:300]])
print(json.dumps(results))
"""


def _execute(programs: list[tuple[str, str]], torch_home: Path) -> dict[str, str | None]:
    result = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(programs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"TORCH_HOME": str(torch_home), "PATH": "/usr/bin:/bin", "HOME": str(torch_home)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.splitlines()[-1]))


def test_every_quick_fix_runs(tmp_path: Path) -> None:
    programs: list[tuple[str, str]] = []
    expected_failures: dict[str, str | None] = {}
    fix_count = 0
    for name, code, raises, rule in SAMPLES:
        code = textwrap.dedent(code).lstrip("\n")
        diagnostics = [d for d in check(code) if d.rule == rule]
        assert diagnostics, f"{name}: the rule did not fire"
        programs.append((f"{name}:original", code))
        expected_failures[f"{name}:original"] = raises
        # Apply one fix per diagnostic (the first, then each alternative of the first).
        alternatives = diagnostics[0].fixes
        assert alternatives, f"{name}: no quick fix"
        for number, fix in enumerate(alternatives):
            fixed = code
            for diagnostic in reversed(diagnostics):  # bottom-up keeps earlier spans valid
                chosen = diagnostic.fixes[min(number, len(diagnostic.fixes) - 1)]
                fixed = apply_fix(fixed, chosen if diagnostic is not diagnostics[0] else fix)
            assert not [d for d in check(fixed) if d.rule == rule], f"{name}: still flagged"
            programs.append((f"{name}:fix{number}:{fix.title}", fixed))
            fix_count += 1
    outcomes = _execute(programs, tmp_path)
    for program, _ in programs:
        outcome = outcomes[program]
        if program.endswith(":original"):
            raises = expected_failures[program]
            if raises is None:  # deprecated usage: runs, but warns or is the old API
                continue
            assert outcome is not None and outcome.startswith(raises), (program, outcome)
        else:
            assert outcome is None, (program, outcome)
    print(f"\n{fix_count} quick fixes executed under torch")
    assert fix_count >= len(SAMPLES)
