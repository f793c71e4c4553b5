"""What every rule reads: the document, its imports, the corpus index and the API inventory."""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.expressions import dotted_chain
from torch_notes.analysis.imports import collect_imports
from torch_notes.corpus.index import CorpusIndex, is_torch_name
from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.inventory import ApiInventory, load_inventory


@dataclass(frozen=True, slots=True)
class RuleContext:
    """One document prepared for the rules; build with :meth:`build`."""

    doc: SourceDocument
    imports: dict[str, str]
    index: CorpusIndex
    inventory: ApiInventory
    uses_torch: bool
    """Whether any import binds a torch package (rules about torch names need one)."""
    rebound: frozenset[str] = frozenset()
    """Names bound somewhere by something other than an import (``F = ...``, ``def f(nn)``)."""
    attribute_targets: frozenset[str] = frozenset()
    string_words: frozenset[str] = frozenset()
    wildcard_import: bool = False
    bindings: tuple[Node, ...] = field(default=(), repr=False)
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    """Derived data rules share (the tensor oracle), filled on first use."""

    @classmethod
    def build(
        cls,
        doc: SourceDocument,
        index: CorpusIndex,
        *,
        imports: dict[str, str] | None = None,
        inventory: ApiInventory | None = None,
    ) -> RuleContext:
        """Prepare ``doc``; the costlier scans run only for files that import torch."""
        imports = collect_imports(doc) if imports is None else imports
        inventory = inventory or load_inventory()
        uses_torch = any(is_torch_name(full) for full in imports.values())
        if not uses_torch:
            return cls(doc, imports, index, inventory, uses_torch)
        bindings = tuple(syntax.binding_nodes(doc.tree.root_node))
        return cls(
            doc,
            imports,
            index,
            inventory,
            uses_torch,
            rebound=frozenset(doc.node_text(node) for node in bindings),
            attribute_targets=syntax.attribute_targets(doc),
            string_words=syntax.string_words(doc),
            wildcard_import=syntax.has_wildcard_import(doc),
            bindings=bindings,
        )

    def torch_binding(self, head: str) -> str | None:
        """The torch dotted name an import binds ``head`` to, if it is not rebound otherwise."""
        full = self.imports.get(head)
        if full is None or not is_torch_name(full) or head in self.rebound:
            return None
        return full

    def resolve(self, node: Node) -> str | None:
        """The full torch name of a name or attribute chain whose head is a torch import."""
        chain = dotted_chain(self.doc, node)
        if chain is None:
            return None
        head, _, rest = chain.partition(".")
        full = self.torch_binding(head)
        if full is None:
            return None
        return f"{full}.{rest}" if rest else full
