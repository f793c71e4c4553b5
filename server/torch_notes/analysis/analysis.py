"""The analysis of one document version: its syntax tree, its imports and its receivers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.receivers import Receivers
from torch_notes.analysis.values import Value


@dataclass(frozen=True, slots=True)
class Bindings:
    """Module-level names a document binds, as later code sees them (notebook cells)."""

    imports: Mapping[str, str] = field(default_factory=dict)
    """Name → the dotted module or object it was imported as."""
    values: Mapping[str, Value] = field(default_factory=dict)
    """Name → what it holds once the document has run (imports included; see
    :meth:`~torch_notes.analysis.receivers.Receivers.exports`)."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """A parsed document with its import bindings: what resolution needs.

    What expressions hold (:attr:`receivers`) is worked out lazily, scope by scope, the
    first time a request needs it, and kept for the rest of this version's life.
    """

    doc: SourceDocument
    imports: dict[str, str]
    """Every name an import binds anywhere, to its dotted name (scope-blind: for completion
    contexts, computed hovers and the rules' ``torch`` checks)."""
    outer: Bindings = field(default_factory=Bindings)
    """What was bound before the document starts (the cells above a notebook cell)."""
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, doc: SourceDocument, *, outer: Bindings | None = None) -> Analysis:
        """Analyse ``doc``: its imports now, its receivers on demand.

        ``outer`` are bindings made before the document starts (the cells above a
        notebook cell); the document's own bindings take precedence over them.
        """
        outer = outer or Bindings()
        return cls(doc, {**outer.imports, **collect_imports(doc)}, outer)

    @property
    def receivers(self) -> Receivers:
        """What this version's expressions evidently hold (for the thread serving requests)."""
        found = self.cache.get("receivers")
        if not isinstance(found, Receivers):
            found = self.cache["receivers"] = Receivers(self.doc, outer=self.outer.values)
        return found

    @property
    def thorough_receivers(self) -> Receivers:
        """The same, also inferring from call sites and uses (asked only when needed)."""
        found = self.cache.get("thorough")
        if not isinstance(found, Receivers):
            found = self.cache["thorough"] = Receivers(
                self.doc, thorough=True, quick=self.receivers, outer=self.outer.values
            )
        return found

    @property
    def exports(self) -> Bindings:
        """What code after this document sees: its bindings, including inherited ones."""
        found = self.cache.get("exports")
        if not isinstance(found, Bindings):
            values = {**self.outer.values, **self.receivers.exports()}
            found = self.cache["exports"] = Bindings(self.imports, values)
        return found
