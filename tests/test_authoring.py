"""The note-writing package, unit by unit: checks, symbols, context and completion, scaffold,
validation outcomes, the local verified-on record."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.note_file_mistakes import EXPECTED, INVALID_YAML_TEXT, MISTAKES_TEXT
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import SourceDocument
from torch_notes.authoring.api import EXISTS, MISSING, UNCHECKED, check_symbol
from torch_notes.authoring.checks import check_note_text
from torch_notes.authoring.completion import complete
from torch_notes.authoring.context import key_context, value_context
from torch_notes.authoring.cursor import NoteFileCursor
from torch_notes.authoring.outcomes import FAILED, PASSED, note_result, result_findings
from torch_notes.authoring.preview import card_preview
from torch_notes.authoring.scaffold import (
    imports_for,
    note_id_for,
    plan_new_note,
    topic_for,
)
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus, load_text
from torch_notes.corpus.paths import builtin_corpus_dir
from torch_notes.corpus.verified import (
    LocalEntry,
    LocalVersion,
    load_local_record,
    local_versions,
    write_local_record,
)
from torch_notes.diagnostics.inventory import load_inventory
from torch_notes.features.hover import hover
from torch_notes.features.markdown import card_markdown
from torch_notes.plain_text import plain_text

INDEX = CorpusIndex.build(load_corpus([]))
INVENTORY = load_inventory()
USER_FILE = Path("/nonexistent/notes/mine.yaml")


def check(text: str, path: Path = USER_FILE):
    return check_note_text(text, path, INDEX, INVENTORY)


def rows(text: str) -> dict[str, int]:
    lines = text.split("\n")
    found = {}
    for kind in EXPECTED:
        marker = f"# {kind}" if kind != "hover-outside" else "hover-outside:"
        found[kind] = next(row for row, line in enumerate(lines) if marker in line)
    return found


def test_every_kind_of_mistake_is_found_at_its_line_and_nothing_else() -> None:
    report = check(MISTAKES_TEXT)
    by_row: dict[int, list[str]] = {}
    for finding in report.findings:
        by_row.setdefault(finding.span.row, []).append(plain_text(finding.message("en"), "en"))
    expected = rows(MISTAKES_TEXT)
    for kind, fragment in EXPECTED.items():
        assert any(fragment in m for m in by_row.get(expected[kind], [])), (kind, by_row)
    assert set(by_row) == set(expected.values())
    assert len({f.code for f in report.findings}) >= 7


def test_a_finding_covers_the_field_not_the_whole_line() -> None:
    report = check(MISTAKES_TEXT)
    line = MISTAKES_TEXT.split("\n")[rows(MISTAKES_TEXT)["unknown-symbol"]]
    (finding,) = [f for f in report.findings if f.code == "note-symbol"]
    assert line[finding.span.column : finding.span.end_column] == "torch.nn.Lineer"
    line = MISTAKES_TEXT.split("\n")[rows(MISTAKES_TEXT)["not-a-string"]]
    (finding,) = [f for f in report.findings if "must be a string" in f.message("en")]
    assert line[finding.span.column : finding.span.end_column] == "en: 42"


def test_messages_of_the_checks_come_in_chinese_too() -> None:
    report = check(MISTAKES_TEXT)
    symbol = next(f for f in report.findings if f.code == "note-symbol")
    assert "是不是想写" in symbol.message("zh")


def test_invalid_yaml_is_one_finding_where_the_parser_stopped() -> None:
    (finding,) = check(INVALID_YAML_TEXT).findings
    assert finding.code == "note-yaml" and finding.span.row == 4


@pytest.mark.parametrize("path", sorted(builtin_corpus_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_the_builtin_files_have_no_findings(path: Path) -> None:
    report = check(path.read_text(encoding="utf-8"), path)
    assert report.findings == ()
    assert {note.id for note in report.notes} == {
        note.id for note in INDEX.corpus.notes if note.location.path == path
    }


def test_the_text_is_checked_not_the_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("topic: mine\nnotes: []\n", encoding="utf-8")
    report = check(MISTAKES_TEXT, path)
    assert report.findings and path.read_text(encoding="utf-8") == "topic: mine\nnotes: []\n"
    notes, errors = load_text("topic: t\nnotes: [1\n", Path("/nowhere/t.yaml"))
    assert notes == [] and "invalid YAML" in errors[0].message


def test_symbols_against_the_inventory() -> None:
    assert check_symbol("torch.nn.Linear", INVENTORY).status == EXISTS
    assert check_symbol("torch.Tensor.view", INVENTORY).status == EXISTS
    missing = check_symbol("torch.arrange", INVENTORY)
    assert missing.status == MISSING and missing.suggestion == "torch.arange"
    assert (
        check_symbol("torch.nn.Lineer.forward", INVENTORY).suggestion == "torch.nn.Linear.forward"
    )
    for unchecked in (
        "torchvision.transforms.Compose",
        "torch.nn.Linear.forward",
        "torch.__version__",
    ):
        assert check_symbol(unchecked, INVENTORY).status == UNCHECKED, unchecked


def test_every_builtin_symbol_exists_or_is_unchecked() -> None:
    missing = [
        (note.id, symbol)
        for note in INDEX.corpus.notes
        for symbol in note.symbols
        if check_symbol(symbol, INVENTORY).status == MISSING
    ]
    assert missing == []


NOTE_TEXT = """\
topic: mine
notes:
  - id: mine.one
    symbols: [torch.nn.Li, torch.zeros]
    related: [tensor.cont]
    requires: [cu]
    snippet:
      pre
    su
  - i
"""


def _lines() -> list[str]:
    return NOTE_TEXT.split("\n")


def test_key_context_knows_the_parent_and_what_is_written() -> None:
    lines = _lines()
    note = key_context(lines, 8, 6)
    assert note is not None and note.parent.key == "notes"
    assert {"id", "symbols", "related", "requires", "snippet"} <= note.parent.siblings
    assert key_context(lines, 7, 9).parent.key == "snippet"
    new = key_context(lines, 9, 5)
    assert new.new_item and new.parent.siblings == frozenset()


def test_value_context_finds_the_word_of_a_list() -> None:
    lines = _lines()
    found = value_context(lines, 3, lines[3].index("Li") + 2)
    assert found is not None and (found.field, found.word) == ("symbols", "torch.nn.Li")
    assert value_context(lines, 4, lines[4].index("cont") + 4).field == "related"
    assert value_context(lines, 2, 12, forward=True).word == "mine.one"
    assert value_context(lines, 8, 6) is None


def _complete(row: int, column: int) -> list[types.CompletionItem]:
    cursor = NoteFileCursor(
        _lines(), row, column, index=INDEX, inventory=INVENTORY, lang="en", encoding="utf-16"
    )
    return complete(cursor).items


def test_completion_of_symbols_related_ids_tags_and_fields() -> None:
    lines = _lines()
    items = _complete(3, lines[3].index("Li") + 2)
    linear = next(item for item in items if item.label == "Linear")
    assert linear.text_edit.new_text == "torch.nn.Linear"
    assert linear.kind == types.CompletionItemKind.Class and "layers.linear" in linear.detail
    assert linear.text_edit.range.start.character == lines[3].index("torch.nn.Li")
    related = {item.label for item in _complete(4, lines[4].index("cont") + 4)}
    assert "tensor.contiguous" in related
    assert {item.label for item in _complete(5, lines[5].index("cu") + 2)} >= {"cuda"}
    fields = {item.label for item in _complete(8, 6)}
    assert "summary" in fields and "symbols" not in fields
    assert {item.label for item in _complete(7, 9)} >= {"prefix", "body", "description"}
    assert next(item.label for item in _complete(9, 5)) == "id"


def test_scaffold_names_and_imports() -> None:
    assert topic_for("torch.nn.Linear") == "nn"
    assert topic_for("torch.Tensor.view") == "tensor"
    assert topic_for("torch.nn.functional.relu") == "nn_functional"
    assert topic_for("torch.zeros") == "torch"
    assert note_id_for("torch.Tensor.view", set()) == "tensor.view"
    assert note_id_for("torch.nn.Linear", {"nn.linear"}) == "nn.linear_2"
    assert imports_for("torch.nn.functional.relu").expression == "F.relu"
    assert imports_for("torch.utils.data.DataLoader").lines[-1] == (
        "from torch.utils.data import DataLoader"
    )


def test_a_new_note_starts_a_file_then_joins_it(tmp_path: Path) -> None:
    files: dict[Path, str] = {}
    first = plan_new_note("torch.nn.Bilinear", tmp_path, files.get, set(INDEX.by_id))
    assert first.created and first.path == tmp_path / "nn.yaml"
    files[first.path] = first.text
    notes, errors = load_text(first.text, first.path)
    assert notes == [] and {e.message for e in errors} == {"must not be empty"}
    line = first.text.split("\n")[first.cursor[0]]
    assert line.strip().startswith("title:") and line[first.cursor[1] :].startswith('"')

    second = plan_new_note("torch.nn.Unflatten", tmp_path, files.get, {"nn.bilinear"})
    assert not second.created and second.path == first.path
    assert second.row == first.text.count("\n")  # appended after the last line
    lines = first.text.split("\n")
    lines[second.row : second.row] = second.text.rstrip("\n").split("\n")
    joined = "\n".join(lines)
    assert joined.split("\n")[second.cursor[0]].strip().startswith("title:")
    report = check(joined, first.path)
    assert {f.note_id for f in report.findings} == {"nn.bilinear", "nn.unflatten"}
    assert not [f for f in report.findings if f.code in ("note-yaml", "note-duplicate")]

    files[first.path] = "topic: nn\nnotes: [{id: a.b}]\n"  # flow style: the next file
    third = plan_new_note("torch.nn.Hardswish", tmp_path, files.get, set())
    assert third.created and third.path == tmp_path / "nn_2.yaml"


GOOD = """\
topic: mine
notes:
  - id: mine.ones
    symbols: [torch.ones]
    title: {en: "Ones", zh: "全一"}
    summary: {en: "All ones.", zh: "全是一。"}
    body: {en: "Body.", zh: "正文。"}
    example: |
      import torch
      assert torch.ones(2).sum() == 3
"""


def test_a_failure_lands_on_its_line_and_follows_the_note() -> None:
    (note,) = check(GOOD).notes
    results = [
        {"note": "mine.ones", "kind": "example", "outcome": "failed", "line": 10,
         "label": "example line 2", "reason": "AssertionError",
         "source_line": "assert torch.ones(2).sum() == 3"},
    ]  # fmt: skip
    found = note_result(note, results, "2.14.1")
    assert found.outcome == FAILED and found.applies_to(note)
    (finding,) = result_findings(found, note, GOOD.split("\n"))
    assert finding.span.row == 9
    assert finding.message("en").startswith("AssertionError: assert torch.ones(2).sum() == 3")
    moved = GOOD.replace("notes:\n", "notes:\n  # a comment above\n")
    (moved_note,) = check(moved).notes
    assert found.applies_to(moved_note)
    (again,) = result_findings(found, moved_note, moved.split("\n"))
    assert again.span.row == 10
    (changed,) = check(GOOD.replace("== 3", "== 2")).notes
    assert not found.applies_to(changed)
    passed = note_result(changed, [{"note": "mine.ones", "outcome": "passed"}], "2.14.1")
    assert passed.outcome == PASSED and result_findings(passed, changed, []) == []


def test_a_note_verified_on_save_says_so_on_its_card(tmp_path: Path) -> None:
    report = check(GOOD)
    (note,) = report.notes
    record = tmp_path / "cache" / "verified-local.json"
    write_local_record(record, {note.id: LocalEntry(note.fingerprint(), "2.14.1", "2026-01-01")})
    versions = local_versions(report.index.corpus, load_local_record(record))
    assert versions == {note.id: "2.14.1"} and isinstance(versions[note.id], LocalVersion)
    card = card_markdown(note, "en", report.index, versions)
    assert "Verified on torch 2.14.1 (your environment)" in card
    assert "你的环境" in card_markdown(note, "zh", report.index, versions)
    assert "(your environment)" not in card_markdown(note, "en", report.index, {note.id: "2.14.1"})
    assert load_local_record(tmp_path / "missing.json") == {}


def test_the_preview_is_the_card_of_a_python_hover() -> None:
    report = check(GOOD)
    (note,) = report.notes
    preview = card_preview(note, "en", report.index, {})
    code = "import torch\nx = torch.ones(2)\n"
    analysis = Analysis.of(SourceDocument.parse(code))
    shown = hover(analysis, types.Position(1, 12), report.index, "en", {})
    assert shown is not None and preview.endswith("---\n\n" + shown.contents.value)
    assert "See also" in shown.contents.value  # the built-in note on torch.ones
    shared = GOOD.replace("torch.ones", "torch.Tensor.contiguous").replace("mine.ones", "mine.c")
    (other,) = check(shared).notes
    preview = card_preview(other, "en", check(shared).index, {})
    assert "shows the note `tensor.contiguous` first" in preview


def test_torch_notes_new_writes_the_note_and_says_where(tmp_path: Path, capsys) -> None:
    from torch_notes.cli.main import main

    folder = tmp_path / "notes"
    assert main(["new", "torch.nn.Bilinear", "--dir", str(folder)]) == 0
    path = folder / "nn.yaml"
    out = capsys.readouterr().out.strip()
    line, column = (int(n) for n in out.split(":")[1:3])
    assert out.startswith(f"{path}:") and "nn.bilinear" in out
    assert path.read_text(encoding="utf-8").split("\n")[line - 1][column - 1 :].startswith('"')
    assert main(["new", "torch.nn.Unflatten", "--dir", str(folder)]) == 0
    assert path.read_text(encoding="utf-8").count("  - id: nn.") == 2
    assert main(["new", "torch.nn.Lineer", "--dir", str(folder)]) == 2
    assert "did you mean torch.nn.Linear" in capsys.readouterr().err
