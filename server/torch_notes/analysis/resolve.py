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
from dataclasses import dataclass, field
from typing import Protocol

from tree_sitter import Node, Point, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.imports import collect_imports, import_path_at
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
        return cls(doc, imports, _receiver_kinds(doc, imports))


@dataclass(frozen=True, slots=True)
class Resolution:
    """An identifier and the noted symbols it stands for, likeliest first."""

    node: Node
    symbols: tuple[str, ...]


def _kind_of_callable(dotted: str) -> str | None:
    """The torch base class of what calling ``dotted`` returns, when its module says so."""
    module, _, name = dotted.rpartition(".")
    if not name[:1].isupper():
        return "torch.Tensor" if module == "torch" else None
    if module == "torch.optim":
        return "torch.optim.Optimizer"
    if module == "torch.utils.data" and name == "DataLoader":
        return "torch.utils.data.DataLoader"
    if module.startswith(("torch.nn", "torchvision.models")):
        return "torch.nn.Module"
    return None


def _resolve_dotted(doc: SourceDocument, node: Node, imports: dict[str, str]) -> str | None:
    chain = dotted_chain(doc, node)
    if chain is None:
        return None
    head, _, rest = chain.partition(".")
    if head not in imports:
        return chain
    return imports[head] + (f".{rest}" if rest else "")


NOT_TORCH = ""
"""Receiver kind of variables evidently holding something else (``args = p.parse_args()``)."""

_RECEIVER_PATTERNS = Query(
    PYTHON,
    """(class_definition name: (identifier) @name superclasses: (argument_list) @bases)
    (assignment left: (identifier) @name
        right: [(string) (concatenated_string) (integer) (float) (list) (dictionary) (set)
                (list_comprehension) (dictionary_comprehension)] @value)
    (assignment left: (identifier) @name right: (call function: (_) @callee))""",
)
"""The class, literal-assignment and call-assignment patterns in one query: one tree walk."""
_CLASS_PATTERN, _LITERAL_PATTERN, _CALL_PATTERN = 0, 1, 2


def _receiver_kinds(doc: SourceDocument, imports: dict[str, str]) -> dict[str, str]:
    """``{"model": "torch.nn.Module", "args": NOT_TORCH}`` from the document's assignments."""
    root = doc.tree.root_node
    found: tuple[list, list, list] = ([], [], [])
    for pattern, match in queries.matches(_RECEIVER_PATTERNS, root):
        found[pattern].append(match)
    local_classes: dict[str, str] = {}
    for match in found[_CLASS_PATTERN]:
        (name,), (bases,) = match["name"], match["bases"]
        for base in bases.named_children:
            kind = _kind_of_callable(_resolve_dotted(doc, base, imports) or "")
            if kind == "torch.nn.Module":
                local_classes[doc.node_text(name)] = kind
    kinds: dict[str, str] = {}
    for match in found[_LITERAL_PATTERN]:
        kinds[doc.node_text(match["name"][0])] = NOT_TORCH
    assignments = sorted(
        ((m["name"][0], m["callee"][0]) for m in found[_CALL_PATTERN]),
        key=lambda pair: pair[0].start_byte,
    )
    for name, callee in assignments:
        base = _expression_root(callee)
        if base.type == "identifier":
            bound = imports.get(doc.node_text(base))
            if (bound is not None and not is_torch_name(bound)) or (
                kinds.get(doc.node_text(base)) == NOT_TORCH
            ):
                kinds[doc.node_text(name)] = NOT_TORCH
                continue
        dotted = _resolve_dotted(doc, callee, imports)
        if dotted is None:
            continue
        kind = local_classes.get(dotted) or _kind_of_callable(dotted)
        if kind is not None:
            kinds[doc.node_text(name)] = kind
    return kinds


def identifier_at(doc: SourceDocument, point: Point) -> Node | None:
    """The identifier token covering ``point`` (the character right of it), if any."""
    node = doc.tree.root_node.named_descendant_for_point_range(point, point)
    if node is None or node.type != "identifier":
        return None
    if not (node.start_point <= point < node.end_point):
        return None
    return node


def dotted_chain(doc: SourceDocument, node: Node) -> str | None:
    """``a.b.c`` for an attribute chain made only of names, else ``None``."""
    if node.type == "identifier":
        return doc.node_text(node)
    if node.type == "attribute":
        obj, attr = node.child_by_field_name("object"), node.child_by_field_name("attribute")
        if obj is None or attr is None:
            return None
        head = dotted_chain(doc, obj)
        return None if head is None else f"{head}.{doc.node_text(attr)}"
    return None


def _expression_root(node: Node) -> Node:
    """The innermost leftmost operand of a receiver: ``np`` in ``np.zeros(3).T``."""
    while True:
        if node.type == "call":
            inner = node.child_by_field_name("function")
        elif node.type == "attribute":
            inner = node.child_by_field_name("object")
        elif node.type == "subscript":
            inner = node.child_by_field_name("value")
        else:
            return node
        if inner is None:
            return node
        node = inner


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
        root = _expression_root(receiver)
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
