"""What a document's own calls and uses say about names nothing else explains.

The thorough receivers (:class:`~torch_notes.analysis.receivers.Receivers` with
``thorough=True``) ask :class:`Inference` when a parameter or variable is still unknown:

* **call sites**: a parameter holds what the document's own calls of its function pass
  (``train(model, loader, optimizer, device)`` called with ``optimizer = SGD(...)``), joined
  over every call; functions nobody calls here keep unknown parameters;
* **uses**: a variable whose uses give a torch class away holds one of those
  (``h.unsqueeze(0)`` … ``h.sum()``; passed to ``torch.nn.functional``), and uses that rule a
  class out veto its distinctive names (``maml.parameters()`` and ``maml.clone()``: not a
  tensor's ``clone``); see :func:`~torch_notes.analysis.distinctive_members.class_from_uses`.

Uses are judged with the *quick* receivers' values, so working them out never asks for
uses again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.distinctive_members import FUNCTIONAL_ARGUMENT, class_from_uses
from torch_notes.analysis.document import PYTHON
from torch_notes.analysis.evidence import Call, call_of
from torch_notes.analysis.flow import Flow
from torch_notes.analysis.scopes import scope_of
from torch_notes.analysis.values import (
    FUNCTION,
    IMPORT,
    INSTANCE,
    TORCH,
    UNBOUND,
    UNKNOWN,
    UNKNOWN_VALUE,
    Value,
    join_all,
    uncertain,
)

if TYPE_CHECKING:
    from torch_notes.analysis.receivers import Receivers

_CALLS = Query(
    PYTHON,
    "(call function: [(identifier) @name (attribute attribute: (identifier) @name)])",
)
_MEMBER_USES = Query(PYTHON, "(attribute object: (identifier) @owner attribute: (identifier))")
_DIRECT_CALLS = Query(PYTHON, "(call function: (identifier) @owner)")
_ARGUMENTS = Query(
    PYTHON, "(call function: (attribute) @function arguments: (argument_list) @args)"
)
_FUNCTIONAL = "torch.nn.functional."

EXCLUDES = "excludes:"
"""``what`` of an unknown value whose uses rule some torch classes out (``excludes:…``)."""


class Inference:
    """Call-site and use evidence for one document (memoised; owned by thorough receivers)."""

    def __init__(self, receivers: Receivers) -> None:
        self.receivers = receivers
        self._calls: dict[bytes, list[Node]] | None = None
        self._usage: dict[int, dict[int, Value]] = {}
        self._busy: set[int] = set()

    def _call_index(self) -> dict[bytes, list[Node]]:
        """Every call in the document by the name it calls (``f(...)``, ``x.f(...)``)."""
        if self._calls is None:
            index: dict[bytes, list[Node]] = {}
            source = self.receivers.doc.source
            for name in queries.captures(_CALLS, self.receivers.doc.tree.root_node, "name"):
                call = name.parent if name.parent is not None else name
                if call.type == "attribute":
                    call = call.parent if call.parent is not None else call
                index.setdefault(source[name.start_byte : name.end_byte], []).append(call)
            self._calls = index
        return self._calls

    def argument_value(self, function: Node, parameter: Node) -> Value:
        """What the document's own calls of ``function`` pass for ``parameter``."""
        name = function.child_by_field_name("name")
        parameters = function.child_by_field_name("parameters")
        if name is None or parameters is None:
            return UNKNOWN_VALUE
        position, keyword = parameter_position(parameters, parameter, self.receivers.doc.source)
        if keyword is None:
            return UNKNOWN_VALUE
        values: list[Value] = []
        for call in self._call_index().get(
            self.receivers.doc.source[name.start_byte : name.end_byte], ()
        ):
            callee = call.child_by_field_name("function")
            if callee is None or self.receivers.value(callee) != Value(FUNCTION, node=function):
                continue
            arguments = call_of(call, None)
            shift = 0
            if callee.type == "attribute":
                owner = self.receivers.value(callee.child_by_field_name("object"))
                shift = 1 if owner.kind == INSTANCE else 0
            given = arguments.keywords.get(keyword)
            index = None if position is None else position - shift
            if given is None and index is not None and 0 <= index < len(arguments.positional):
                given = arguments.positional[index]
            if given is None:
                if arguments.splat:
                    return UNKNOWN_VALUE
                default = default_of(parameter)
                values.append(
                    self.receivers.value(default) if default is not None else UNKNOWN_VALUE
                )
                continue
            values.append(self.receivers.value(given))
        if not values:
            return UNKNOWN_VALUE
        found = join_all(values)
        return UNKNOWN_VALUE if found.kind == UNBOUND else uncertain(found)

    def usage_of(self, flow: Flow) -> dict[int, Value]:
        """Binding index → the torch class its uses give away (``x.unsqueeze(0)``: a tensor)."""
        found = self._usage.get(flow.scope.id)
        if found is not None:
            return found
        key = flow.scope.id
        if key in self._busy:
            return {}
        self._busy.add(key)
        try:
            uses: dict[int, dict[str, list[Call | None]]] = {}
            called: set[int] = set()
            scope = flow.scope
            source = self.receivers.doc.source
            for owner in queries.captures(_MEMBER_USES, scope, "owner"):
                ids = self._reaching(flow, owner)
                if not ids:
                    continue
                attribute = owner.parent
                member = attribute.child_by_field_name("attribute") if attribute else None
                if attribute is None or member is None:
                    continue
                outer = attribute.parent
                call = None
                if (
                    outer is not None
                    and outer.type == "call"
                    and outer.child_by_field_name("function") == attribute
                ):
                    call = call_of(outer, self.receivers.quick.value)
                text = source[member.start_byte : member.end_byte].decode("utf-8", "replace")
                for index in ids:
                    uses.setdefault(index, {}).setdefault(text, []).append(call)
            for owner in queries.captures(_DIRECT_CALLS, scope, "owner"):
                called.update(self._reaching(flow, owner))
            for _, match in queries.matches(_ARGUMENTS, scope):
                function = self.receivers.quick.value(match["function"][0])
                if function.kind != IMPORT or not function.what.startswith(_FUNCTIONAL):
                    continue
                for argument in match["args"][0].named_children[:2]:
                    if argument.type == "identifier":
                        for index in self._reaching(flow, argument):
                            uses.setdefault(index, {}).setdefault(FUNCTIONAL_ARGUMENT, [])
            result: dict[int, Value] = {}
            for index, members in uses.items():
                cls, excluded = class_from_uses(
                    members, index in called, self.receivers.quick.value
                )
                if cls is not None:
                    result[index] = Value(TORCH, cls)
                elif excluded:
                    result[index] = Value(UNKNOWN, EXCLUDES + ",".join(sorted(excluded)))
        finally:
            self._busy.discard(key)
        self._usage[flow.scope.id] = result
        return result

    def _reaching(self, flow: Flow, name_node: Node) -> frozenset[int]:
        """The bindings of ``flow`` that reach the name ``name_node`` (used in that scope)."""
        if scope_of(name_node).id != flow.scope.id:
            return frozenset()
        name = self.receivers.doc.node_text(name_node)
        if not flow.is_local(name):
            return frozenset()
        env = flow.env_at(name_node)
        if env is None:
            return frozenset(flow.by_name[name])
        return env.get(name, frozenset())


def parameter_position(
    parameters: Node, parameter: Node, source: bytes
) -> tuple[int | None, str | None]:
    """(Positional index or ``None`` for keyword-only, name) of a parameter name node."""
    position = 0
    positional = True
    for child in parameters.named_children:
        if child.type in ("list_splat_pattern", "keyword_separator"):
            positional = False
            if child.type == "keyword_separator":
                continue
        if child.type == "dictionary_splat_pattern" or child.type == "list_splat_pattern":
            if child.start_byte <= parameter.start_byte < child.end_byte:
                return None, None
            continue
        if child.type == "positional_separator":
            continue
        if child.start_byte <= parameter.start_byte < child.end_byte:
            text = source[parameter.start_byte : parameter.end_byte].decode("utf-8", "replace")
            return (position if positional else None), text
        position += 1
    return None, None


def default_of(parameter: Node) -> Node | None:
    holder = parameter.parent
    if holder is not None and holder.type in ("default_parameter", "typed_default_parameter"):
        return holder.child_by_field_name("value")
    return None
