"""``torch-notes check FILE...``: linter-style output and exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT
from torch_notes.cli.main import main


def test_check_prints_path_line_col_rule_message(tmp_path: Path, capsys) -> None:
    path = tmp_path / "train.py"
    path.write_text("import torch\n# 中文 ✓\ny = torch.arrange(5)  # 注释\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:3:11: unknown-torch-attr: `torch.arrange` does not exist: did you mean `arange`?"
    ]


def test_check_columns_count_characters(tmp_path: Path, capsys) -> None:
    path = tmp_path / "cjk.py"
    path.write_text("import torch\nz = ('数据', torch.arrange(5))\n", encoding="utf-8")
    main(["check", str(path)])
    assert capsys.readouterr().out.startswith(f"{path}:2:18: unknown-torch-attr:")


def test_clean_file_exits_0(capsys) -> None:
    assert main(["check", str(REPO_ROOT / "examples" / "train_cifar_like.py")]) == 0
    assert capsys.readouterr().out == ""


def test_severity_off_and_fix_titles(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.py"
    path.write_text("import torch\nx = torch.rand(2, 3).t().view(-1)\n", encoding="utf-8")
    assert main(["check", str(path), "--severity", "view-after-transpose=off"]) == 0
    assert main(["check", str(path), "--fix-titles"]) == 1
    out = capsys.readouterr().out
    assert "fix: Insert `.contiguous()` before `.view`" in out
    assert "fix: Use `reshape` instead of `view`" in out


def test_bad_severity_and_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "a.py"), "--severity", "nope=error"]) == 2
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert "missing.py" in capsys.readouterr().err


def test_mistakes_example_through_the_installed_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "torch_notes", "check", "examples/common_mistakes.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    rules = [line.split(": ")[1] for line in result.stdout.splitlines()]
    assert rules.count("unknown-torch-attr") == 3 and "tensor-method-typo" in rules


def test_check_imports_stay_light() -> None:
    heavy = ("torch_notes.diagnostics", "tree_sitter", "torch.")
    code = (
        "import sys, torch_notes.cli.check_cmd\n"
        f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
