"""The analysis of one document version: its syntax tree and its bindings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.receivers import receiver_kinds


@dataclass(frozen=True, slots=True)
class Bindings:
    """Module-level names a document binds, as later code sees them (notebook cells)."""

    imports: Mapping[str, str] = field(default_factory=dict)
    """Name → the dotted module or object it was imported as."""
    receivers: Mapping[str, str] = field(default_factory=dict)
    """Variable → the torch class it evidently holds (see :mod:`receivers`)."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """A parsed document with its import bindings: what resolution needs."""

    doc: SourceDocument
    imports: dict[str, str]
    receivers: dict[str, str] = field(default_factory=dict)
    """Variable → the torch class it evidently holds (``opt = SGD(...)`` → Optimizer)."""

    @classmethod
    def of(cls, doc: SourceDocument, *, outer: Bindings | None = None) -> Analysis:
        """Analyse ``doc``: its imports, and what its torch-object variables hold.

        ``outer`` are bindings made before the document starts (the cells above a
        notebook cell); the document's own bindings take precedence over them.
        """
        outer = outer or Bindings()
        imports = {**outer.imports, **collect_imports(doc)}
        return cls(doc, imports, {**outer.receivers, **receiver_kinds(doc, imports)})

    @property
    def exports(self) -> Bindings:
        """What code after this document sees: its bindings, including inherited ones."""
        return Bindings(self.imports, self.receivers)
