"""Reading hostile files (``torch_notes/files.py``) and where it is used: note files,
``torchNotes.extraPaths``, and ``check``/``explain``/``coverage`` on the command line.

Nothing here may block: each test runs under a timeout, and a FIFO opened the old way
(``open()`` without ``O_NONBLOCK``) or a read of ``/proc/kmsg`` would wait forever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from torch_notes import files
from torch_notes.cli.main import main
from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.yaml_source import YamlProblem, read_tree
from torch_notes.files import FileRefused, decode_python_source, read_regular_file
from torch_notes.lsp.settings import Settings
from torch_notes.lsp.state import MAX_DOCUMENT_CHARS, ServerState

pytestmark = pytest.mark.timeout(60)

SECRET = "root:$y$j9T$SECRETHASH:19000:0:99999:7:::"
KMSG = Path("/proc/kmsg")
needs_kmsg = pytest.mark.skipif(not os.access(KMSG, os.R_OK), reason="no readable /proc/kmsg")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "notes.yaml"
    os.mkfifo(path)
    return path


def _pretend_regular(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """``os.stat`` of ``path`` reports a regular file: the FIFO is swapped in after the check."""
    real_stat = os.stat
    regular = real_stat(Path(__file__))

    def fake_stat(target, *args, **kwargs):
        if Path(target) == path:
            return regular
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(files.os, "stat", fake_stat)
    assert stat.S_ISREG(files.os.stat(path).st_mode)


# -- the reader --------------------------------------------------------------------------


def test_regular_file_is_read(tmp_path: Path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"topic: x\n")
    assert read_regular_file(path, max_bytes=100) == b"topic: x\n"


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "directory"])
def test_devices_and_directories_are_refused(tmp_path: Path, target: str):
    path = tmp_path if target == "directory" else Path(target)
    with pytest.raises(FileRefused, match="not a regular file"):
        read_regular_file(path, max_bytes=100)


def test_fifo_is_refused_without_blocking(fifo: Path):
    with pytest.raises(FileRefused, match="not a regular file"):
        read_regular_file(fifo, max_bytes=100)


def test_fifo_swapped_in_after_the_check(fifo: Path, monkeypatch: pytest.MonkeyPatch):
    """The check said "regular file"; the open descriptor says FIFO: refused, not waited on."""
    _pretend_regular(monkeypatch, fifo)
    with pytest.raises(FileRefused, match="not a regular file"):
        read_regular_file(fifo, max_bytes=100)
    with pytest.raises(YamlProblem, match="not a regular file"):
        read_tree(fifo)


def test_size_is_checked_before_reading(tmp_path: Path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(100 * 2**20)  # 100 MB, sparse
    with pytest.raises(FileRefused, match="file is 104857600 bytes; the limit is 1000 bytes"):
        read_regular_file(big, max_bytes=1000)


@needs_kmsg
def test_proc_file_reads_what_fstat_reports(tmp_path: Path):
    """``/proc/kmsg`` has size 0 and its read blocks: nothing is read from it."""
    assert read_regular_file(KMSG, max_bytes=100) == b""
    link = tmp_path / "notes.yaml"
    link.symlink_to(KMSG)
    with pytest.raises(YamlProblem, match=r"not a \.yaml/\.yml file"):
        read_tree(link)


def test_symlink_to_a_file_that_is_not_a_note_file(tmp_path: Path):
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    link = tmp_path / "notes.yaml"
    link.symlink_to(secret)
    corpus = load_corpus([tmp_path], include_builtin=False)
    assert [str(error) for error in corpus.errors] == [
        f"{link}: not a .yaml/.yml file (symlinks are resolved)"
    ]
    good = tmp_path / "real.yml"
    good.write_text("topic: t\nnotes: []\n", encoding="utf-8")
    (tmp_path / "other.yaml").symlink_to(good)
    assert read_tree(tmp_path / "other.yaml") is not None, "a link to a note file is fine"


# -- PEP 263 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", "# -*- coding: latin-1 -*-\ns = 'café'\n"),
        (b"#!/usr/bin/env python\n# coding=cp1252\nx = '\x80'\n", None),
        (b"\xef\xbb\xbfx = 1\r\ny = 2\r\n", "x = 1\ny = 2\n"),
        ("s = '中文'\n".encode(), "s = '中文'\n"),
    ],
    ids=["latin-1", "cp1252-second-line", "bom-crlf", "utf-8"],
)
def test_coding_declarations(raw: bytes, text: str | None):
    decoded = decode_python_source(raw)
    assert decoded == (text if text is not None else raw.decode("cp1252"))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"# coding: klingon\nx = 1\n", "unknown encoding"),
        (b"x = 1\n# caf\xe9\n", "not UTF-8 text"),
        (b"x = 1\ny = 2\nz = '\xff'\n", "not UTF-8 text"),
    ],
)
def test_undecodable_sources(raw: bytes, reason: str):
    with pytest.raises(FileRefused, match=reason):
        decode_python_source(raw)


# -- torchNotes.extraPaths ---------------------------------------------------------------------


def test_extra_path_that_is_not_a_note_path_is_reported_and_never_read(tmp_path: Path):
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    state = ServerState(root=tmp_path)
    state.settings = Settings.from_json({"extraPaths": [str(secret), "/dev/zero", "notes"]})
    errors = [str(error) for error in state.load(force=True)]
    assert errors == [
        f"{secret}: torchNotes.extraPaths: not a directory or a .yaml/.yml note file; skipped "
        "(its content is not read)",
        "/dev/zero: torchNotes.extraPaths: not a directory or a .yaml/.yml note file; skipped "
        "(its content is not read)",
        f"{tmp_path / 'notes'}: no such file or directory",
    ]
    assert state.extra_paths() == (tmp_path / "notes",), "what is watched and loaded"
    assert all("SECRETHASH" not in str(error) for error in state.index.corpus.errors)


def test_command_line_notes_that_are_not_note_paths(tmp_path: Path, capsys):
    secret = tmp_path / "id_rsa"
    secret.write_text(SECRET, encoding="utf-8")
    script = tmp_path / "s.py"
    script.write_text("import torch\n", encoding="utf-8")
    assert main(["check", str(script), "--notes", str(secret)]) == 0
    err = capsys.readouterr().err
    assert f"{secret}: not a directory or a .yaml/.yml note file" in err
    assert "SECRETHASH" not in err


# -- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "explain", "coverage"])
def test_cli_refuses_devices_fifos_and_huge_files(command: str, tmp_path: Path, capsys):
    pipe = tmp_path / "pipe.py"
    os.mkfifo(pipe)
    big = tmp_path / "big.py"
    with big.open("wb") as handle:
        handle.truncate(100 * 2**20)
    code = main([command, "/dev/zero", str(pipe), str(big)])
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert "/dev/zero: not a regular file" in err
    assert f"{pipe}: not a regular file" in err
    limit = 4 * MAX_DOCUMENT_CHARS
    assert f"{big}: file is 104857600 bytes; the limit is {limit} bytes" in err


@pytest.mark.parametrize("command", ["check", "explain"])
def test_cli_fifo_swapped_in_after_the_check(
    command: str, fifo: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    _pretend_regular(monkeypatch, fifo)
    assert main([command, str(fifo)]) in (1, 2)
    assert "not a regular file" in capsys.readouterr().err


def test_cli_refuses_more_characters_than_the_editor_analyses(tmp_path: Path, capsys):
    long = tmp_path / "long.py"
    long.write_text("#" * (MAX_DOCUMENT_CHARS + 1), encoding="utf-8")
    assert main(["check", str(long)]) == 2
    assert f"has {MAX_DOCUMENT_CHARS + 1} characters" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "explain", "coverage"])
def test_cli_honours_pep_263(command: str, tmp_path: Path, capsys):
    script = tmp_path / "latin.py"
    script.write_bytes(
        b"# -*- coding: latin-1 -*-\nimport torch\nx = torch.zeros(2)  # caf\xe9\n"
        b"y = x.t().view(-1)\n"
    )
    code = main([command, str(script)])
    out, err = capsys.readouterr()
    assert err == "" and str(script) in out
    assert code == (1 if command == "check" else 0)


@needs_kmsg
@pytest.mark.parametrize("command", ["check", "explain"])
def test_cli_symlink_to_proc_kmsg_does_not_block(command: str, tmp_path: Path, capsys):
    link = tmp_path / "kmsg.py"
    link.symlink_to(KMSG)
    assert main([command, str(link)]) == 0


def test_builtin_corpus_cache_that_is_a_fifo_is_ignored(tmp_path: Path):
    """The per-user corpus cache is read like any file: a FIFO there cannot hang start-up."""
    from torch_notes.corpus import builtin_cache

    os.mkfifo(tmp_path / "corpus-key.pickle")
    assert builtin_cache.read("key", root=tmp_path) is None
