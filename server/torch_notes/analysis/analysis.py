"""The analysis of one document version: its syntax tree and its bindings."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.analysis.receivers import receiver_kinds


@dataclass(frozen=True, slots=True)
class Analysis:
    """A parsed document with its import bindings: what resolution needs."""

    doc: SourceDocument
    imports: dict[str, str]
    receivers: dict[str, str] = field(default_factory=dict)
    """Variable → the torch class it evidently holds (``opt = SGD(...)`` → Optimizer)."""

    @classmethod
    def of(cls, doc: SourceDocument) -> Analysis:
        """Analyse ``doc``: its imports, and what its torch-object variables hold."""
        imports = collect_imports(doc)
        return cls(doc, imports, receiver_kinds(doc, imports))
