"""Note text is untrusted: the sanitiser (``features/safe_markdown.py``) and the cards built on it.

Each output is rendered to HTML with markdown-it (CommonMark, raw HTML enabled, as a
permissive client would) and checked: every link goes to ``https://`` or to a note, and
no HTML element other than the harmless ones a Markdown renderer makes is left.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Deprecation, Text
from torch_notes.features.markdown import card_markdown, note_markdown, note_text
from torch_notes.features.safe_markdown import (
    MAX_FIELD_CHARS,
    code_block,
    code_span,
    safe_link_target,
    sanitize,
    sanitize_inline,
)

RENDERER = MarkdownIt("commonmark", {"html": True})
ALLOWED_TAGS = {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "br", "h3"}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
CORPUS = load_corpus([])
INDEX = CorpusIndex.build(CORPUS)
NOTE = INDEX.by_id["tensor.contiguous"]


def html_problems(markdown: str) -> list[str]:
    """What a renderer would make of ``markdown`` that is not allowed."""
    problems = []
    for closing, name, attrs in TAG.findall(RENDERER.render(markdown)):
        if name.lower() not in ALLOWED_TAGS:
            problems.append(f"element <{name}>")
        if name.lower() == "a" and not closing:
            href = re.search(r'href="([^"]*)"', attrs)
            target = href[1] if href else ""
            if not (target.startswith("https://") or target.startswith("torch-notes:note/")):
                problems.append(f"link to {target!r}")
        elif attrs.strip() and name.lower() != "code" and name.lower() != "ol":
            problems.append(f"attributes {attrs!r} on <{name}>")
    return problems


BYPASSES = {
    "reference definition": "[r]: command:workbench.action.terminal.new\n\n[run me][r]",
    "decimal entity": "[run](&#99;ommand:workbench.action.terminal.new)",
    "colon entity": "[run](command&#58;workbench.action.terminal.new)",
    "hex entity": "[run](&#x63;ommand:workbench.action.terminal.new)",
    "quoted href entity": "<a href=&#34;command:git.push&#34;>push</a>",
    "raw href": '<a href="command:git.push">push</a>',
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "img/src": "<img/src=x/onerror=alert(1)>",
    "autolink": "<command:x.y>",
    "javascript": "[x](javascript:alert(1))",
    "http": "[x](http://example.com)",
    "data": "[x](data:text/html,<script>alert(1)</script>)",
    "image": "![alt text](https://example.com/tracker.png)",
    "html block": "<div>\n<iframe src='https://evil'></iframe>\n</div>",
    "nested": "*[a](command:x) **[b](&#99;ommand:y)***",
    "escaped brackets": "\\[x\\](command:y)",
    "code span breakout": "`` ` ``](command:x)",
}


@pytest.mark.parametrize("source", list(BYPASSES.values()), ids=list(BYPASSES))
def test_bypasses_are_neutralised(source: str):
    for output in (sanitize(source), sanitize_inline(source, links=True), sanitize_inline(source)):
        assert html_problems(output) == [], output
        assert '<a href="command' not in RENDERER.render(output)


def test_raw_html_is_shown_as_text():
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in RENDERER.render(sanitize(BYPASSES["script"]))


def test_image_keeps_its_alt_text():
    assert sanitize(BYPASSES["image"]) == "alt text"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Use *views* and **copies** with `x.view(-1)`.",
            "Use *views* and **copies** with `x.view(-1)`.",
        ),
        (
            "See [the docs](https://docs.pytorch.org/a?b=1#c).",
            "See [the docs](https://docs.pytorch.org/a?b=1#c).",
        ),
        ("[note](torch-notes:note/tensor.view)", "[note](torch-notes:note/tensor.view)"),
        ("- one\n- two\n  1. a\n  2. b", "- one\n- two\n  1. a\n  2. b"),
        ("snake_case stays, 3 * 4 escapes", "snake_case stays, 3 \\* 4 escapes"),
        ("```python\nx = 1\n```", "```python\nx = 1\n```"),
    ],
)
def test_what_is_allowed_is_kept(source: str, expected: str):
    assert sanitize(source) == expected


def test_text_cannot_start_markup():
    for source in ("\\# not a heading", "1\\. not a list", "\\- not a list", "a\n\\> b"):
        rendered = RENDERER.render(sanitize(source))
        assert rendered.startswith("<p>") and rendered.count("<p>") == 1, rendered
    assert "http\\://" in sanitize("http://x.y") and "www\\.x" in sanitize("www.x.com")


def test_code_fences_and_spans_cannot_be_closed_from_inside():
    source = "x = 1\n```\n````\n<script>"
    block = code_block(source)
    assert block.startswith("`````python\n")
    assert RENDERER.render(block).count("<pre>") == 1 and "<script>" not in RENDERER.render(block)
    assert RENDERER.render(code_span("a `` b")).strip() == "<p><code>a `` b</code></p>"


@pytest.mark.parametrize(
    "url",
    [
        "https://a.b/)[x](&#99;ommand:x)<img/src=x/onerror=alert(1)>",
        "https://a.b/path with space/\"quote'\\",
        "https://user@evil.example/",
        "https://a.b:99999999/",
        "https://a b/",
        "javascript:alert(1)",
        "HTTPS://A.B/x",
        "command:x",
        "torch-notes:note/../../etc",
    ],
)
def test_docs_link_is_rebuilt_from_a_parsed_url(url: str):
    target = safe_link_target(url)
    if target is None:
        return
    assert target.startswith("https://")
    markdown = f"[docs]({target})"
    assert html_problems(markdown) == []
    assert RENDERER.render(markdown).count("<a ") == 1
    assert not re.search(r"[()<>\[\]\s\"\\]", target)


def test_docs_breakout_in_a_card():
    note = replace(NOTE, docs="https://a.b/)[x](&#99;ommand:x)<img/src=x/onerror=alert(1)>")
    card = card_markdown(note, "en", INDEX, {})
    assert html_problems(card) == []
    assert RENDERER.render(card).count('href="https://a.b/') == 1, "one docs link, whole"


def test_every_field_of_a_card_and_a_full_note_is_sanitised():
    evil = Text(en=BYPASSES["reference definition"] + "\n\n" + BYPASSES["script"], zh="x")
    note = replace(
        NOTE,
        title=Text(en="[t](command:x) <b>title</b>", zh="t"),
        summary=evil,
        body=evil,
        pitfall=Text(en=BYPASSES["decimal entity"], zh="p"),
        deprecated=Deprecation("2.0", "x`](command:y)`", Text(en=BYPASSES["img onerror"], zh="d")),
    )
    for markdown in (card_markdown(note, "en", INDEX, {}), note_markdown(note, "en", INDEX, {})):
        assert html_problems(markdown) == [], markdown


@pytest.mark.timeout(60)
def test_pathological_nesting_and_size_are_bounded():
    for evil in ("(" * 400_000 + ")" * 400_000, "[" * 800_000, "> " * 400_000, "*a " * 300_000):
        note = replace(NOTE, summary=Text(en=evil, zh=evil), title=Text(en=evil, zh="t"))
        card = card_markdown(note, "en", INDEX, {})
        assert len(card) < 8 * MAX_FIELD_CHARS
        assert html_problems(card) == []


def test_sanitised_text_is_cached_per_note_and_language():
    note_text.cache_clear()
    first = note_text(NOTE, "en")
    assert note_text(NOTE, "en") is first
    assert note_text(NOTE, "zh") is not first
    changed = replace(NOTE, summary=Text(en="Other.", zh="别的。"))
    assert note_text(changed, "en").summary == "Other\\."[:0] + "Other."
    assert note_text.cache_info().hits >= 1


def test_the_builtin_cards_are_safe_and_unchanged_in_meaning():
    for note in CORPUS.notes:
        for lang in ("en", "zh"):
            card = card_markdown(note, lang, INDEX, {note.id: "2.14.1"})
            assert html_problems(card) == [], (note.id, lang)


def test_markdown_it_is_imported_lazily():
    code = (
        "import sys\n"
        "from torch_notes.lsp.handlers import create_server\n"
        "create_server()\n"
        "print('markdown_it' in sys.modules)\n"
    )
    server = str(Path(__file__).resolve().parent.parent / "server")
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": server, "PATH": ""},
    )
    assert result.stdout.strip() == "False"


FRAGMENTS = [
    "[", "]", "(", ")", "<", ">", "`", "``", "*", "_", "!", "&", "#", ";", ":", "\n", " ",
    "command:", "&#99;", "&#x63;", "&#58;", "&#34;", "javascript:", "https://a.b/", "http://",
    "<a href=", "<img src=x onerror=", "<script>", "[r]: ", "\n\n", "- ", "1. ", "> ", "\\",
    "torch-notes:note/x.y", "www.", "@", "~~", "|",
]  # fmt: skip


@settings(max_examples=int(__import__("os").environ.get("TORCH_NOTES_FUZZ_CASES", "400")))
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=40).map("".join))
def test_random_markdown_is_always_safe(source: str):
    for output in (sanitize(source), sanitize_inline(source, links=True)):
        assert html_problems(output) == [], (source, output)
