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

from tree_sitter import Node

from torch_notes.analysis.distinctive_members import FUNCTIONAL_ARGUMENT, class_from_uses
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

_FUNCTIONAL = "torch.nn.functional."

EXCLUDES = "excludes:"
"""``what`` of an unknown value whose uses rule some torch classes out (``excludes:…``)."""


class Inference:
    """Call-site and use evidence for one document (memoised; owned by thorough receivers).

    Occurrences of a name are found by searching the source's bytes, then mapped to tree
    nodes: no walk over the whole tree, so a question about one function of a 20,000-line
    file costs what that function's name costs.
    """

    def __init__(self, receivers: Receivers) -> None:
        self.receivers = receivers
        self._calls: dict[bytes, list[Node]] = {}
        self._usage: dict[tuple[int, str], dict[int, Value]] = {}
        self._busy: set[tuple[int, str]] = set()

    def occurrences(self, name: bytes, start: int, end: int) -> list[Node]:
        """The identifier nodes spelled ``name`` between bytes ``start`` and ``end``."""
        doc = self.receivers.doc
        source, root = doc.source, doc.tree.root_node
        found = []
        position = source.find(name, start, end)
        while position != -1:
            stop = position + len(name)
            before = source[position - 1 : position] if position > 0 else b""
            after = source[stop : stop + 1]
            if not _is_word(before) and not _is_word(after):
                node = root.named_descendant_for_byte_range(position, stop)
                if (
                    node is not None
                    and node.type == "identifier"
                    and (node.start_byte, node.end_byte) == (position, stop)
                ):
                    found.append(node)
            position = source.find(name, stop, end)
        return found

    def _calls_of(self, name: bytes) -> list[Node]:
        """The calls of ``name(...)`` and ``x.name(...)`` anywhere in the document."""
        found = self._calls.get(name)
        if found is None:
            found = []
            for node in self.occurrences(name, 0, len(self.receivers.doc.source)):
                callee = node
                parent = node.parent
                if (
                    parent is not None
                    and parent.type == "attribute"
                    and parent.child_by_field_name("attribute") == node
                ):
                    callee = parent
                call = callee.parent
                if (
                    call is not None
                    and call.type == "call"
                    and call.child_by_field_name("function") == callee
                ):
                    found.append(call)
            self._calls[name] = found
        return found

    def argument_value(self, function: Node, parameter: Node) -> Value:
        """What the document's own calls of ``function`` pass for ``parameter``."""
        name = function.child_by_field_name("name")
        parameters = function.child_by_field_name("parameters")
        if name is None or parameters is None:
            return UNKNOWN_VALUE
        source = self.receivers.doc.source
        position, keyword = parameter_position(parameters, parameter, source)
        if keyword is None:
            return UNKNOWN_VALUE
        values: list[Value] = []
        for call in self._calls_of(source[name.start_byte : name.end_byte]):
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
                found = UNKNOWN_VALUE if default is None else self.receivers.value(default)
                values.append(found)
                continue
            values.append(self.receivers.value(given))
        if not values:
            return UNKNOWN_VALUE
        joined = join_all(values)
        return UNKNOWN_VALUE if joined.kind == UNBOUND else uncertain(joined)

    def usage_of(self, flow: Flow, name: str) -> dict[int, Value]:
        """Binding index (of ``name`` in ``flow``) → what its uses say (``x.unsqueeze(0)``)."""
        key = (flow.scope.id, name)
        found = self._usage.get(key)
        if found is not None:
            return found
        if key in self._busy:
            return {}
        self._busy.add(key)
        try:
            found = self._judge_uses(flow, name)
        finally:
            self._busy.discard(key)
        self._usage[key] = found
        return found

    def _judge_uses(self, flow: Flow, name: str) -> dict[int, Value]:
        quick = self.receivers.quick.value
        uses: dict[int, dict[str, list[Call | None]]] = {}
        called: set[int] = set()
        scope = flow.scope
        source = self.receivers.doc.source
        for node in self.occurrences(name.encode("utf-8"), scope.start_byte, scope.end_byte):
            ids = self._reaching(flow, node)
            if not ids:
                continue
            parent = node.parent
            if parent is None:
                continue
            if parent.type == "attribute" and parent.child_by_field_name("object") == node:
                member = parent.child_by_field_name("attribute")
                if member is None:
                    continue
                outer = parent.parent
                call = None
                if (
                    outer is not None
                    and outer.type == "call"
                    and outer.child_by_field_name("function") == parent
                ):
                    call = call_of(outer, quick)
                text = source[member.start_byte : member.end_byte].decode("utf-8", "replace")
                for index in ids:
                    uses.setdefault(index, {}).setdefault(text, []).append(call)
            elif parent.type == "call" and parent.child_by_field_name("function") == node:
                called.update(ids)
            elif parent.type == "argument_list" and node in parent.named_children[:2]:
                call = parent.parent
                function = call.child_by_field_name("function") if call is not None else None
                value = quick(function) if function is not None else None
                if (
                    value is not None
                    and value.kind == IMPORT
                    and value.what.startswith(_FUNCTIONAL)
                ):
                    for index in ids:
                        uses.setdefault(index, {}).setdefault(FUNCTIONAL_ARGUMENT, [])
        result: dict[int, Value] = {}
        for index, members in uses.items():
            cls, excluded = class_from_uses(members, index in called, quick)
            if cls is not None:
                result[index] = Value(TORCH, cls)
            elif excluded:
                result[index] = Value(UNKNOWN, EXCLUDES + ",".join(sorted(excluded)))
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


def _is_word(byte: bytes) -> bool:
    """Whether a one-byte string continues an identifier (non-ASCII bytes count as letters)."""
    return bool(byte) and (byte.isalnum() or byte == b"_" or byte[0] >= 0x80)


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
