"""Resolve identifiers in a document to the torch API symbols that notes explain.

Three routes lead to a symbol:

* an imported name or a dotted chain starting with one (``F.relu``, ``th.nn.Conv2d``,
  ``DataLoader``), followed through every import form;
* a member name on any other receiver (``x.transpose(0, 1).contiguous()``,
  ``model.eval()``), matched against the noted members of torch classes;
* a name inside an import statement (``from torch.utils.data import DataLoader``).

Which symbols exist is asked of a :class:`Vocabulary`: for hovers the notes' index (a symbol
resolves when a note explains it), for ``coverage`` the torch API itself (a symbol resolves
when torch has it, noted or not), so both walk the very same rules.

Names that are provably not torch's never resolve: anything in strings and
comments, members of non-torch modules (``np.transpose``, ``os.path.join``),
literals' methods, and ``self.name`` where the enclosing class defines ``name``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from tree_sitter import Node, Point, Query

from torch_notes.analysis import queries
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.expressions import dotted_chain, expression_root, identifier_at
from torch_notes.analysis.imports import import_path_at
from torch_notes.analysis.receivers import NOT_TORCH
from torch_notes.corpus.index import CorpusIndex, is_torch_name, owner_class

OWNER_PREFERENCE: tuple[str, ...] = (
    "torch.Tensor",
    "torch.nn.Module",
    "torch.optim.Optimizer",
    "torch.utils.data.DataLoader",
)
"""When a member name is noted on several classes, the likelier receiver comes first."""

_LITERALS = frozenset(
    {
        "string",
        "concatenated_string",
        "integer",
        "float",
        "list",
        "dictionary",
        "set",
        "true",
        "false",
        "none",
        "list_comprehension",
        "dictionary_comprehension",
        "set_comprehension",
    }
)
_IDENTIFIERS = Query(PYTHON, "(identifier) @name")


class Vocabulary(Protocol):
    """The symbols resolution may land on (:class:`CorpusIndex` is one: the noted symbols)."""

    def knows(self, symbol: str) -> bool:
        """Whether ``symbol`` (a full dotted name) is one of them."""
        ...

    def method_symbols(self, name: str) -> tuple[str, ...]:
        """Its class members called ``name`` (``view`` → ``torch.Tensor.view``), on any class."""
        ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """An identifier and the noted symbols it stands for, likeliest first."""

    node: Node
    symbols: tuple[str, ...]


def _class_defines(doc: SourceDocument, node: Node, name: str) -> bool:
    """Whether the class enclosing ``node`` defines a method called ``name``."""
    current = node.parent
    while current is not None and current.type != "class_definition":
        current = current.parent
    if current is None:
        return False
    body = current.child_by_field_name("body")
    if body is None:
        return False
    for child in body.named_children:
        definition = child
        if child.type == "decorated_definition":
            definition = child.child_by_field_name("definition") or child
        if definition.type == "function_definition":
            def_name = definition.child_by_field_name("name")
            if def_name is not None and doc.node_text(def_name) == name:
                return True
    return False


def rank_members(symbols: tuple[str, ...]) -> tuple[str, ...]:
    def key(symbol: str) -> tuple[int, str]:
        owner = owner_class(symbol) or ""
        rank = OWNER_PREFERENCE.index(owner) if owner in OWNER_PREFERENCE else len(OWNER_PREFERENCE)
        return rank, symbol

    return tuple(sorted(symbols, key=key))


def _resolve_member(
    analysis: Analysis, attribute: Node, name: str, index: Vocabulary
) -> tuple[str, ...]:
    """Symbols for ``<receiver>.name``."""
    doc, imports = analysis.doc, analysis.imports
    receiver = attribute.child_by_field_name("object")
    if receiver is None:
        return ()
    chain = dotted_chain(doc, receiver)
    if chain is not None:
        head, _, rest = chain.partition(".")
        if head in imports:
            base = imports[head] + (f".{rest}" if rest else "")
            if not is_torch_name(base):
                return ()
            full = f"{base}.{name}"
            return (full,) if index.knows(full) else ()
        if head.startswith("__") or (rest and head in ("self", "cls")):
            return ()
        if head in ("self", "cls"):
            if _class_defines(doc, attribute, name):
                return ()
            kind: str | None = "torch.nn.Module"  # self.train(), self.eval() in a Module
        else:
            kind = analysis.receivers.get(chain)
        if kind == NOT_TORCH:
            return ()
        if kind is not None:
            owned = tuple(s for s in index.method_symbols(name) if owner_class(s) == kind)
            if owned or head in ("self", "cls"):
                return owned
    else:
        if _returns_non_tensor(doc, receiver):
            return ()
        root = expression_root(receiver)
        if root.type in _LITERALS and not attribute.has_error:  # trust only clean trees here
            return ()
        if root.type == "identifier":
            bound = imports.get(doc.node_text(root))
            if bound is not None and not is_torch_name(bound):
                return ()
    if _called_with_string(attribute):
        return ()
    return rank_members(index.method_symbols(name))


_LEAVES_TORCH = frozenset({"numpy", "tolist", "item", "keys", "items", "values"})


def _returns_non_tensor(doc: SourceDocument, receiver: Node) -> bool:
    """``x.numpy().round(2)``: the receiver is a call that leaves torch."""
    if receiver.type != "call":
        return False
    function = receiver.child_by_field_name("function")
    if function is None or function.type != "attribute":
        return False
    name = function.child_by_field_name("attribute")
    return name is not None and doc.node_text(name) in _LEAVES_TORCH


def _called_with_string(attribute: Node) -> bool:
    """``s.split(",")``: a string first argument means a ``str`` method, not a tensor's."""
    call = attribute.parent
    if call is None or call.type != "call" or call.child_by_field_name("function") != attribute:
        return False
    arguments = call.child_by_field_name("arguments")
    first = arguments.named_children[0] if arguments and arguments.named_children else None
    return first is not None and first.type in ("string", "concatenated_string")


def resolve_node(analysis: Analysis, node: Node, index: Vocabulary) -> Resolution | None:
    """The symbols of ``index`` an ``identifier`` node stands for, or ``None``."""
    doc = analysis.doc
    name = doc.node_text(node)
    parent = node.parent
    if parent is None:
        return None
    if parent.type in ("dotted_name", "aliased_import"):
        path = import_path_at(doc, node)
        if path is not None and index.knows(path):
            return Resolution(node, (path,))
        return None
    if parent.type == "attribute":
        attr = parent.child_by_field_name("attribute")
        if attr is not None and attr.start_byte == node.start_byte:
            symbols = _resolve_member(analysis, parent, name, index)
            return Resolution(node, symbols) if symbols else None
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
        return None
    full = analysis.imports.get(name)
    if full is None or not is_torch_name(full) or not index.knows(full):
        return None
    return Resolution(node, (full,))


def resolve_at(analysis: Analysis, point: Point, index: CorpusIndex) -> Resolution | None:
    """Resolve the identifier under ``point``; ``None`` where no note applies."""
    node = identifier_at(analysis.doc, point)
    return None if node is None else resolve_node(analysis, node, index)


def in_annotation(node: Node) -> bool:
    """Whether ``node`` lies in a type annotation (``x: torch.Tensor``, ``-> nn.Module``)."""
    current = node.parent
    while current is not None and current.type not in ("block", "module"):
        if current.type == "type":
            return True
        current = current.parent
    return False


def iter_resolutions(
    analysis: Analysis,
    index: CorpusIndex,
    *,
    include_imports: bool = False,
    include_annotations: bool = False,
) -> Iterator[Resolution]:
    """Every identifier in the document that resolves to a noted symbol, in source order."""
    imports, names = analysis.imports, index.names
    captures = queries.captures(_IDENTIFIERS, analysis.doc.tree.root_node, "name")
    for node in sorted(captures, key=lambda n: n.start_byte):
        text = analysis.doc.node_text(node)
        if text not in names and text not in imports:
            continue
        parent = node.parent
        if (
            not include_imports
            and parent is not None
            and parent.type in ("dotted_name", "aliased_import")
        ):
            continue
        if not include_annotations and in_annotation(node):
            continue
        resolution = resolve_node(analysis, node, index)
        if resolution is not None:
            yield resolution
