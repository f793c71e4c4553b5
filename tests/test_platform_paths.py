"""Paths and URIs the way Windows and macOS write them, checked on any machine.

``lsp/uris.py`` reads file URIs for a given platform; ``corpus/paths.py`` expands the user's
note paths and compares them (case-insensitively where file names ignore case). Both are pure,
so ``PureWindowsPath``/``PurePosixPath`` stand in for the real machines.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest

from torch_notes.corpus.paths import (
    expand_user_path,
    is_within,
    is_within_pure,
    path_key,
    unique_paths,
)
from torch_notes.lsp.server import TorchNotesServer
from torch_notes.lsp.uris import uri_to_path

W, P = PureWindowsPath, PurePosixPath


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///c%3A/Users/Ada/train.py", W("C:/Users/Ada/train.py")),  # VS Code
        ("file:///C:/Users/Ada/train.py", W("c:/Users/Ada/train.py")),
        ("file://C:/Users/Ada/train.py", W("C:/Users/Ada/train.py")),  # drive as the host
        (
            "file:///c%3A/Users/Ada/My%20Notes/%E8%AE%AD%E7%BB%83.py",
            W("C:/Users/Ada/My Notes/训练.py"),
        ),
        ("file://fileserver/share/proj/train.py", W("//fileserver/share/proj/train.py")),  # UNC
        ("file://localhost/c%3A/x.py", W("C:/x.py")),
        ("FILE:///c%3A/x.py", W("C:/x.py")),
        ("file:///c%3A", W("C:/")),
    ],
)
def test_windows_file_uris(uri: str, path: PureWindowsPath) -> None:
    assert uri_to_path(uri, windows=True) == path  # PureWindowsPath compares without case


def test_unc_path_keeps_server_and_share() -> None:
    path = uri_to_path("file://fileserver/share/proj/train.py", windows=True)
    assert str(path) == "\\\\fileserver\\share\\proj\\train.py"
    assert path.anchor == "\\\\fileserver\\share\\"


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///Users/ada/My%20Project/train.py", P("/Users/ada/My Project/train.py")),
        ("file:///home/ada/%E8%AE%AD%E7%BB%83.py", P("/home/ada/训练.py")),
        ("file://localhost/home/ada/x.py", P("/home/ada/x.py")),
        ("file:///", P("/")),
    ],
)
def test_posix_file_uris(uri: str, path: PurePosixPath) -> None:
    assert uri_to_path(uri, windows=False) == path


@pytest.mark.parametrize(
    "uri",
    ["untitled:Untitled-1", "vscode-notebook-cell:/x.ipynb#W0", "https://x/y.py", "file:///%FF.py"],
)
def test_not_a_local_file(uri: str) -> None:
    assert uri_to_path(uri, windows=False) is None
    assert uri_to_path(uri, windows=True) is None


def test_remote_host_is_not_a_posix_path() -> None:
    assert uri_to_path("file://fileserver/share/x.py", windows=False) is None


def test_documents_are_keyed_as_pygls_stores_them() -> None:
    """One accessor: the encoded and decoded forms of a Windows URI are one document."""
    key = TorchNotesServer.document_key
    encoded = "file:///c%3A/Users/Ada/My%20Notes/a.py"
    assert key(encoded) == key("file:///c:/Users/Ada/My Notes/a.py")
    assert key("file:///c%3A/a.py") != key("file:///d%3A/a.py")


# ---- comparing note paths -------------------------------------------------------------------


def test_windows_paths_compare_without_case_drive_or_separators() -> None:
    a, b = W("C:\\Users\\Ada\\Notes"), W("c:/users/ada/notes/")
    assert path_key(a, case_insensitive=True) == path_key(b, case_insensitive=True)
    assert is_within_pure(W("c:/USERS/ada/notes/x.yaml"), [a], case_insensitive=True)
    assert is_within_pure(W("C:/Users/Ada/Notes/sub/../x.yaml"), [a], case_insensitive=True)
    assert not is_within_pure(W("C:/Users/Ada/Notes2/x.yaml"), [a], case_insensitive=True)
    assert not is_within_pure(W("D:/Users/Ada/Notes/x.yaml"), [a], case_insensitive=True)
    share = W("//fileserver/share/notes")
    assert is_within_pure(W("\\\\FILESERVER\\Share\\notes\\x.yaml"), [share], case_insensitive=True)
    assert not is_within_pure(W("//other/share/notes/x.yaml"), [share], case_insensitive=True)


def test_macos_compares_without_case_and_linux_with_case() -> None:
    root = P("/Users/ada/Notes")
    inside = P("/users/ada/notes/torch.yaml")
    assert is_within_pure(inside, [root], case_insensitive=True)  # macOS
    assert not is_within_pure(inside, [root], case_insensitive=False)  # Linux
    assert is_within_pure(P("/Users/ada/Notes/./a/../b.yaml"), [root], case_insensitive=False)


def test_is_within_resolves_then_applies_the_case_rule(tmp_path: Path) -> None:
    notes = tmp_path / "Notes"
    notes.mkdir()
    (notes / "x.yaml").write_text("notes: []\n")
    link = tmp_path / "link"
    link.symlink_to(notes)
    assert is_within(link / "x.yaml", [notes], case_insensitive=False)
    spelled = tmp_path / "notes" / "x.yaml"
    assert is_within(spelled, [notes], case_insensitive=True)
    assert not is_within(spelled, [notes], case_insensitive=False)


def test_unique_paths_by_the_platforms_rule() -> None:
    mac = [P("/Users/ada/Notes"), P("/users/ada/notes"), P("/Users/ada/Notes/")]
    assert unique_paths(mac, case_insensitive=True) == (P("/Users/ada/Notes"),)
    assert len(unique_paths(mac, case_insensitive=False)) == 2
    win = [W("C:\\Notes"), W("c:/notes"), W("C:/Other")]
    assert unique_paths(win, case_insensitive=True) == (W("C:\\Notes"), W("C:/Other"))


# ---- expanding torchNotes.extraPaths --------------------------------------------------------

WIN_ENV = {"USERPROFILE": "C:\\Users\\Ada", "OneDrive": "C:\\Users\\Ada\\OneDrive"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("~\\notes", "C:\\Users\\Ada\\notes"),
        ("~/notes", "C:\\Users\\Ada\\notes"),
        ("%USERPROFILE%\\notes", "C:\\Users\\Ada\\notes"),
        ("%userprofile%\\notes", "C:\\Users\\Ada\\notes"),
        ("%ONEDRIVE%\\torch notes", "C:\\Users\\Ada\\OneDrive\\torch notes"),
        ("${env:USERPROFILE}\\notes", "C:\\Users\\Ada\\notes"),
        ("${userHome}/notes", "C:\\Users\\Ada\\notes"),
        ("${workspaceFolder}\\notes", "D:\\proj\\notes"),
        ("notes", "D:\\proj\\notes"),
        ("..\\shared\\notes", "D:\\proj\\..\\shared\\notes"),
        ("\\\\fileserver\\share\\notes", "\\\\fileserver\\share\\notes"),
        ("E:\\notes", "E:\\notes"),
        ("%NOPE%\\notes", "D:\\proj\\%NOPE%\\notes"),
    ],
)
def test_extra_paths_on_windows(raw: str, expected: str) -> None:
    path = expand_user_path(
        raw, root=W("D:\\proj"), home="C:\\Users\\Ada", env=WIN_ENV, windows=True
    )
    assert str(path) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("~/notes", "/Users/ada/notes"),
        ("~", "/Users/ada"),
        ("${env:NOTES}/torch", "/Volumes/Team Notes/torch"),
        ("${userHome}/notes", "/Users/ada/notes"),
        ("notes", "/Users/ada/My Project/notes"),
        ("/opt/notes", "/opt/notes"),
        ("%HOME%/notes", "/Users/ada/My Project/%HOME%/notes"),  # no %VAR% outside Windows
        ("~user/notes", "/Users/ada/My Project/~user/notes"),
    ],
)
def test_extra_paths_on_macos_and_linux(raw: str, expected: str) -> None:
    path = expand_user_path(
        raw,
        root=P("/Users/ada/My Project"),
        home="/Users/ada",
        env={"NOTES": "/Volumes/Team Notes", "HOME": "/Users/ada"},
        windows=False,
    )
    assert str(path) == expected


def test_extra_paths_without_a_workspace_stay_relative() -> None:
    path = expand_user_path("notes", root=None, home="/home/ada", env={}, windows=False)
    assert path == P("notes")
