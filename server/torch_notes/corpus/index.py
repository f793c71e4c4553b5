"""Lookup tables over a :class:`Corpus`: by id, by API symbol, by method name, by prefix.

Built once per corpus load and never mutated, so requests can share it freely.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from torch_notes.corpus.model import Corpus, Note

TORCH_ROOTS: frozenset[str] = frozenset({"torch", "torchvision", "torchaudio", "torchtext"})
"""Top-level packages whose names the notes explain."""


def owner_class(symbol: str) -> str | None:
    """The class a member symbol belongs to (``torch.Tensor.view`` → ``torch.Tensor``).

    Classes are recognised by their capitalised last segment, as in PyTorch's API.
    """
    parent, _, name = symbol.rpartition(".")
    if not parent or not name:
        return None
    return parent if parent.rpartition(".")[2][:1].isupper() else None


def is_torch_name(dotted: str) -> bool:
    """Whether a dotted name lies in one of the torch packages."""
    return dotted.partition(".")[0] in TORCH_ROOTS


@dataclass(frozen=True, slots=True)
class CorpusIndex:
    """Read-only indexes over the notes of one corpus."""

    corpus: Corpus
    by_id: dict[str, Note] = field(default_factory=dict)
    by_symbol: dict[str, tuple[Note, ...]] = field(default_factory=dict)
    """Symbol → the notes claiming it: those listing it first (its primary note) come first."""
    methods: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Member name → full symbols of classes that define it (``view`` → ``torch.Tensor.view``)."""
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Dotted parent → sorted child names that lead to noted symbols (``torch.nn`` → ``Conv2d``)."""
    snippets: tuple[Note, ...] = ()
    """Notes carrying a snippet, sorted by snippet prefix."""
    names: frozenset[str] = frozenset()
    """Every segment of every noted symbol: a quick filter before resolving a name."""

    @classmethod
    def build(cls, corpus: Corpus) -> CorpusIndex:
        """Index every note of ``corpus``."""
        by_symbol: dict[str, list[Note]] = defaultdict(list)
        methods: dict[str, set[str]] = defaultdict(set)
        members: dict[str, set[str]] = defaultdict(set)
        for note in corpus.notes:
            for symbol in note.symbols:
                by_symbol[symbol].append(note)
                if owner_class(symbol) is not None:
                    methods[symbol.rpartition(".")[2]].add(symbol)
                parts = symbol.split(".")
                for depth in range(1, len(parts)):
                    members[".".join(parts[:depth])].add(parts[depth])
        snippets = sorted(corpus.snippets(), key=lambda note: note.snippet.prefix)  # type: ignore[union-attr]
        return cls(
            corpus=corpus,
            by_id={note.id: note for note in corpus.notes},
            by_symbol={
                symbol: tuple(sorted(notes, key=lambda note, s=symbol: note.symbols.index(s) > 0))
                for symbol, notes in by_symbol.items()
            },
            methods={name: tuple(sorted(symbols)) for name, symbols in methods.items()},
            members={parent: tuple(sorted(names)) for parent, names in members.items()},
            snippets=tuple(snippets),
            names=frozenset(part for symbol in by_symbol for part in symbol.split(".")),
        )

    def notes_for(self, symbol: str) -> tuple[Note, ...]:
        """Notes that explain ``symbol`` (empty when none does)."""
        return self.by_symbol.get(symbol, ())

    def knows(self, symbol: str) -> bool:
        """Whether a note explains ``symbol``."""
        return symbol in self.by_symbol

    def method_symbols(self, name: str) -> tuple[str, ...]:
        """Noted class members called ``name``, on any class."""
        return self.methods.get(name, ())

    def children(self, parent: str) -> tuple[str, ...]:
        """Names directly below ``parent`` on the way to a noted symbol."""
        return self.members.get(parent, ())

    def is_namespace(self, dotted: str) -> bool:
        """Whether noted symbols live below ``dotted``."""
        return dotted in self.members

    def snippet_note(self, prefix: str) -> Note | None:
        """The note whose snippet has ``prefix``."""
        for note in self.snippets:
            if note.snippet is not None and note.snippet.prefix == prefix:
                return note
        return None
