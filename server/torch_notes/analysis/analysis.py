"""The analysis of one document version: its syntax tree, its imports and its receivers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.receivers import Receivers
from torch_notes.analysis.values import Value, imported


@dataclass(frozen=True, slots=True)
class Bindings:
    """Module-level names a document binds, as later code sees them (notebook cells)."""

    imports: Mapping[str, str] = field(default_factory=dict)
    """Name → the dotted module or object it was imported as."""
    values: Mapping[str, Value] = field(default_factory=dict)
    """Name → what it holds once the document has run (imports included; see
    :meth:`~torch_notes.analysis.receivers.Receivers.exports`)."""


class ExportedValues(Mapping[str, Value]):
    """What names hold after a document has run, over what they held before it: lazily.

    Nothing is evaluated until a later document (the cell below) looks a name up, so
    analysing a long notebook stays cheap; equal only to itself (a cell analysed again
    makes a new one, and the cells below are analysed again).
    """

    def __init__(self, receivers: Receivers, outer: Mapping[str, Value]) -> None:
        self._receivers = receivers
        self._outer = outer
        self._own: frozenset[str] | None = None

    def _names(self) -> frozenset[str]:
        if self._own is None:
            self._own = self._receivers.exported_names()
        return self._own

    def __getitem__(self, name: str) -> Value:
        current: Mapping[str, Value] = self
        while isinstance(current, ExportedValues):  # iterative: notebooks have many cells
            if name in current._names():
                return current._receivers.export(name)
            current = current._outer
        return current[name]

    def __contains__(self, name: object) -> bool:
        current: Mapping[str, Value] = self
        while isinstance(current, ExportedValues):
            if name in current._names():
                return True
            current = current._outer
        return name in current

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        current: Mapping[str, Value] = self
        while isinstance(current, ExportedValues):
            seen |= current._names()
            current = current._outer
        return iter(sorted(seen | set(current)))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__


class _Before(Mapping[str, Value]):
    """What a document sees of the names bound before it: imports first (no evaluation)."""

    def __init__(self, bindings: Bindings) -> None:
        self._imports = bindings.imports
        self._values = bindings.values

    def __getitem__(self, name: str) -> Value:
        dotted = self._imports.get(name)  # an import above wins, as before values were tracked
        return imported(dotted) if dotted is not None else self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._imports or name in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(self._imports) | set(self._values)))

    def __len__(self) -> int:
        return sum(1 for _ in self)


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
            found = self.cache["receivers"] = Receivers(self.doc, outer=_Before(self.outer))
        return found

    @property
    def thorough_receivers(self) -> Receivers:
        """The same, also inferring from call sites and uses (asked only when needed)."""
        found = self.cache.get("thorough")
        if not isinstance(found, Receivers):
            found = self.cache["thorough"] = Receivers(
                self.doc, thorough=True, quick=self.receivers, outer=_Before(self.outer)
            )
        return found

    @property
    def exports(self) -> Bindings:
        """What code after this document sees: its bindings, including inherited ones."""
        found = self.cache.get("exports")
        if not isinstance(found, Bindings):
            values = ExportedValues(self.receivers, self.outer.values)
            found = self.cache["exports"] = Bindings(self.imports, values)
        return found
