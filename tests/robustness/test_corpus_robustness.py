"""Malformed user notes through the server (``torchNotes.extraPaths``).

Each broken file yields a log line naming file, line and (where one applies) field;
one ``window/showMessage`` summarises them; and the good notes beside them, built-in
and the user's, keep being served. Then the directory changes under the server's
poller: a file replaced by a directory, a symlink loop, the directory disappearing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
import time
from pathlib import Path

import pytest
from rpc import RpcServer

pytestmark = pytest.mark.timeout(120)

GOOD = """\
topic: user
notes:
  - id: user.{name}
    symbols: [torch.Tensor.{name}]
    title: {{en: "User note {name}", zh: "用户笔记 {name}"}}
    summary: {{en: "A good note.", zh: "好笔记。"}}
    body: {{en: "Served beside broken ones.", zh: "与坏笔记并存。"}}
    example: |
      assert 1 + 1 == 2
"""


def note(field_lines: str, note_id: str = "user.broken") -> str:
    """A note with ``field_lines`` replacing its defaults (line 3 is ``- id:``)."""
    fields = {
        "symbols": "    symbols: [torch.Tensor.half]",
        "title": '    title: {en: "Broken", zh: "坏的"}',
        "summary": '    summary: {en: "S.", zh: "摘要。"}',
        "body": '    body: {en: "B.", zh: "正文。"}',
        "example": "    example: |\n      assert True",
    }
    for line in textwrap.dedent(field_lines).strip("\n").splitlines():
        key = line.split(":", 1)[0].strip()
        fields[key] = "    " + line if not line.startswith("    ") else line
    body = "\n".join(value for value in fields.values() if not value.endswith(": DROP"))
    return f"topic: broken\nnotes:\n  - id: {note_id}\n{body}\n"


def alias_bomb() -> str:
    """Billion laughs inside a note: 8**9 strings if anything ever expanded it."""
    lines = [
        "topic: bomb",
        "notes:",
        "  - id: user.bomb",
        "    symbols: &a0 [torch.ones, torch.ones]",
    ]
    for i in range(1, 10):
        lines.append(f"    f{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]")
    return "\n".join(lines) + "\n"


BAD_SNIPPET = """\
topic: broken
notes:
  - id: user.bad_snippet
    symbols: [torch.Tensor.half]
    title: {en: "Broken", zh: "坏的"}
    summary: {en: "S.", zh: "摘要。"}
    body: {en: "B.", zh: "正文。"}
    example: |
      assert True
    snippet:
      prefix: user-bad
      description: {en: "d", zh: "d"}
      body: "x = ${1:unclosed"
"""


# file name → (content, expected line, expected field or message fragment)
CASES: dict[str, tuple[str | bytes, int, str]] = {
    "bad_yaml.yaml": ("topic: x\nnotes:\n  - id: [unclosed\n    title: x\n", 4, "invalid YAML"),
    "tab_indent.yaml": ("topic: x\nnotes:\n\t- id: user.tab\n", 3, "invalid YAML"),
    "symbols_int.yaml": (note("symbols: 5"), 4, "'symbols'"),
    "symbols_bad_name.yaml": (note("symbols: [numpy.zeros]"), 4, "'symbols[0]'"),
    "title_str.yaml": (note('title: "just a string"'), 5, "'title'"),
    "summary_missing.yaml": (note("summary: DROP"), 3, "'summary'"),
    "example_syntax.yaml": (note("example: |\n      def broken(:"), 9, "'example'"),
    "bad_id.yaml": (note("symbols: [torch.Tensor.half]", note_id="Not An Id"), 3, "'id'"),
    "unknown_field.yaml": (note("colour: blue"), 10, "'colour'"),
    "related_unknown.yaml": (note("related: [no.such.note]"), 3, "'related'"),
    "duplicate_builtin_id.yaml": (
        note("symbols: [torch.Tensor.half]", "tensor.contiguous"),
        3,
        "'id'",
    ),
    "notes_mapping.yaml": ("topic: x\nnotes: {a: 1}\n", 2, "'notes'"),
    "topic_list.yaml": ("topic: [1, 2]\nnotes: []\n", 1, "'topic'"),
    "scalar_file.yaml": ("just a string\n", 1, "mapping"),
    "empty.yaml": ("", 1, "file is empty"),
    "two_documents.yaml": (
        "topic: a\nnotes: []\n---\ntopic: b\nnotes: []\n",
        4,
        "one YAML document",
    ),
    "python_tag.yaml": (
        "topic: x\nnotes:\n  - !!python/object/apply:os.system ['touch PWNED']\n",
        3,
        "not allowed",
    ),
    "custom_tag.yaml": ("topic: !include other.yaml\nnotes: []\n", 1, "not allowed"),
    "alias_bomb.yaml": (alias_bomb(), 4, "aliases"),
    "deep_nesting.yaml": (
        note("symbols: " + "[" * 60 + "torch.ones" + "]" * 60),
        4,
        "nesting deeper",
    ),
    "huge.yaml": (
        "topic: huge\nnotes:\n" + "# padding\n" * 300_000,
        0,
        "the limit is 2097152 bytes",
    ),
    "not_utf8.yaml": (b"topic: x\nnotes:\n  - id: user.latin\n    title: caf\xe9\n", 4, "UTF-8"),
    "binary.yaml": (b"topic: x\n" + bytes(range(256)) * 8, 3, "UTF-8"),
    "null_bytes.yaml": ("topic: x\nnotes: [a\x00]\n", 2, "U+0000"),
    "bad_snippet.yaml": (BAD_SNIPPET, 13, "'snippet.body'"),
}


def located(messages: list[str], name: str, line: int, fragment: str) -> bool:
    """Is some message about ``name`` at ``line`` (if known) mentioning ``fragment``?"""
    where = f"{name}:{line}" if line else name
    return any(where in m and fragment in m for m in messages)


def hover_text(server: RpcServer, uri: str, line: int, character: int) -> str:
    result = server.hover(uri, line, character)["result"]
    return "" if result is None else result["contents"]["value"]


SOURCE = "import torch\nx = torch.zeros(2)\nx.goodone()\nx.t().contiguous()\n"
URI = "file:///corpus/user.py"


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notes")
    for name, (content, _, _) in CASES.items():
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "good.yaml").write_text(GOOD.format(name="goodone"), encoding="utf-8")
    (root / "a_directory.yaml").mkdir()
    os.symlink("loop.yaml", root / "loop.yaml")
    os.mkfifo(root / "fifo.yaml")
    return root


@pytest.fixture(scope="module")
def server(broken_dir: Path):
    with RpcServer("--poll-interval", "0.1", cwd=broken_dir) as srv:
        srv.initialize(options={"torchNotes": {"extraPaths": [str(broken_dir)]}}, root=broken_dir)
        srv.open(URI, SOURCE)
        srv.drain(0.3)
        yield srv


@pytest.mark.parametrize("name", list(CASES))
def test_each_broken_file_is_located(server: RpcServer, name: str):
    _, line, fragment = CASES[name]
    messages = server.log_messages(min_type=2)
    assert located(messages, name, line, fragment), (name, line, fragment, messages)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("a_directory.yaml", "not a regular file"),
        ("loop.yaml", "cannot read file"),
        ("fifo.yaml", "not a regular file"),
    ],
)
def test_odd_directory_entries_are_reported(server: RpcServer, name: str, fragment: str):
    assert located(server.log_messages(min_type=2), name, 0, fragment)


def test_one_summary_window_and_good_notes_served(server: RpcServer, broken_dir: Path):
    shown = server.shown_messages()
    assert len(shown) == 1, shown
    assert "problem(s) in your notes" in shown[0]
    assert "a_directory.yaml" in shown[0], "names the first problem's file"
    assert "User note goodone" in hover_text(server, URI, 2, 4), "the user's good note"
    assert "contiguous" in hover_text(server, URI, 3, 8), "the built-in notes"
    assert not (broken_dir / "PWNED").exists(), "no YAML tag is ever executed"


def _wait_for(server: RpcServer, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, server.log_messages(min_type=3)[-5:]
        server.drain(0.1)


def test_live_changes_under_the_poller(server: RpcServer, broken_dir: Path):
    """The good file becomes a directory, then a symlink loop, then the directory vanishes."""
    good = broken_dir / "good.yaml"
    good.unlink()
    good.mkdir()
    _wait_for(server, lambda: located(server.log_messages(2), "good.yaml", 0, "not a regular"))
    assert "User note goodone" not in hover_text(server, URI, 2, 4)
    good.rmdir()
    (broken_dir / "later.yaml").write_text(GOOD.format(name="goodone"), encoding="utf-8")
    _wait_for(server, lambda: "User note goodone" in hover_text(server, URI, 2, 4))
    shutil.rmtree(broken_dir)
    _wait_for(server, lambda: "User note goodone" not in hover_text(server, URI, 2, 4))
    assert located(server.log_messages(2), broken_dir.name, 0, "no such file or directory")
    assert "contiguous" in hover_text(server, URI, 3, 8), "the built-in notes stay"
    broken_dir.mkdir()
    (broken_dir / "back.yaml").write_text(GOOD.format(name="goodone"), encoding="utf-8")
    _wait_for(server, lambda: "User note goodone" in hover_text(server, URI, 2, 4))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path):
    locked = tmp_path / "locked.yaml"
    locked.write_text(GOOD.format(name="lockedone"), encoding="utf-8")
    locked.chmod(0)
    with RpcServer() as srv:
        srv.initialize(options={"torchNotes": {"extraPaths": [str(tmp_path)]}}, root=tmp_path)
        srv.drain(0.3)
        assert located(srv.log_messages(2), "locked.yaml", 0, "cannot read file")


COMMAND_NOTE = """\
topic: user
notes:
  - id: user.sneaky
    symbols: [torch.Tensor.sneaky]
    title: {en: "Sneaky", zh: "狡猾"}
    summary: {en: "[Run me](command:workbench.action.terminal.new)", zh: "摘要。"}
    body: {en: "<a href=\\"command:git.push\\">push</a> and <command:x.y>", zh: "正文。"}
    example: |
      assert True
"""


def test_command_links_in_user_notes_are_neutralised(tmp_path: Path):
    """Hovers never carry a ``command:`` link target, nor are they marked trusted."""
    (tmp_path / "sneaky.yaml").write_text(COMMAND_NOTE, encoding="utf-8")
    with RpcServer() as srv:
        srv.initialize(options={"torchNotes": {"extraPaths": [str(tmp_path)]}}, root=tmp_path)
        srv.open(URI, "import torch\nx = torch.zeros(2)\nx.sneaky()\n")
        result = srv.hover(URI, 2, 4)["result"]
        assert result is not None and "Sneaky" in result["contents"]["value"]
        value = result["contents"]["value"]
        assert "](command:" not in value and 'href="command:' not in value
        assert "<command:" not in value
        assert set(result["contents"]) == {"kind", "value"}, "plain MarkupContent only"


def test_extra_path_naming_a_file_that_is_not_a_note_file(tmp_path: Path):
    """``extraPaths: ["/etc/shadow"]``: one warning naming the setting and the path, no content."""
    secret = tmp_path / "shadow"
    secret.write_text("root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n", encoding="utf-8")
    with RpcServer() as srv:
        srv.initialize(options={"torchNotes": {"extraPaths": [str(secret)]}}, root=tmp_path)
        srv.drain(0.3)
        shown = srv.shown_messages()
        assert len(shown) == 1 and "torchNotes.extraPaths" in shown[0] and str(secret) in shown[0]
        everything = json.dumps(srv.notifications)
        assert "SECRETHASH" not in everything and "root:" not in everything


@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="no readable /proc/kmsg")
def test_note_file_linked_to_proc_kmsg_does_not_hang_initialize(tmp_path: Path):
    (tmp_path / "kmsg.yaml").symlink_to("/proc/kmsg")
    with RpcServer() as srv:
        response = srv.initialize(options={"torchNotes": {"extraPaths": [str(tmp_path)]}})
        assert "result" in response
        srv.drain(0.3)
        assert located(srv.log_messages(2), "kmsg.yaml", 0, "not a .yaml/.yml file")


HOSTILE_NOTE = """\
topic: user
notes:
  - id: user.hostile
    symbols: [torch.Tensor.hostile]
    title: {en: "Hostile <b>title</b> [t](command:x)", zh: "敌意"}
    summary:
      en: |
        [run][r] and [a](&#99;ommand:a) [b](command&#58;b) [c](&#x63;ommand:c)
        <a href=&#34;command:git.push&#34;>push</a> <script>alert(1)</script>
        <img src=x onerror=alert(1)> ![alt](https://example.com/x.png)

        [r]: command:workbench.action.terminal.new
      zh: "摘要。"
    body: {en: "<iframe src='https://evil'></iframe>", zh: "正文。"}
    pitfall: {en: "<command:x.y> [ok](https://docs.pytorch.org/)", zh: "易错点。"}
    docs: "https://a.b/)[x](&#99;ommand:x)<img/src=x/onerror=alert(1)>"
    example: |
      assert True
"""


def test_hostile_markdown_in_a_user_note(tmp_path: Path):
    """Every bypass of the old pattern filter, in one note: hover and full note are clean."""
    from markdown_it import MarkdownIt

    (tmp_path / "hostile.yaml").write_text(HOSTILE_NOTE, encoding="utf-8")
    renderer = MarkdownIt("commonmark", {"html": True})
    with RpcServer() as srv:
        srv.initialize(options={"torchNotes": {"extraPaths": [str(tmp_path)]}}, root=tmp_path)
        srv.open(URI, "import torch\nx = torch.zeros(2)\nx.hostile()\n")
        result = srv.hover(URI, 2, 4)["result"]
        shown = srv.request(
            "workspace/executeCommand",
            {"command": "torchNotes.showNote", "arguments": [{"id": "user.hostile"}]},
        )["result"]
    for markdown in (result["contents"]["value"], shown["markdown"]):
        html = renderer.render(markdown)
        hrefs = [h for h in re.findall(r'href="([^"]*)"', html)]
        assert hrefs and all(h.startswith(("https://", "torch-notes:note/")) for h in hrefs), hrefs
        assert not re.search(r"<(script|img|iframe|b>|a href=\"command)", html), html
        assert "alt" in markdown and "&lt;script&gt;" in html
