"""The built-in corpus is parsed once per install; an edit or a move parses it again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from torch_notes.corpus import builtin_cache, loader


@pytest.fixture
def corpus_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "builtin"
    directory.mkdir()
    (directory / "a.yaml").write_text(
        "topic: a\nnotes:\n"
        "  - id: a.one\n    symbols: [torch.ones]\n"
        '    title: {en: "One", zh: "一"}\n    summary: {en: "S.", zh: "摘要。"}\n'
        '    body: {en: "B.", zh: "正文。"}\n    example: |\n      import torch\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(loader, "builtin_corpus_dir", lambda: directory)
    monkeypatch.setattr(builtin_cache, "cache_root", lambda: tmp_path / "cache")
    return directory


def test_the_second_load_comes_from_the_cache(corpus_dir, monkeypatch) -> None:
    first = loader.load_corpus()
    assert [note.id for note in first.notes] == ["a.one"]
    monkeypatch.setattr(loader, "load_file", lambda path: pytest.fail("parsed again"))
    assert loader.load_corpus().notes == first.notes


def test_an_edited_file_is_parsed_again(corpus_dir) -> None:
    loader.load_corpus()
    path = corpus_dir / "a.yaml"
    path.write_text(path.read_text().replace('"One"', '"Uno"'), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert loader.load_corpus().notes[0].title.en == "Uno"


def test_a_broken_cache_falls_back_to_parsing(corpus_dir, tmp_path) -> None:
    loader.load_corpus()
    (entry,) = (tmp_path / "cache").glob("corpus-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert [note.id for note in loader.load_corpus().notes] == ["a.one"]


def test_an_unwritable_cache_is_not_an_error(corpus_dir, monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(builtin_cache, "cache_root", lambda: blocker / "cache")
    assert [note.id for note in loader.load_corpus().notes] == ["a.one"]
