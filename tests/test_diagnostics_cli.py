"""``torch-notes check FILE...``: linter-style output and exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_check_lang_zh_prints_chinese_messages_and_fix_titles(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.py"
    path.write_text(
        "import torch\nx = torch.rand(2, 3).t().view(-1)\ny = torch.arrange(5)\n",
        encoding="utf-8",
    )
    assert main(["check", str(path), "--lang", "zh", "--fix-titles"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{path}:2:26: view-after-transpose: 对 `t()` 的结果调用 `view`，若新形状合并或拆分了"
        "被交换的维度就会报错：此时张量已不再连续。请先调用 `.contiguous()`，或改用 `reshape`。",
        "    fix: 在 `.view` 前插入 `.contiguous()`",
        "    fix: 改用 `reshape` 代替 `view`",
        f"{path}:3:11: unknown-torch-attr: `torch.arrange` 不存在：你是想用 `arange` 吗？",
        "    fix: 改为 `arange`",
    ]
    assert main(["check", str(path), "--lang", "en"]) == 1
    assert "did you mean `arange`?" in capsys.readouterr().out


def test_check_lang_rejects_other_languages(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a.py"
    path.write_text("import torch\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(path), "--lang", "fr"])
    assert exit_info.value.code == 2
    assert "--lang" in capsys.readouterr().err


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
