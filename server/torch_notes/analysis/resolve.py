"""Resolve identifiers in a document to the torch API symbols that notes explain.

Three routes lead to a symbol:

* a name bound by an import, or a dotted chain starting with one (``F.relu``,
  ``th.nn.Conv2d``, ``DataLoader``), looked up in the scope where it is used: a parameter
  or local called ``torch`` or ``data`` shadows the import, as in Python;
* a member on any other receiver (``x.transpose(0, 1).contiguous()``, ``model.eval()``),
  by what the receiver evidently holds (:mod:`torch_notes.analysis.receivers`): the
  members of its torch class (a tensor, a module, an optimizer, …); nothing on a foreign
  value (a string, a list, a NumPy array, a ``torch.device``: ``device.type`` is not
  ``Tensor.type``) or on a method its own class defines; and on an unknown receiver only
  the names that give a torch object away (:mod:`torch_notes.analysis.distinctive_members`);
* a name inside an import statement (``from torch.utils.data import DataLoader``).

Which symbols exist is asked of a :class:`Vocabulary`: for hovers the notes' index (a
symbol resolves when a note explains it), for coverage the torch API itself, so both walk
the very same rules. Hover, ``explain``, ``coverage``, completion receivers and the
diagnostics' tensor questions all go through :class:`~torch_notes.analysis.receivers.
Receivers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from tree_sitter import Node, Point, Query

from torch_notes.analysis import queries
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.classes import PLAIN, UNKNOWN_CLASS
from torch_notes.analysis.distinctive_members import distinctive_owners
from torch_notes.analysis.document import PYTHON
from torch_notes.analysis.evidence import Call, call_of
from torch_notes.analysis.expressions import expression_before, identifier_at
from torch_notes.analysis.imports import import_path_at
from torch_notes.analysis.inference import EXCLUDES
from torch_notes.analysis.receivers import Receivers
from torch_notes.analysis.values import (
    IMPORT,
    INSTANCE,
    MODULE_CLASS,
    OPTIMIZER_CLASS,
    TENSOR_CLASS,
    TORCH,
    UNKNOWN,
    Value,
)
from torch_notes.corpus.index import CorpusIndex, is_torch_name, owner_class

OWNER_PREFERENCE: tuple[str, ...] = (
    "torch.Tensor",
    "torch.nn.Module",
    "torch.optim.Optimizer",
    "torch.utils.data.DataLoader",
)
"""When a member name is noted on several classes, the likelier receiver comes first."""

_NAME_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("optim", "opt"), OPTIMIZER_CLASS),
    (("model", "net", "module", "layer", "encoder", "decoder", "block"), MODULE_CLASS),
)
"""Receiver names that put a class first among several candidates (ordering only)."""

_IDENTIFIERS = Query(PYTHON, "(identifier) @name")
_DICT_NAMES = frozenset({"values"})
"""``.values()`` on something not proven a tensor is a dict's (a detection model's losses)."""


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


def rank_members(symbols: tuple[str, ...], first: str | None = None) -> tuple[str, ...]:
    """``symbols`` with the likeliest owner class first (``first``, then the usual order)."""

    def key(symbol: str) -> tuple[int, int, str]:
        owner = owner_class(symbol) or ""
        rank = OWNER_PREFERENCE.index(owner) if owner in OWNER_PREFERENCE else len(OWNER_PREFERENCE)
        return (0 if owner == first else 1), rank, symbol

    return tuple(sorted(symbols, key=key))


def _call_of_member(attribute: Node, receivers: Receivers) -> Call | None:
    """The call ``attribute`` is the function of, if any (also one still being typed)."""
    call = attribute.parent
    if (
        call is not None
        and call.type == "call"
        and call.child_by_field_name("function") == attribute
    ):
        return call_of(call, receivers.value)
    source = receivers.doc.source
    rest = source[attribute.end_byte : attribute.end_byte + 80].lstrip(b" \t")
    if not rest.startswith(b"("):  # ``y.view(-1`` with no closing parenthesis yet
        return None
    arguments = []
    sibling = attribute.next_named_sibling
    while sibling is not None and sibling.start_point.row == attribute.end_point.row:
        if sibling.type not in ("ERROR", "comment"):
            arguments.append(sibling)
        sibling = sibling.next_named_sibling
    return Call(tuple(arguments), {}, receivers.value)


def _name_hint(receivers: Receivers, receiver: Node) -> str | None:
    """``optimizer`` → the optimizer's members first; ``model`` → the module's."""
    last = receiver
    if last.type == "attribute":
        last = last.child_by_field_name("attribute") or last
    if last.type != "identifier":
        return None
    text = receivers.doc.node_text(last).lower()
    for words, owner in _NAME_HINTS:
        if any(word in text for word in words):
            return owner
    return None


def member_symbols(
    analysis: Analysis, attribute: Node, name: str, vocabulary: Vocabulary
) -> tuple[str, ...]:
    """The symbols ``<receiver>.name`` may stand for, likeliest first.

    The quick answer (:attr:`Analysis.receivers`) decides unless it leaves the receiver
    unknown and the name generic; then the thorough one (call sites, uses) is asked.
    """
    receiver = attribute.child_by_field_name("object")
    if receiver is None or name.startswith("__"):
        return ()
    receivers = analysis.receivers
    broken = any(child.type == "ERROR" for child in attribute.children)
    if broken or (_in_error(attribute) and receiver.start_point.row != attribute.end_point.row):
        # half-typed code: what tree-sitter glued before the dot may not be the receiver;
        # what precedes the dot on its own line is
        dot = next((c for c in attribute.children if c.type == "."), None)
        found = None if dot is None else expression_before(analysis.doc, dot.start_byte)
        if found is None:
            return _symbols_for(receivers, Value(UNKNOWN), attribute, name, vocabulary)
        receiver = found
    value = receivers.value(receiver)
    if _undecided(receivers, value):
        receivers = analysis.thorough_receivers
        value = receivers.value(receiver)
    return _symbols_for(receivers, value, attribute, name, vocabulary)


def _in_error(node: Node) -> bool:
    """Whether ``node`` lies in a part of the tree tree-sitter could not parse."""
    current = node.parent
    while current is not None and current.type not in ("block", "module"):
        if current.type == "ERROR":
            return True
        current = current.parent
    return False


def _undecided(receivers: Receivers, value: Value) -> bool:
    """Whether the quick answer leaves the receiver unknown (the thorough one may know)."""
    if value.kind == UNKNOWN:
        return True
    if value.kind == INSTANCE and value.node is not None:
        return receivers.class_info(value.node)[0] == UNKNOWN_CLASS
    return False


def _symbols_for(
    receivers: Receivers, value: Value, attribute: Node, name: str, vocabulary: Vocabulary
) -> tuple[str, ...]:
    """Symbols by what the receiver holds (the rule of distinctive names when unknown)."""
    kind = value.kind
    if kind == IMPORT:
        if not is_torch_name(value.what):
            return ()
        full = f"{value.what}.{name}"
        return (full,) if vocabulary.knows(full) else ()
    if kind == INSTANCE and value.node is not None:
        class_kind, defines = receivers.class_info(value.node)
        if name in defines or class_kind == PLAIN:
            return ()
        if class_kind == UNKNOWN_CLASS:
            value = Value(UNKNOWN)
        else:
            assert isinstance(class_kind, Value)
            value = class_kind
    if value.kind == TORCH:
        if name in _DICT_NAMES and value.what == TENSOR_CLASS and not value.certain:
            return ()
        owned = [s for s in vocabulary.method_symbols(name) if owner_class(s) == value.what]
        return tuple(sorted(owned))
    if value.kind != UNKNOWN:
        return ()
    owners = distinctive_owners(name, _call_of_member(attribute, receivers), receivers.value)
    if value.what.startswith(EXCLUDES):
        excluded = value.what.removeprefix(EXCLUDES).split(",")
        owners = tuple(owner for owner in owners if owner not in excluded)
    if not owners:
        return ()
    receiver = attribute.child_by_field_name("object")
    found = tuple(s for s in vocabulary.method_symbols(name) if owner_class(s) in owners)
    hint = _name_hint(receivers, receiver) if receiver is not None else None
    return rank_members(found, hint if hint in owners else owners[0])


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
            symbols = member_symbols(analysis, parent, name, index)
            return Resolution(node, symbols) if symbols else None
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
        return None
    value = analysis.receivers.value(node)
    if value.kind != IMPORT or not is_torch_name(value.what) or not index.knows(value.what):
        return None
    return Resolution(node, (value.what,))


def resolve_at(analysis: Analysis, point: Point, index: CorpusIndex) -> Resolution | None:
    """Resolve the identifier under ``point``; ``None`` where no note applies."""
    node = identifier_at(analysis.doc, point)
    return None if node is None else resolve_node(analysis, node, index)


def receiver_value(analysis: Analysis, node: Node) -> Value:
    """What the receiver expression ``node`` evidently holds (for completion)."""
    return analysis.receivers.value(node)


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
