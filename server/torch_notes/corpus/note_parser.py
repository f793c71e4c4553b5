"""Turn one YAML note (a located node tree) into a :class:`Note`, or located errors.

Every check that concerns a single note lives here; checks across notes
(duplicate ids and prefixes, related ids) live in :mod:`torch_notes.corpus.loader`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from torch_notes.corpus.hover_block import HoverBlockError, parse_hover_block
from torch_notes.corpus.model import (
    REQUIRES_TAGS,
    CorpusError,
    Deprecation,
    Location,
    Note,
    Snippet,
    Text,
)
from torch_notes.corpus.snippet_syntax import SnippetSyntaxError, parse_snippet
from torch_notes.corpus.yaml_source import content_line, line_of
from torch_notes.i18n import LANGUAGES

NOTE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
SYMBOL = re.compile(r"^(torch|torchvision)(\.[A-Za-z_][A-Za-z0-9_]*)*$")
PREFIX = re.compile(r"^[a-z][a-z0-9-]*$")
VERSION = re.compile(r"^[0-9]+\.[0-9]+(\.[0-9]+)?$")
DOCS_URL = re.compile(r"^https://\S+$")

NOTE_FIELDS = (
    "id", "symbols", "title", "summary", "body", "pitfall", "hover", "example", "snippet",
    "requires", "since", "deprecated", "related", "docs",
)  # fmt: skip
REQUIRED_NOTE_FIELDS = ("id", "symbols", "title", "summary", "body", "example")
SNIPPET_FIELDS = ("prefix", "description", "body", "setup", "check")
DEPRECATED_FIELDS = ("since", "replacement", "message")

T = TypeVar("T")


class FieldError(Exception):
    """A problem with one field, at a line."""

    def __init__(self, line: int, field_name: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field_name
        self.message = message


@dataclass
class _Collector:
    """Gathers every field error of one note instead of stopping at the first."""

    errors: list[FieldError] = field(default_factory=list)

    def get(self, parse: Callable[[], T], fallback: T) -> T:
        try:
            return parse()
        except FieldError as err:
            self.errors.append(err)
            return fallback


def mapping_fields(
    node: Node, allowed: tuple[str, ...], where: str, required: tuple[str, ...] = ()
) -> dict[str, tuple[ScalarNode, Node]]:
    """The keys of a mapping node with their key and value nodes, checked."""
    if not isinstance(node, MappingNode):
        raise FieldError(line_of(node), where, "must be a mapping")
    found: dict[str, tuple[ScalarNode, Node]] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if not isinstance(name, str) or not name:
            raise FieldError(line_of(key), where, "has a key that is not a plain name")
        label = f"{where}.{name}" if where else name
        if name in found:
            raise FieldError(line_of(key), label, "is given twice")
        if name not in allowed:
            hint = _suggest(name, allowed)
            raise FieldError(line_of(key), label, f"is not a known field{hint}")
        found[name] = (key, value)
    for name in required:
        if name not in found:
            label = f"{where}.{name}" if where else name
            raise FieldError(line_of(node), label, "is missing")
    return found


def _suggest(name: str, allowed: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"


def parse_str(node: Node, name: str, *, allow_empty: bool = False) -> str:
    """A string scalar (quoted or block); numbers and booleans are refused."""
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        kind = "a number or boolean" if isinstance(node, ScalarNode) else "a collection"
        raise FieldError(line_of(node), name, f"must be a string, not {kind} (quote it)")
    text = str(node.value)
    if not allow_empty and not text.strip():
        raise FieldError(line_of(node), name, "must not be empty")
    return text


def parse_pattern(node: Node, name: str, pattern: re.Pattern[str], what: str) -> str:
    """A string matching ``pattern``."""
    text = parse_str(node, name)
    if not pattern.match(text):
        raise FieldError(line_of(node), name, f"must be {what}, got {text!r}")
    return text


def parse_str_list(
    node: Node, name: str, item: Callable[[Node, str], str], *, non_empty: bool = False
) -> tuple[str, ...]:
    """A list of strings, each checked by ``item``; duplicates refused."""
    if not isinstance(node, SequenceNode):
        raise FieldError(line_of(node), name, "must be a list of strings")
    if non_empty and not node.value:
        raise FieldError(line_of(node), name, "must list at least one entry")
    values: list[str] = []
    for index, child in enumerate(node.value):
        value = item(child, f"{name}[{index}]")
        if value in values:
            raise FieldError(line_of(child), f"{name}[{index}]", f"repeats {value!r}")
        values.append(value)
    return tuple(values)


def parse_text(node: Node, name: str) -> Text:
    """A ``{en: ..., zh: ...}`` mapping, both languages present and non-empty."""
    fields = mapping_fields(node, LANGUAGES, name, required=LANGUAGES)
    en, zh = (parse_str(fields[lang][1], f"{name}.{lang}").strip() for lang in LANGUAGES)
    return Text(en=en, zh=zh)


def check_python(source: str, first_line: int, name: str) -> None:
    """Compile ``source``; a syntax error is reported at its line in the YAML file."""
    try:
        compile(source, f"<{name}>", "exec", dont_inherit=True)
    except SyntaxError as err:
        line = first_line + max((err.lineno or 1) - 1, 0)
        raise FieldError(line, name, f"does not compile: {err.msg}") from err
    except ValueError as err:  # e.g. NUL bytes
        raise FieldError(first_line, name, f"does not compile: {err}") from err


def parse_code(node: Node, name: str) -> tuple[str, int]:
    """Python source in a string, compiled; returns it with its first line."""
    source = parse_str(node, name)
    assert isinstance(node, ScalarNode)
    first = content_line(node)
    check_python(source, first, name)
    return source, first


def parse_hover(node: Node, name: str) -> tuple[str, int]:
    """The doctest-style ``hover`` block; a malformed statement is reported at its line."""
    text = parse_str(node, name)
    assert isinstance(node, ScalarNode)
    first = content_line(node)
    try:
        parse_hover_block(text)
    except HoverBlockError as err:
        raise FieldError(first + err.line, name, err.reason) from err
    return text, first


def parse_snippet_field(node: Node) -> Snippet:
    """The optional ``snippet`` of a note."""
    fields = mapping_fields(
        node, SNIPPET_FIELDS, "snippet", required=("prefix", "description", "body")
    )
    prefix = parse_pattern(
        fields["prefix"][1], "snippet.prefix", PREFIX, "lower-case words joined by '-'"
    )
    description = parse_text(fields["description"][1], "snippet.description")
    body_node = fields["body"][1]
    body = parse_str(body_node, "snippet.body")
    assert isinstance(body_node, ScalarNode)
    body_line = content_line(body_node)
    try:
        template = parse_snippet(body)
    except SnippetSyntaxError as err:
        raise FieldError(body_line + err.line - 1, "snippet.body", err.reason) from err
    setup, setup_line = ("", 0)
    if "setup" in fields:
        setup, setup_line = parse_code(fields["setup"][1], "snippet.setup")
    check, check_line = ("", 0)
    if "check" in fields:
        check, check_line = parse_code(fields["check"][1], "snippet.check")
    for chosen in _each_choice(template.choices()):
        check_python(template.expand(chosen), body_line, "snippet.body")
    return Snippet(prefix, description, body, setup, check, body_line, setup_line, check_line)


def _each_choice(choices: dict[int, tuple[str, ...]]) -> list[dict[int, str]]:
    """The defaults, then each further value of each choice once."""
    runs: list[dict[int, str]] = [{}]
    for number, options in choices.items():
        runs.extend({number: option} for option in options[1:])
    return runs


def parse_deprecated(node: Node) -> Deprecation:
    """The optional ``deprecated`` block."""
    fields = mapping_fields(
        node, DEPRECATED_FIELDS, "deprecated", required=("since", "replacement")
    )
    since = parse_pattern(fields["since"][1], "deprecated.since", VERSION, 'a version like "2.0"')
    replacement = parse_str(fields["replacement"][1], "deprecated.replacement")
    message = (
        parse_text(fields["message"][1], "deprecated.message") if "message" in fields else None
    )
    return Deprecation(since, replacement, message)


def _requires_tag(node: Node, name: str) -> str:
    tag = parse_str(node, name)
    if tag not in REQUIRES_TAGS:
        raise FieldError(line_of(node), name, f"is {tag!r}; known tags: {', '.join(REQUIRES_TAGS)}")
    return tag


def _symbol(node: Node, name: str) -> str:
    return parse_pattern(node, name, SYMBOL, "a full API name such as 'torch.Tensor.view'")


def _note_id(node: Node, name: str) -> str:
    return parse_pattern(node, name, NOTE_ID, "a dotted lower-case id such as 'tensor.view'")


def note_id_of(node: Node) -> str | None:
    """The ``id`` written in a note node, if it is a plain scalar (for error messages)."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                return str(value.value)
    return None


def parse_note(node: Node, path: Path, topic: str) -> tuple[Note | None, list[CorpusError]]:
    """Build a note from its node; on any error, ``None`` and every error found."""
    note_id = note_id_of(node)
    try:
        fields = mapping_fields(node, NOTE_FIELDS, "", required=REQUIRED_NOTE_FIELDS)
    except FieldError as err:
        field_name = err.field or None
        return None, [CorpusError(path, err.line, err.message, note_id, field_name)]

    c = _Collector()

    def value(name: str) -> Node:
        return fields[name][1]

    def optional(name: str, parse: Callable[[Node, str], T], fallback: T) -> T:
        if name not in fields:
            return fallback
        return c.get(lambda: parse(value(name), name), fallback)

    nid = c.get(lambda: _note_id(value("id"), "id"), "")
    symbols = c.get(
        lambda: parse_str_list(value("symbols"), "symbols", _symbol, non_empty=True), ()
    )
    title = c.get(lambda: parse_text(value("title"), "title"), None)
    summary = c.get(lambda: parse_text(value("summary"), "summary"), None)
    body = c.get(lambda: parse_text(value("body"), "body"), None)
    example, example_line = c.get(lambda: parse_code(value("example"), "example"), ("", 0))
    pitfall = optional("pitfall", parse_text, None)
    hover, hover_line = optional("hover", parse_hover, ("", 0))
    snippet = optional("snippet", lambda n, _: parse_snippet_field(n), None)
    requires = optional("requires", lambda n, k: parse_str_list(n, k, _requires_tag), ())
    since = optional("since", lambda n, k: parse_pattern(n, k, VERSION, 'a version like "2.0"'), "")
    deprecated = optional("deprecated", lambda n, _: parse_deprecated(n), None)
    related = optional("related", lambda n, k: parse_str_list(n, k, _note_id), ())
    docs = optional("docs", lambda n, k: parse_pattern(n, k, DOCS_URL, "an https:// link"), "")

    if c.errors:
        errors = [CorpusError(path, e.line, e.message, nid or note_id, e.field) for e in c.errors]
        return None, errors
    assert title is not None and summary is not None and body is not None
    if nid in related:
        line = line_of(value("related"))
        return None, [CorpusError(path, line, "names the note itself", nid, "related")]
    note = Note(
        id=nid,
        symbols=symbols,
        title=title,
        summary=summary,
        body=body,
        example=example,
        location=Location(path, line_of(node)),
        example_line=example_line,
        topic=topic,
        pitfall=pitfall,
        hover=hover,
        hover_line=hover_line,
        snippet=snippet,
        requires=requires,
        since=since,
        deprecated=deprecated,
        related=related,
        docs=docs,
    )
    return note, []


def parse_topic_value(node: Node) -> str:
    """The file's ``topic``."""
    return parse_pattern(
        node, "topic", re.compile(r"^[a-z][a-z0-9_-]*$"), "a short lower-case name"
    )
