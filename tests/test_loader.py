"""Loader: every malformed input is reported with file, line and field; good notes still load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import good_note
from torch_notes.corpus.loader import load_corpus

HEADER = "topic: testing\nnotes:\n"

# Each case: a bad note (YAML, indented as a list item of `notes`), the field the error must name
# and a fragment of the message. The line marked with `#<` is where the error must be reported.
BAD_NOTES = {
    "missing field": (
        """\
  - id: bad.note  #<
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
""",
        "example",
        "is missing",
    ),
    "unknown field with suggestion": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    titel: {en: "T", zh: "标题"}  #<
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "titel",
        "did you mean 'title'",
    ),
    "symbols not a list": (
        """\
  - id: bad.note
    symbols: torch.Tensor.view  #<
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "symbols",
        "must be a list of strings",
    ),
    "symbol outside torch": (
        """\
  - id: bad.note
    symbols:
      - torch.Tensor.view
      - numpy.transpose  #<
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "symbols[1]",
        "full API name",
    ),
    "missing language": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T"}  #<
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "title.zh",
        "is missing",
    ),
    "empty translation": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary:
      en: "S"
      zh: ""  #<
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "summary.zh",
        "must not be empty",
    ),
    "malformed id": (
        """\
  - id: Bad Note  #<
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "id",
        "dotted lower-case id",
    ),
    "example does not compile": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: |
      import torch
      x = torch.zeros(2, 3  #<
      y = x.view(-1)
""",
        "example",
        "does not compile",
    ),
    "unknown requires tag": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    requires:
      - tpu  #<
""",
        "requires[0]",
        "known tags",
    ),
    "unbalanced snippet placeholder": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    snippet:
      prefix: pt-bad
      description: {en: "D", zh: "说明"}
      body: |
        x = 1
        y = ${1:value  #<
""",
        "snippet.body",
        "unbalanced",
    ),
    "choice without options": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    snippet:
      prefix: pt-bad
      description: {en: "D", zh: "说明"}
      body: |
        opt = ${1||}  #<
""",
        "snippet.body",
        "no options",
    ),
    "tabstops skip numbers": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    snippet:
      prefix: pt-bad
      description: {en: "D", zh: "说明"}
      body: |
        a = ${1:x}  #<
        b = ${3:y}
""",
        "snippet.body",
        "$2 missing",
    ),
    "snippet variable": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    snippet:
      prefix: pt-bad
      description: {en: "D", zh: "说明"}
      body: |
        a = 1
        name = "$TM_FILENAME"  #<
""",
        "snippet.body",
        "not supported",
    ),
    "duplicate id": (
        """\
  - id: good.first  #<
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "id",
        "duplicates the id defined at",
    ),
    "unknown related id": (
        """\
  - id: bad.note  #<
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    related: [good.first, no.such_note]
""",
        "related",
        "no.such_note",
    ),
    "version written as a number": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    since: 2.0  #<
""",
        "since",
        "quote it",
    ),
    "key given twice": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    title: {en: "T2", zh: "标题2"}  #<
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "title",
        "given twice",
    ),
    "deprecation without replacement": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    deprecated:
      since: "1.12"  #<
""",
        "deprecated.replacement",
        "is missing",
    ),
    "docs link not https": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    docs: ftp://example.org/view  #<
""",
        "docs",
        "https://",
    ),
    "text given as a plain string": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: "only English"  #<
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
""",
        "title",
        "must be a mapping",
    ),
    "snippet setup does not compile": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: "pass"
    snippet:
      prefix: pt-bad
      description: {en: "D", zh: "说明"}
      setup: |
        def broken(:  #<
      body: |
        x = 1
""",
        "snippet.setup",
        "does not compile",
    ),
    "python object tag": (
        """\
  - id: bad.note
    symbols: [torch.Tensor.view]
    title: {en: "T", zh: "标题"}
    summary: {en: "S", zh: "摘要"}
    body: {en: "B", zh: "正文"}
    example: !!python/object/apply:os.system ["echo pwned"]  #<
""",
        None,
        "is not allowed",
    ),
}


def _marked_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if "#<" in line:
            return number
    raise AssertionError("case has no #< marker")


@pytest.mark.parametrize("case", sorted(BAD_NOTES), ids=str)
def test_bad_note_is_located_and_skipped(case: str, tmp_path: Path) -> None:
    bad, field, fragment = BAD_NOTES[case]
    text = HEADER + good_note("first") + bad + good_note("last")
    path = tmp_path / "notes.yaml"
    path.write_text(text, encoding="utf-8")

    corpus = load_corpus([path], include_builtin=False)

    assert [n.id for n in corpus.notes] == ["good.first", "good.last"]
    assert len(corpus.errors) == 1, [str(e) for e in corpus.errors]
    error = corpus.errors[0]
    message = str(error)
    assert error.path == path
    assert error.line == _marked_line(text), message
    assert f"notes.yaml:{error.line}:" in message
    if field is not None:
        assert error.field == field, message
        assert f"'{field}'" in message
    assert fragment in message


def test_error_message_format(write_notes) -> None:
    path = write_notes(
        HEADER
        + "  - id: tensor.view\n"
        + "    symbols: tensor.view\n"
        + '    title: {en: "T", zh: "标题"}\n'
        + '    summary: {en: "S", zh: "摘要"}\n'
        + '    body: {en: "B", zh: "正文"}\n'
        + '    example: "pass"\n'
    )
    corpus = load_corpus([path], include_builtin=False)
    assert [str(e) for e in corpus.errors] == [
        f"{path}:4: note 'tensor.view': 'symbols' must be a list of strings"
    ]


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (b"topic: t\nnotes:\n  - id: 'unclosed\n", 3, "invalid YAML"),
        (b"topic: t\nnotes:\n\t- id: a.b\n", 3, "invalid YAML"),
        (b"topic: t\nnotes: []\n# caf\xe9\n", 3, "not valid UTF-8"),
        (b"", 1, "file is empty"),
        (b"topic: t\nnotes: []\n---\ntopic: u\n", 4, "one YAML document"),
        (b"!!python/object:os.system\ntopic: t\nnotes: []\n", 1, "is not allowed"),
        (b"topic: t\nnotes: {}\n", 2, "must be a list of notes"),
        (b"topic: t\n", 1, "'notes' is missing"),
    ],
    ids=["unclosed quote", "tab indent", "latin-1 bytes", "empty", "two documents",
         "tagged root", "notes not a list", "no notes"],
)  # fmt: skip
def test_broken_file_is_reported_and_other_files_load(
    tmp_path: Path, content: bytes, line: int, fragment: str
) -> None:
    (tmp_path / "a_good.yaml").write_text(HEADER + good_note("first"), encoding="utf-8")
    (tmp_path / "b_broken.yaml").write_bytes(content)
    (tmp_path / "c_good.yaml").write_text(HEADER + good_note("last"), encoding="utf-8")

    corpus = load_corpus([tmp_path], include_builtin=False)

    assert [n.id for n in corpus.notes] == ["good.first", "good.last"]
    assert len(corpus.errors) == 1
    error = corpus.errors[0]
    assert error.path.name == "b_broken.yaml"
    assert error.line == line, str(error)
    assert fragment in str(error)


def test_alias_bomb_is_refused_quickly(write_notes) -> None:
    levels = ["  - &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = (
        HEADER
        + good_note("first")
        + "  - id: bad.bomb\n    symbols:\n"
        + "\n".join("  " + level for level in levels)
        + "\n"
        + good_note("last")
    )
    corpus = load_corpus([write_notes(text)], include_builtin=False)
    assert [n.id for n in corpus.notes] == ["good.first", "good.last"]
    assert len(corpus.errors) == 1
    assert "aliases are not allowed" in str(corpus.errors[0])


def test_deep_nesting_is_refused(write_notes) -> None:
    deep = "[" * 60 + "]" * 60
    text = HEADER + good_note("first") + f"  - id: bad.deep\n    symbols: {deep}\n"
    corpus = load_corpus([write_notes(text)], include_builtin=False)
    assert [n.id for n in corpus.notes] == ["good.first"]
    assert "nesting deeper" in str(corpus.errors[0])


def test_later_directory_never_overrides_earlier(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    (first / "n.yaml").write_text(HEADER + good_note("first"), encoding="utf-8")
    (second / "n.yaml").write_text(HEADER + good_note("first").replace("Good", "Other"), "utf-8")
    corpus = load_corpus([first, second], include_builtin=False)
    assert [n.title.en for n in corpus.notes] == ["Good first"]
    assert "duplicates the id defined at" in str(corpus.errors[0])
    assert str(corpus.errors[0]).startswith(str(second / "n.yaml") + ":3:") or "two" in str(
        corpus.errors[0]
    )


def test_duplicate_snippet_prefix(write_notes) -> None:
    def with_snippet(name: str) -> str:
        return good_note(name) + textwrap.indent(
            textwrap.dedent("""\
                snippet:
                  prefix: pt-same
                  description: {en: "D", zh: "说明"}
                  body: "x = ${1:1}"
            """),
            "    ",
        )

    path = write_notes(HEADER + with_snippet("first") + with_snippet("last"))
    corpus = load_corpus([path], include_builtin=False)
    assert [n.id for n in corpus.notes] == ["good.first"]
    error = corpus.errors[0]
    assert error.field == "snippet.prefix"
    assert "already the prefix of note 'good.first'" in str(error)


def test_missing_extra_path(tmp_path: Path) -> None:
    corpus = load_corpus([tmp_path / "nope"], include_builtin=False)
    assert corpus.notes == ()
    assert "no such file or directory" in str(corpus.errors[0])


def test_example_line_points_at_first_code_line(write_notes) -> None:
    path = write_notes(HEADER + good_note("first"))
    note = load_corpus([path], include_builtin=False).notes[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[note.example_line - 1].strip() == "import math"
    assert note.location.line == 3


def test_builtin_corpus_loads_without_errors() -> None:
    corpus = load_corpus()
    assert corpus.errors == (), "\n".join(str(e) for e in corpus.errors)
    assert corpus.get("tensor.contiguous") is not None
