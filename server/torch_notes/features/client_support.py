"""What the client supports and the user enabled, as plain data.

Kept apart from the features that use it (and import the analysis) so that the server
can record a client's capabilities at ``initialize`` before it loads anything else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompletionOptions:
    """What the user enabled and what the client supports."""

    snippets: bool = True
    """``torchNotes.completion.snippets``."""
    members: bool = True
    """Member completions (``torchNotes.completion.members`` resolved for this client)."""
    snippet_support: bool = False
    """``textDocument.completion.completionItem.snippetSupport``."""
    as_is_support: bool = False
    """The client accepts ``insertTextMode: asIs``."""


@dataclass(frozen=True, slots=True)
class EditSupport:
    """What the client can apply in a ``WorkspaceEdit``."""

    snippet_edits: bool = False
    """LSP 3.18 ``SnippetTextEdit`` (``workspace.workspaceEdit.snippetEditSupport``)."""
    document_changes: bool = False
