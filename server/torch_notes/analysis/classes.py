"""Classes the document defines: what their instances are, define and hold.

An instance of ``class Net(nn.Module)`` is a module (so ``model.eval()`` is
``Module.eval``) except for the methods the class defines itself (``model.generate()`` is
the class's own); ``instance.x`` holds the join of every ``self.x = …`` in the class's
methods and of ``x = …`` in its body (local base classes included). A class with a base
nothing is known about (imported from project code) has instances nothing is known about
either; a class with no torch base at all is *plain*.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from torch_notes.analysis.evidence import (
    CONTEXT,
    attribute_of,
    class_kind_of_torch_base,
    is_foreign_module,
    is_module_base,
)
from torch_notes.analysis.scopes import class_methods, decorator_names
from torch_notes.analysis.values import (
    CLASS,
    FUNCTION,
    IMPORT,
    INSTANCE,
    MODULE,
    OPTIMIZER,
    UNBOUND,
    UNKNOWN_VALUE,
    Value,
    join_all,
    uncertain,
)
from torch_notes.corpus.index import is_torch_name

if TYPE_CHECKING:
    from torch_notes.analysis.receivers import Receivers

PLAIN, UNKNOWN_CLASS = "plain", "unknown"
"""Class kinds beside torch values: no torch base at all, or a base nothing is known about."""

ClassKind = Value | str


class LocalClasses:
    """The document's classes, as one :class:`Receivers` sees them (memoised)."""

    def __init__(self, receivers: Receivers) -> None:
        self.receivers = receivers
        self._classes: dict[int, tuple[ClassKind, frozenset[str]]] = {}
        self._attributes: dict[tuple[int, str], Value | None] = {}
        self._busy: set[object] = set()

    def instance(self, cls: Node) -> Value:
        """An instance of ``cls`` (``what``: the torch class it derives from, if any)."""
        kind, _ = self.info(cls)
        return Value(INSTANCE, kind.what if isinstance(kind, Value) else "", node=cls)

    def instance_attribute(self, cls: Node, name: str) -> Value:
        """``instance.name`` for an instance of the local class ``cls``."""
        member = self.member(cls, name)
        if member is not None:
            return member
        found = self.assigned(cls, name)
        if found is not None:
            return found
        kind, _ = self.info(cls)
        if isinstance(kind, Value):
            return attribute_of(kind, name)
        return UNKNOWN_VALUE

    def member(self, cls: Node, name: str) -> Value | None:
        """A method or class attribute ``name`` defined in ``cls`` or a local base."""
        for method in class_methods(cls):
            method_name = method.child_by_field_name("name")
            if method_name is not None and self.receivers.doc.node_text(method_name) == name:
                if "property" in decorator_names(method) or "cached_property" in decorator_names(
                    method
                ):
                    return uncertain(self.receivers.returns(method))
                return Value(FUNCTION, node=method)
        for base in self.local_bases(cls):
            found = self.member(base, name)
            if found is not None:
                return found
        return None

    def assigned(self, cls: Node, name: str) -> Value | None:
        """The join of every ``self.name = …`` in the class's methods and class-body binding."""
        key = (cls.id, name)
        if key in self._attributes:
            return self._attributes[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            values: list[Value] = []
            body_flow = self.receivers.flow(cls)
            for index in body_flow.by_name.get(name, ()):
                values.append(self.receivers.binding_value(body_flow, index))
            for method in class_methods(cls):
                flow = self.receivers.flow(method)
                for index in flow.self_attributes.get(name, ()):
                    values.append(uncertain(self.receivers.binding_value(flow, index)))
            found: Value | None = join_all(values) if values else None
            if found is None:
                for base in self.local_bases(cls):
                    found = self.assigned(base, name)
                    if found is not None:
                        break
            if found is not None and found.kind == UNBOUND:
                found = None
        finally:
            self._busy.discard(key)
        self._attributes[key] = found
        return found

    def _bases(self, cls: Node) -> list[Node]:
        arguments = cls.child_by_field_name("superclasses")
        if arguments is None:
            return []
        return [
            c for c in arguments.named_children if c.type not in ("keyword_argument", "comment")
        ]

    def local_bases(self, cls: Node) -> list[Node]:
        found = []
        for base in self._bases(cls):
            value = self.receivers.value(base)
            if value.kind == CLASS and value.node is not None and value.node != cls:
                found.append(value.node)
        return found

    def info(self, cls: Node) -> tuple[Value | str, frozenset[str]]:
        """What instances of ``cls`` are (a torch value, :data:`PLAIN` or :data:`UNKNOWN_CLASS`)
        and the member names the class and its local bases define."""
        found = self._classes.get(cls.id)
        if found is not None:
            return found
        key = ("class", cls.id)
        if key in self._busy:
            return UNKNOWN_CLASS, frozenset()
        self._busy.add(key)
        try:
            kinds: list[Value | str] = []
            names = set(self.receivers.flow(cls).by_name)
            for method in class_methods(cls):
                method_name = method.child_by_field_name("name")
                if method_name is not None:
                    names.add(self.receivers.doc.node_text(method_name))
            for base in self._bases(cls):
                value = self.receivers.value(base)
                if value.kind == CLASS and value.node is not None and value.node != cls:
                    kind, inherited = self.info(value.node)
                    kinds.append(kind)
                    names |= inherited
                elif value.kind == IMPORT:
                    kinds.append(base_kind(value.what))
                else:
                    kinds.append(UNKNOWN_CLASS)
            result = (combine_kinds(kinds), frozenset(names))
        finally:
            self._busy.discard(key)
        self._classes[cls.id] = result
        return result


def base_kind(dotted: str) -> Value | str:
    """What instances are when a class derives from the imported ``dotted``."""
    if is_torch_name(dotted):
        found = class_kind_of_torch_base(dotted)
        return found if found is not None else UNKNOWN_CLASS
    if is_module_base(dotted):
        return MODULE
    if dotted in ("builtins.object",) or (
        is_foreign_module(dotted) and not dotted.startswith("builtins.")
    ):
        return PLAIN
    if dotted.startswith("builtins."):
        return PLAIN
    return UNKNOWN_CLASS


def combine_kinds(kinds: list[Value | str]) -> Value | str:
    """A class's kind from its bases' kinds: a module base wins, an unknown base leaves it open."""
    for wanted in (MODULE, OPTIMIZER):
        if wanted in kinds:
            return wanted
    for kind in kinds:
        if isinstance(kind, Value) and kind != CONTEXT:
            return kind
    if UNKNOWN_CLASS in kinds:
        return UNKNOWN_CLASS
    return PLAIN
