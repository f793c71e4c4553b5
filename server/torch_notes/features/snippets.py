"""Snippet text and edits: in snippet syntax for capable clients, plain text otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.model import Note
from torch_notes.corpus.snippet_syntax import parse_snippet


@dataclass(frozen=True, slots=True)
class EditSupport:
    """What the client can apply in a ``WorkspaceEdit``."""

    snippet_edits: bool = False
    """LSP 3.18 ``SnippetTextEdit`` (``workspace.workspaceEdit.snippetEditSupport``)."""
    document_changes: bool = False


def indent_continuation(text: str, indent: str) -> str:
    """``text`` with every line after the first indented by ``indent`` (blank lines untouched)."""
    if not indent:
        return text
    first, *rest = text.split("\n")
    return "\n".join([first, *((indent + line) if line.strip() else line for line in rest)])


def snippet_text(note: Note, *, as_snippet: bool, indent: str = "") -> str:
    """The snippet of ``note`` ready to insert at a line indented by ``indent``.

    Snippet syntax is left for the client to indent (editors' snippet engines do);
    plain text has its defaults filled in and is indented here.
    """
    assert note.snippet is not None
    body = note.snippet.body.rstrip("\n")
    if as_snippet:
        return body
    return indent_continuation(parse_snippet(body).expand(), indent)


def leading_whitespace(line: str) -> str:
    """The indentation of ``line``."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def snippet_edit(
    note: Note,
    *,
    uri: str,
    version: int | None,
    range: types.Range,
    indent: str,
    support: EditSupport,
) -> types.WorkspaceEdit:
    """A workspace edit inserting ``note``'s snippet over ``range``."""
    if support.snippet_edits:
        edit: types.TextEdit | types.SnippetTextEdit = types.SnippetTextEdit(
            range=range, snippet=types.StringValue(snippet_text(note, as_snippet=True))
        )
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri, version),
                    edits=[edit],
                )
            ]
        )
    text_edit = types.TextEdit(
        range=range, new_text=snippet_text(note, as_snippet=False, indent=indent)
    )
    if support.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri, version),
                    edits=[text_edit],
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: [text_edit]})


def fuzzy_match(word: str, prefix: str) -> bool:
    """Whether the characters of ``word`` occur in order in ``prefix`` (case-insensitive)."""
    remaining = iter(prefix.lower())
    return all(char in remaining for char in word.lower())


def insertion_edit(
    doc: SourceDocument,
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
        version=doc.version,
        range=types.Range(position, position),
        indent=before if not before.strip() else leading_whitespace(line),
        support=support,
    )
