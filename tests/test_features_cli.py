"""The ``explain`` and ``lsp`` subcommands' command lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from torch_notes.cli.main import build_parser, main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "train_cifar_like.py"


def test_explain_lists_every_place(capsys):
    assert main(["explain", str(EXAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 20
    pattern = re.compile(rf"^{re.escape(str(EXAMPLE))}:\d+:\d+: [a-z_]+(\.[a-z0-9_]+)+: \S.*$")
    assert all(pattern.match(line) for line in lines)
    source = EXAMPLE.read_text(encoding="utf-8").splitlines()
    for line in lines:
        row, col, _rest = line[len(str(EXAMPLE)) + 1 :].split(":", 2)
        assert source[int(row) - 1][int(col) - 1].isidentifier()
    assert any(": tensor.contiguous: " in line for line in lines)


def test_explain_in_chinese_and_missing_file(capsys, tmp_path):
    script = tmp_path / "s.py"
    script.write_text(
        'import torch\ns = "中文🚀"; y = torch.ones(2).contiguous()\n', encoding="utf-8"
    )
    assert main(["explain", "--lang", "zh", str(script), str(tmp_path / "missing.py")]) == 1
    captured = capsys.readouterr()
    assert f"{script}:2:30: tensor.contiguous: " in captured.out  # columns count characters
    assert "步幅" in captured.out
    assert "missing.py" in captured.err


def test_lsp_options():
    args = build_parser().parse_args(["lsp", "--tcp", "127.0.0.1:2087", "--log-level", "debug"])
    assert args.tcp == ("127.0.0.1", 2087) and args.log_level == "debug"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["lsp", "--tcp", "nope"])


def test_cli_modules_import_lightly():
    code = (
        "import sys, torch_notes.cli.lsp_cmd, torch_notes.cli.explain_cmd;"
        "heavy = [m for m in ('pygls', 'lsprotocol', 'tree_sitter', 'torch') if m in sys.modules];"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
