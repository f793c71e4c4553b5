"""The deprecations the corpus knows, read from the notes' ``deprecated`` fields.

A note whose ``deprecated.replacement`` is an API name or free text deprecates the note's
*symbols* (``torch.norm`` → ``torch.linalg.vector_norm``). A replacement written as a
keyword (``"weights=..."``) deprecates an *argument*, which the note's symbols cannot say;
:mod:`torch_notes.diagnostics.rules.pretrained` handles the one the corpus has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from torch_notes.corpus.index import CorpusIndex, owner_class
from torch_notes.corpus.model import Note, Text

_KEYWORD_REPLACEMENT = re.compile(r"^\s*[A-Za-z_]\w*\s*=")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True, slots=True)
class DeprecatedSymbol:
    """One deprecated API symbol and what to use instead, from its note."""

    symbol: str
    note_id: str
    since: str
    replacement: str
    message: Text | None
    """The note's own ``deprecated.message``, in every language."""

    @property
    def owner(self) -> str | None:
        """The class of a member symbol (``torch.Tensor`` for ``torch.Tensor.norm``)."""
        return owner_class(self.symbol)

    @property
    def replacement_symbol(self) -> str | None:
        """The replacement when it is one API name (mechanical rewrites need one)."""
        return self.replacement if _DOTTED.match(self.replacement) else None


def argument_deprecation(note: Note) -> bool:
    """Whether the note deprecates an argument (``replacement: "weights=..."``)."""
    return note.deprecated is not None and bool(
        _KEYWORD_REPLACEMENT.match(note.deprecated.replacement)
    )


def deprecated_symbols(index: CorpusIndex) -> dict[str, DeprecatedSymbol]:
    """Symbol → its deprecation, for every symbol-level deprecation in the corpus."""
    found: dict[str, DeprecatedSymbol] = {}
    for note in index.corpus.notes:
        deprecation = note.deprecated
        if deprecation is None or argument_deprecation(note):
            continue
        for symbol in note.symbols:
            found.setdefault(
                symbol,
                DeprecatedSymbol(
                    symbol,
                    note.id,
                    deprecation.since,
                    deprecation.replacement,
                    deprecation.message,
                ),
            )
    return found
