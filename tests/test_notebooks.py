"""Notebooks as a document kind: IPython syntax made inert, cells analysed in order, the CLI.

``explain``, ``check`` and ``coverage`` read ``.ipynb`` files cell by cell and report
``file.ipynb:cell N:line:col``; a notebook that is not valid JSON is reported and the
other files are still processed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torch_notes.analysis.notebook import (
    Cell,
    NotebookAnalyser,
    NotebookFormatError,
    notebook_cells,
    python_source,
)
from torch_notes.analysis.positions import UTF16
from torch_notes.cli.main import main


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("%matplotlib inline\nx = 1", "...  # %matplotlib inline\nx = 1"),
        ("!pip install torch", "...  # !pip install torch"),
        ("files = !ls -la", "files = ...  # !ls -la"),
        ("for i in range(2):\n    !echo $i", "for i in range(2):\n    ...  # !echo $i"),
        ("torch.nn.Linear??", "...  # torch.nn.Linear??"),
        ("?torch.rand", "...  # ?torch.rand"),
        ("x = a if b else c  # why?", "x = a if b else c  # why?"),
        ("%%time\nimport torch", "...  # %%time\nimport torch"),
        ("%%bash\necho torch.arrange", "# %%bash\n# echo torch.arrange"),
        ("s = 'what?';", "s = 'what?';"),
    ],
)
def test_ipython_syntax_becomes_inert_python(cell: str, expected: str) -> None:
    assert python_source(cell) == expected
    assert python_source(cell).count("\n") == cell.count("\n"), "lines keep their numbers"


def test_cells_see_what_the_cells_above_bound_and_nothing_below() -> None:
    analyser = NotebookAnalyser(UTF16)
    cells = [
        Cell("1", "x = torch.rand(2)\n", 1),
        Cell("2", "import torch as th\nimport torch.nn.functional as F\n", 1),
        Cell("3", "opt = th.optim.SGD(params, lr=0.1)\n", 1),
        Cell("4", "y = F.relu(\n", 1),
        Cell("5", "opt.zero_grad()\n", 1),
    ]
    found = analyser.analyse(cells)
    assert found["1"].imports == {}, "not yet imported when cell 1 runs"
    assert found["3"].imports == {"th": "torch", "F": "torch.nn.functional"}
    opt = found["5"].exports.values["opt"]
    assert opt.what == "torch.optim.Optimizer", "through a broken cell"
    assert analyser.analyse(cells)["5"] is found["5"], "cached while nothing changed"
    cells[1] = Cell("2", "import numpy as th\n", 2)
    assert analyser.analyse(cells)["5"].imports == {"th": "numpy"}


def notebook(cells: list[tuple[str, str]], language: str = "python") -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                for kind, source in cells
            ],
            "metadata": {"kernelspec": {"language": language, "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def test_code_cells_are_numbered_as_a_reader_counts_them() -> None:
    text = notebook([("markdown", "# Title"), ("code", "import torch\n"), ("code", "x = 1")])
    assert notebook_cells(text) == [(2, "import torch\n"), (3, "x = 1")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "no 'cells' list"),
        (notebook([("code", "x")], language="julia"), "julia notebook"),
        ('{"cells": [{"cell_type": "code", "source": 5}]}', "cell 1: 'source' is not text"),
    ],
)
def test_what_is_not_a_python_notebook_is_refused(text: str, reason: str) -> None:
    with pytest.raises(NotebookFormatError, match=reason.replace("(", r"\(")):
        notebook_cells(text)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "train.ipynb"
    good.write_text(
        notebook(
            [
                ("code", "%matplotlib inline\nimport torch\n"),
                ("markdown", "torch.arrange is a typo"),
                ("code", "!nvidia-smi\nx = torch.rand(2, 3)\ny = x.transpose(0, 1).contiguous()\n"),
                ("code", "z = torch.arrange(3)\n"),
            ]
        ),
        encoding="utf-8",
    )
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ this is not json", encoding="utf-8")
    script = tmp_path / "script.py"
    script.write_text("import torch\nw = torch.arrange(2)\n", encoding="utf-8")
    return {"good": good, "broken": broken, "script": script}


def test_explain_reports_cell_locations(files, capsys) -> None:
    assert main(["explain", str(files["broken"]), str(files["good"])]) == 1
    out, err = capsys.readouterr()
    assert f"{files['good']}:cell 3:3:23: tensor.contiguous:" in out
    assert f"{files['broken']}: not valid JSON" in err


def test_check_reports_cell_locations_and_goes_on(files, capsys) -> None:
    paths = [str(files["good"]), str(files["broken"]), str(files["script"])]
    assert main(["check", *paths]) == 2
    out, err = capsys.readouterr()
    assert f"{files['good']}:cell 4:1:11: unknown-torch-attr:" in out
    assert f"{files['script']}:2:11: unknown-torch-attr:" in out, "the file after it is checked"
    assert "cell 2" not in out, "markdown cells are not code"
    assert "not valid JSON" in err


def test_coverage_counts_notebook_cells(files, capsys) -> None:
    assert main(["coverage", "--json", str(files["good"].parent)]) == 2
    report = json.loads(capsys.readouterr().out)
    measured = {Path(entry["path"]).name: entry for entry in report["files"]}
    assert set(measured) == {"train.ipynb", "script.py"}
    assert measured["train.ipynb"]["references"] >= 4
    assert [Path(e["path"]).name for e in report["errors"]] == ["broken.ipynb"]
