"""Snippet text and edits: in snippet syntax for capable clients, plain text otherwise.

Every way of inserting a snippet (completion, the ``torchNotes.insertSnippet`` command,
code actions) goes through :func:`insertion`: the body goes at the cursor, and its leading
import lines, minus what the file already imports, go to the file's import block
(:mod:`torch_notes.features.snippet_imports`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lsprotocol import types

from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.model import Note
from torch_notes.corpus.snippet_syntax import parse_snippet
from torch_notes.features.snippet_imports import import_edit, split_imports


@dataclass(frozen=True, slots=True)
class EditSupport:
    """What the client can apply in a ``WorkspaceEdit``."""

    snippet_edits: bool = False
    """LSP 3.18 ``SnippetTextEdit`` (``workspace.workspaceEdit.snippetEditSupport``)."""
    document_changes: bool = False


@dataclass(frozen=True, slots=True)
class Insertion:
    """A snippet ready to insert: the text at the cursor and the edit adding its imports."""

    text: str
    """Snippet syntax for clients with snippet support, else plain text (indented)."""
    imports: types.TextEdit | None


def indent_continuation(text: str, indent: str) -> str:
    """``text`` with every line after the first indented by ``indent`` (blank lines untouched)."""
    if not indent:
        return text
    first, *rest = text.split("\n")
    return "\n".join([first, *((indent + line) if line.strip() else line for line in rest)])


def _render(body: str, *, as_snippet: bool, indent: str) -> str:
    """Snippet syntax is left for the client to indent (editors' snippet engines do);
    plain text has its defaults filled in and is indented here."""
    if as_snippet:
        return body
    return indent_continuation(parse_snippet(body).expand(), indent)


def snippet_text(note: Note, *, as_snippet: bool, indent: str = "") -> str:
    """The whole snippet of ``note`` (imports included) for a line indented by ``indent``."""
    assert note.snippet is not None
    return _render(note.snippet.body.rstrip("\n"), as_snippet=as_snippet, indent=indent)


def insertion(
    note: Note,
    doc: SourceDocument,
    bound: Mapping[str, str],
    row: int,
    *,
    as_snippet: bool,
    indent: str,
) -> Insertion:
    """``note``'s snippet for row ``row`` of ``doc``, whose names ``bound`` already binds."""
    assert note.snippet is not None
    body = note.snippet.body.rstrip("\n")
    split = split_imports(body)
    try:
        edit = import_edit(doc, bound, split.imports, row) if split.imports else None
    except ValueError:  # no import block above the cursor: the imports stay in the body
        return Insertion(_render(body, as_snippet=as_snippet, indent=indent), None)
    text = split.body if split.imports else body
    return Insertion(_render(text, as_snippet=as_snippet, indent=indent), edit)


def leading_whitespace(line: str) -> str:
    """The indentation of ``line``."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def snippet_edit(
    note: Note,
    *,
    uri: str,
    doc: SourceDocument,
    bound: Mapping[str, str],
    range: types.Range,
    indent: str,
    support: EditSupport,
) -> types.WorkspaceEdit:
    """A workspace edit inserting ``note``'s snippet over ``range`` (and its imports)."""
    as_snippet = support.snippet_edits
    inserted = insertion(note, doc, bound, range.start.line, as_snippet=as_snippet, indent=indent)
    edit: types.TextEdit | types.SnippetTextEdit = (
        types.SnippetTextEdit(range=range, snippet=types.StringValue(inserted.text))
        if as_snippet
        else types.TextEdit(range=range, new_text=inserted.text)
    )
    edits: list[types.TextEdit | types.SnippetTextEdit] = [edit]
    if inserted.imports is not None:
        edits.insert(0, inserted.imports)
    if as_snippet or support.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri, doc.version),
                    edits=edits,  # type: ignore[arg-type]
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: edits})  # type: ignore[dict-item]


def insertion_edit(
    doc: SourceDocument,
    bound: Mapping[str, str],
    note: Note,
    position: types.Position,
    *,
    uri: str,
    support: EditSupport,
) -> types.WorkspaceEdit:
    """The edit inserting ``note``'s snippet at ``position`` (``torchNotes.insertSnippet``).

    Continuation lines take the indentation of the text before the cursor when that is
    blank (the cursor sits in the indentation), else the line's own indentation.
    """
    line = doc.line(position.line)
    before = line[: doc.char_index(doc.point_at(position))]
    return snippet_edit(
        note,
        uri=uri,
        doc=doc,
        bound=bound,
        range=types.Range(position, position),
        indent=before if not before.strip() else leading_whitespace(line),
        support=support,
    )


def fuzzy_match(word: str, prefix: str) -> bool:
    """Whether the characters of ``word`` occur in order in ``prefix`` (case-insensitive)."""
    remaining = iter(prefix.lower())
    return all(char in remaining for char in word.lower())
