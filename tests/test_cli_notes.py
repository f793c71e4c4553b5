"""The people-facing subcommands: show, search, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import good_note
from torch_notes.cli.main import main
from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Text
from torch_notes.i18n import LANGUAGES


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_by_api_tail_in_both_languages(capsys) -> None:
    code, out, _ = run_cli(capsys, "show", "contiguous")
    assert code == 0
    assert out.startswith("contiguous()")
    assert "torch.Tensor.contiguous" in out and "x.transpose(0, 1)" in out
    assert "\nverified on torch " in out  # from snippets/verified.json
    code, out, _ = run_cli(capsys, "show", "torch.Tensor.contiguous", "--lang", "zh")
    assert code == 0 and "易错点" in out and "转置" in out


def test_show_unknown_is_exit_2_on_stderr(capsys) -> None:
    code, out, err = run_cli(capsys, "show", "definitely_not_a_torch_api_xyz")
    assert code == 2 and out == ""
    assert "no note matches 'definitely_not_a_torch_api_xyz'" in err


def test_search_ranks_english_and_chinese(capsys) -> None:
    code, out, _ = run_cli(capsys, "search", "transpose", "view")
    assert code == 0 and "tensor.contiguous" in out
    code, out, _ = run_cli(capsys, "search", "转置", "--lang", "zh")
    assert code == 0 and "tensor.contiguous" in out


def test_export_json_has_every_field_in_both_languages(capsys) -> None:
    code, out, _ = run_cli(capsys, "export", "--format", "json")
    assert code == 0
    notes = json.loads(out)["notes"]
    corpus = load_corpus()
    assert [n["id"] for n in notes] == [n.id for n in corpus.notes]
    for data, note in zip(notes, corpus.notes, strict=True):
        for name in ("title", "summary", "body", "pitfall"):
            value = data[name]
            if value is None:
                assert getattr(note, name) is None
                continue
            for lang in LANGUAGES:
                assert value[lang].strip(), f"{note.id}: {name}.{lang} is empty"
        if data["snippet"]:
            for lang in LANGUAGES:
                assert data["snippet"]["description"][lang].strip()
        assert data["example"].strip() and data["symbols"]


def test_builtin_texts_are_really_translated() -> None:
    """Chinese fields contain Chinese, English fields contain no Chinese."""
    for note in load_corpus().notes:
        texts: list[tuple[str, Text]] = [("title", note.title), ("summary", note.summary)]
        texts.append(("body", note.body))
        if note.pitfall:
            texts.append(("pitfall", note.pitfall))
        for name, text in texts:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), f"{note.id}.{name}.zh"
            assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.en), f"{note.id}.{name}.en"


def test_export_vscode_snippets(capsys, tmp_path: Path) -> None:
    notes_file = tmp_path / "mine.yaml"
    notes_file.write_text(
        "topic: mine\nnotes:\n"
        + good_note("first")
        + "    snippet:\n      prefix: my-loop\n"
        + '      description: {en: "Loop", zh: "循环"}\n'
        + '      body: "for ${1:i} in range(${2:3}):\\n    pass$0"\n',
        encoding="utf-8",
    )
    code, out, _ = run_cli(capsys, "export", "--format", "vscode", "--notes", str(notes_file))
    assert code == 0
    data = json.loads(out)
    assert data["Good first"] == {
        "scope": "python",
        "prefix": "my-loop",
        "body": ["for ${1:i} in range(${2:3}):", "    pass$0"],
        "description": "Loop",
    }


def test_export_reports_broken_user_notes_but_still_exports(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("topic: bad\nnotes:\n" + good_note("x").replace("good.x", "Bad Id"), "utf-8")
    code, out, err = run_cli(capsys, "export", "--notes", str(bad))
    assert code == 1
    assert "bad.yaml:3" in err and "'id'" in err
    assert any(n["id"] == "tensor.contiguous" for n in json.loads(out)["notes"])


def test_console_script_runs_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "torch_notes", "show", "tensor.contiguous"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "contiguous" in result.stdout
