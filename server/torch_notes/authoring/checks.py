"""Every problem of a note file, located at its line and field, from the file's text.

What the loader reports (YAML, schema, types, duplicate ids and prefixes, snippet
syntax, malformed hover blocks, code that does not compile), checked against the rest
of the loaded corpus as if this text replaced the file on disk; then what the loader
cannot know: symbols torch does not have (the shipped API inventory), ``related`` ids
no note has, budgets of the hover card, an example that asserts nothing.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from torch_notes.authoring import budgets
from torch_notes.authoring.api import MISSING, check_symbol
from torch_notes.authoring.findings import ERROR, WARNING, Finding
from torch_notes.authoring.nodes import (
    field,
    key_value_span,
    locate,
    node_span,
    note_items,
    scalar_items,
)
from torch_notes.authoring.preview import merged_index
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import cross_check, load_tree
from torch_notes.corpus.model import CorpusError, Note
from torch_notes.corpus.note_parser import NOTE_ID, SYMBOL
from torch_notes.corpus.paths import is_within
from torch_notes.corpus.yaml_source import MAX_FILE_BYTES, YamlProblem, parse_tree
from torch_notes.diagnostics.inventory import ApiInventory
from torch_notes.features.markdown import card_markdown
from torch_notes.i18n import LANGUAGES


@dataclass(frozen=True, slots=True)
class NoteFileReport:
    """A note file's text, checked: its findings and the notes that load from it."""

    findings: tuple[Finding, ...]
    notes: tuple[Note, ...]
    """The notes the loader would keep (unknown ``related`` ids aside), in file order."""
    tree: Node | None
    lines: tuple[str, ...]
    index: CorpusIndex
    """The corpus as it would be with this text saved: the other files' notes and these."""

    def note(self, note_id: str) -> Note | None:
        """The loadable note ``note_id`` of this file."""
        return next((note for note in self.notes if note.id == note_id), None)


def split_lines(text: str) -> tuple[str, ...]:
    """The rows of ``text`` as an editor counts them (``\\r\\n`` and ``\\n``)."""
    return tuple(line.removesuffix("\r") for line in text.split("\n"))


def notes_elsewhere(index: CorpusIndex, path: Path) -> dict[str, Note]:
    """The loaded notes of every file but ``path``: what this file's ids must not clash with."""
    same: dict[Path, bool] = {}
    found = {}
    for note in index.corpus.notes:
        where = note.location.path
        if where not in same:
            same[where] = is_within(where, [path])
        if not same[where]:
            found[note.id] = note
    return found


def _parse(text: str) -> tuple[Node | None, CorpusError | None]:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        message = f"file is {size} bytes; note files are limited to {MAX_FILE_BYTES}"
        return None, CorpusError(Path(), 0, message)
    try:
        return parse_tree(text), None
    except YamlProblem as err:
        return None, CorpusError(Path(), err.line, err.message)


def _loader_finding(error: CorpusError, code: str, tree, lines) -> Finding:
    message = f"'{error.field}' {error.message}" if error.field else error.message
    return Finding(
        span=locate(tree, lines, error.line, error.field),
        code=code,
        severity=ERROR,
        raw=message,
        note_id=error.note_id,
    )


def check_note_text(
    text: str, path: Path, index: CorpusIndex, inventory: ApiInventory
) -> NoteFileReport:
    """Check a note file's ``text`` (an editor's buffer) as if it were the file at ``path``."""
    lines = split_lines(text)
    tree, problem = _parse(text)
    taken = notes_elsewhere(index, path)
    if problem is not None:
        finding = _loader_finding(problem, "note-yaml", None, lines)
        return NoteFileReport((finding,), (), None, lines, merged_index(index, taken, ()))
    notes, errors = load_tree(tree, path)
    findings = [
        _loader_finding(e, "note-schema" if e.field else "note-yaml", tree, lines) for e in errors
    ]
    every_related = {rid for note in notes for rid in note.related}
    kept, clashes = cross_check(notes, every_related | {n.id for n in notes}, taken=taken)
    findings += [_loader_finding(e, "note-duplicate", tree, lines) for e in clashes]
    known_ids = set(taken) | set(_ids_written(tree))
    for item in note_items(tree):
        findings += _item_findings(item, lines, inventory, known_ids)
    merged = merged_index(index, taken, kept)
    findings += _card_findings(kept, tree, lines, merged)
    ordered = sorted(findings, key=lambda f: (f.span, f.code))
    return NoteFileReport(tuple(ordered), tuple(kept), tree, lines, merged)


def _ids_written(tree: Node | None) -> Iterable[str]:
    for item in note_items(tree):
        found = field(item, "id")
        if found is not None and isinstance(found[1], ScalarNode):
            yield str(found[1].value)


def _item_findings(
    item: Node, lines: Sequence[str], inventory: ApiInventory, known_ids: set[str]
) -> list[Finding]:
    """The node-level checks of one note: symbols, related ids, budgets, the example."""
    found: list[Finding] = []
    id_node = field(item, "id")
    note_id = str(id_node[1].value) if id_node and isinstance(id_node[1], ScalarNode) else None
    symbols = field(item, "symbols")
    for node in scalar_items(symbols[1] if symbols else None):
        symbol = str(node.value)
        if not SYMBOL.match(symbol):
            continue  # the loader says so
        check = check_symbol(symbol, inventory)
        if check.status != MISSING:
            continue
        params = {
            "symbol": symbol,
            "version": inventory.torch_version,
            "name": check.name,
            "parent": check.parent,
        }
        key = "note_symbol_missing"
        if check.suggestion:
            key, params["suggestion"] = "note_symbol_suggest", check.suggestion
        found.append(_finding(node_span(node, lines), "note-symbol", WARNING, key, params, note_id))
    related = field(item, "related")
    for node in scalar_items(related[1] if related else None):
        rid = str(node.value)
        if not NOTE_ID.match(rid) or rid in known_ids or rid == note_id:
            continue  # malformed or naming itself: the loader says so
        close = difflib.get_close_matches(rid, sorted(known_ids), n=1, cutoff=0.75)
        params = {"id": rid}
        key = "note_related_missing"
        if close:
            key, params["suggestion"] = "note_related_suggest", close[0]
        found.append(_finding(node_span(node, lines), "note-related", ERROR, key, params, note_id))
    for name, limit in (("summary", budgets.SUMMARY_MAX), ("pitfall", budgets.PITFALL_MAX)):
        text_field = field(item, name)
        for lang in LANGUAGES:
            pair = field(text_field[1], lang) if text_field else None
            if pair is None or not isinstance(pair[1], ScalarNode):
                continue
            size = len(str(pair[1].value).strip())
            if size > limit:
                params = {"language": lang, "size": str(size), "limit": str(limit)}
                span = key_value_span(pair[0], pair[1], lines)
                found.append(
                    _finding(span, "note-budget", WARNING, f"note_budget_{name}", params, note_id)
                )
    hover = field(item, "hover")
    if hover and isinstance(hover[1], ScalarNode):
        size = len(str(hover[1].value).strip("\n").split("\n"))
        if size > budgets.HOVER_LINES_MAX:
            params = {"size": str(size), "limit": str(budgets.HOVER_LINES_MAX)}
            span = key_value_span(hover[0], hover[1], lines)
            found.append(
                _finding(span, "note-budget", WARNING, "note_budget_hover", params, note_id)
            )
    example = field(item, "example")
    if example and isinstance(example[1], ScalarNode) and not _asserts(str(example[1].value)):
        span = key_value_span(example[0], example[1], lines)
        found.append(_finding(span, "note-example", WARNING, "note_example_no_assert", {}, note_id))
    return found


def _asserts(source: str) -> bool:
    """Whether code checks anything: an ``assert``, or a call of an ``assert...`` function
    (``torch.testing.assert_close``). Code that does not compile is the loader's to report."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else ""
            name = function.id if isinstance(function, ast.Name) else name
            if name.startswith("assert"):
                return True
    return False


def _card_findings(
    kept: Sequence[Note], tree: Node | None, lines: Sequence[str], merged: CorpusIndex
) -> list[Finding]:
    """Cards longer than :data:`~budgets.CARD_MAX`, at the note's id (``merged``: the
    corpus with these notes)."""
    verified = {note.id: budgets.VERIFIED_SAMPLE for note in kept}
    items = {item.start_mark.line + 1: item for item in note_items(tree)}
    found = []
    for note in kept:
        item = items.get(note.location.line)
        id_pair = field(item, "id") if item is not None else None
        if id_pair is None:
            continue
        for lang in LANGUAGES:
            size = len(card_markdown(note, lang, merged, verified))
            if size > budgets.CARD_MAX:
                params = {"language": lang, "size": str(size), "limit": str(budgets.CARD_MAX)}
                span = key_value_span(id_pair[0], id_pair[1], lines)
                found.append(
                    _finding(span, "note-budget", WARNING, "note_budget_card", params, note.id)
                )
    return found


def _finding(
    span, code: str, severity: str, key: str, params: Mapping[str, str], note_id: str | None
) -> Finding:
    return Finding(
        span=span,
        code=code,
        severity=severity,
        key=key,
        params=tuple(sorted(params.items())),
        note_id=note_id,
    )
