"""The analysis of one document version: its syntax tree, its imports and its receivers."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.receivers import Receivers


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
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, doc: SourceDocument) -> Analysis:
        """Analyse ``doc``: its imports now, its receivers on demand."""
        return cls(doc, collect_imports(doc))

    @property
    def receivers(self) -> Receivers:
        """What this version's expressions evidently hold (for the thread serving requests)."""
        found = self.cache.get("receivers")
        if not isinstance(found, Receivers):
            found = self.cache["receivers"] = Receivers(self.doc)
        return found

    @property
    def thorough_receivers(self) -> Receivers:
        """The same, also inferring from call sites and uses (asked only when needed)."""
        found = self.cache.get("thorough")
        if not isinstance(found, Receivers):
            found = self.cache["thorough"] = Receivers(
                self.doc, thorough=True, quick=self.receivers
            )
        return found
