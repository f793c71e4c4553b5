"""What expressions evidently hold: torch objects, foreign values, or unknown.

:class:`Receivers` answers :meth:`~Receivers.value` for any expression node of one document
version, following Python:

* **scopes** (:mod:`~torch_notes.analysis.scopes`): a name is looked up in the scope where
  it is used; parameters and locals shadow module names; class bodies do not leak into
  methods; comprehensions have their own variables; ``global``/``nonlocal`` send the name
  outward; unbound names fall back to the builtins;
* **flow** (:mod:`~torch_notes.analysis.flow`): within a scope, a use sees the bindings that
  reach it (the nearest preceding assignment on each path); when paths disagree the value
  is unknown. A free variable of a function sees every binding of the enclosing scope
  (they may run in any order); a comprehension or ``lambda`` sees the enclosing scope where
  it stands;
* **evidence** (:mod:`~torch_notes.analysis.evidence`): what torch calls, tensor methods,
  builtins and foreign libraries return, what local functions return (their ``return``
  statements), what instances of local classes are and hold
  (:mod:`~torch_notes.analysis.classes`), what calling an ``nn.Module`` gives (a tensor, in
  practice); and, for the thorough receivers only, what the document's own call sites and
  uses say (:mod:`~torch_notes.analysis.inference`).

Everything is computed lazily and memoised: a hover walks only the scopes it needs. One
:class:`Receivers` belongs to one document version and one thread (the diagnostics, which
run in a worker thread, make their own).
"""

from __future__ import annotations

from collections.abc import Mapping

from tree_sitter import Node

from torch_notes.analysis.classes import UNKNOWN_CLASS, ClassKind, LocalClasses
from torch_notes.analysis.distinctive_members import (
    distinctive_owners,
)
from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.evidence import (
    BOOLEAN,
    BUILTIN_NAMES,
    NUMBER,
    STRING,
    Call,
    attribute_of,
    binary,
    builtin_call,
    call_of,
    ecosystem_call,
    element_of,
    enter,
    foreign_call,
    foreign_family,
    is_foreign_module,
    is_module_base,
    subscript_of,
    torch_call,
    torch_method,
    unpack,
)
from torch_notes.analysis.evidence import (
    foreign_method as _foreign_method,
)
from torch_notes.analysis.flow import (
    ASSIGN,
    AUGMENT,
    DEFINE,
    DELETE,
    EXCEPT,
    ITERATE,
    NARROW,
    PARAMETER,
    WILDCARD_NAME,
    WITH,
    Flow,
    walk_scope,
)
from torch_notes.analysis.flow import (
    IMPORT as IMPORT_BINDING,
)
from torch_notes.analysis.inference import Inference
from torch_notes.analysis.pause import pause
from torch_notes.analysis.scopes import (
    COMPREHENSIONS,
    decorator_names,
    enclosing_class,
    scope_of,
)
from torch_notes.analysis.values import (
    CLASS,
    FOREIGN,
    FUNCTION,
    IMPORT,
    INSTANCE,
    MODULE,
    NONE_VALUE,
    TENSOR,
    TORCH,
    TUPLE,
    UNBOUND,
    UNBOUND_VALUE,
    UNKNOWN,
    UNKNOWN_VALUE,
    Value,
    foreign,
    imported,
    join,
    join_all,
    uncertain,
)
from torch_notes.corpus.index import is_torch_name

PROJECT_INSTANCE = "project instance"
"""``what`` of an unknown value made by a class of the project's own code (``Transformer(
args)`` after ``from model import Transformer``): calling it gives what a module gives."""

_LITERALS: dict[str, Value] = {
    "string": STRING,
    "concatenated_string": STRING,
    "integer": NUMBER,
    "float": NUMBER,
    "true": BOOLEAN,
    "false": BOOLEAN,
    "none": NONE_VALUE,
    "ellipsis": foreign("object"),
}
_SELF_RETURNING = frozenset(
    {"to", "cuda", "cpu", "float", "double", "half", "bfloat16", "type", "requires_grad_",
     "xpu", "ipu", "mtia", "share_memory", "share_memory_"}
)  # fmt: skip
"""Methods tensors and modules share that return the receiver's own kind."""
_MAX_DEPTH = 60
"""Evaluation depth beyond which an expression is unknown (pathological nesting)."""


class Receivers:
    """The lazily evaluated values of one document's expressions (see the module docstring)."""

    def __init__(
        self,
        doc: SourceDocument,
        *,
        thorough: bool = False,
        quick: Receivers | None = None,
        outer: Mapping[str, Value] | None = None,
    ) -> None:
        self.doc = doc
        self.thorough = thorough
        self.outer: Mapping[str, Value] = outer if outer is not None else {}
        """What names held before the document starts (the cells above a notebook cell)."""
        self.quick = (quick or Receivers(doc, outer=self.outer)) if thorough else self
        """The quick receivers a thorough one judges uses with (no recursion into uses)."""
        """Also infer from call sites and uses (see :meth:`refined`); costlier, so a hover
        asks for it only when the quick answer leaves a generic name undecided."""
        self._exports: dict[str, Value] = {}
        self.classes = LocalClasses(self)
        self.inference = Inference(self)
        self._usage: dict[int, dict[int, Value]] = {}
        self._flows: dict[int, Flow] = {}
        self._values: dict[int, Value] = {}
        self._bindings: dict[tuple[int, int], Value] = {}
        self._classes: dict[int, tuple[Value | str, frozenset[str]]] = {}
        self._attributes: dict[tuple[int, str], Value | None] = {}
        self._returns: dict[int, Value] = {}
        self._busy: set[object] = set()
        self._declared: frozenset[str] | None = None
        self._depth = 0

    # -- flows and names ---------------------------------------------------------------

    def flow(self, scope: Node) -> Flow:
        """The (memoised) flow of one scope node."""
        found = self._flows.get(scope.id)
        if found is None:
            pause()
            found = self._flows[scope.id] = walk_scope(scope, self.doc.source)
        return found

    def declared_elsewhere(self) -> frozenset[str]:
        """Names some scope declares ``global`` or ``nonlocal`` (never certain anywhere)."""
        if self._declared is None:
            names: set[str] = set()
            source, root = self.doc.source, self.doc.tree.root_node
            for keyword in (b"global", b"nonlocal"):
                position = source.find(keyword)
                while position != -1:  # no walk over the whole tree: usually none at all
                    node = root.descendant_for_byte_range(position, position + len(keyword))
                    statement = node.parent if node is not None else None
                    if statement is not None and statement.type.endswith(
                        ("global_statement", "nonlocal_statement")
                    ):
                        names.update(
                            self.doc.node_text(child)
                            for child in statement.named_children
                            if child.type == "identifier"
                        )
                    position = source.find(keyword, position + len(keyword))
            self._declared = frozenset(names)
        return self._declared

    def name_value(self, name: str, at: Node) -> Value:
        """What ``name`` holds where ``at`` stands."""
        return self._lookup(name, scope_of(at), at, flow_sensitive=True)

    def _lookup(self, name: str, scope: Node, at: Node, *, flow_sensitive: bool) -> Value:
        flow = self.flow(scope)
        top = scope.parent is None  # the module (or an ERROR root, in half-typed code)
        if name in flow.declared_global and not top:
            env = flow.env_at(at) if flow_sensitive and name in flow.by_name else None
            ids = env.get(name) if env is not None else None
            if ids:  # global x; x = torch.ones(2); x.sum(): this function's own assignment
                return uncertain(join_all([self.binding_value(flow, i) for i in sorted(ids)]))
            return uncertain(self._module_value(name))
        if name in flow.declared_nonlocal and not top:
            return uncertain(self._outer_value(name, scope))
        if flow.is_local(name):
            ids: frozenset[int] | None = None
            if flow_sensitive:
                env = flow.env_at(at)
                if env is not None:
                    ids = env.get(name) or env.get(WILDCARD_NAME) or frozenset()
            if ids is None:
                ids = frozenset(flow.by_name[name])
            if ids:
                value = join_all([self.binding_value(flow, index) for index in sorted(ids)])
                if value.certain and (not flow_sensitive or name in self.declared_elsewhere()):
                    value = uncertain(value)
                if value.kind != UNBOUND:
                    return value
            if not top and scope.type != "class_definition":
                return UNKNOWN_VALUE  # unbound local: Python raises here
        if top:
            if flow.by_name.get(WILDCARD_NAME):
                return UNKNOWN_VALUE
            if name in self.outer:
                return uncertain(self.outer[name])
            return imported(f"builtins.{name}") if name in BUILTIN_NAMES else UNKNOWN_VALUE
        return uncertain(self._outer_value(name, scope))

    def _outer_value(self, name: str, scope: Node) -> Value:
        """``name`` seen from inside ``scope``, looked up in the scopes around it."""
        outer = scope_of(scope) if scope.parent is not None else scope
        while outer.type == "class_definition" and outer.parent is not None:
            outer = scope_of(outer)
        if outer == scope:
            return UNKNOWN_VALUE
        inline = scope.type in COMPREHENSIONS or scope.type == "lambda"
        return self._lookup(name, outer, scope, flow_sensitive=inline)

    def _module_value(self, name: str) -> Value:
        root = self.doc.tree.root_node
        return self._lookup(name, root, root, flow_sensitive=False)

    # -- bindings -------------------------------------------------------------------------

    def binding_value(self, flow: Flow, index: int) -> Value:
        """The value one binding gives its name."""
        key = (flow.scope.id, index)
        found = self._bindings.get(key)
        if found is not None:
            return found
        if key in self._busy:
            return UNBOUND_VALUE  # a cycle (x = x.t() in a loop): the other paths decide
        self._busy.add(key)
        try:
            value = self._compute_binding(flow, index)
            if self.thorough and value.kind == UNKNOWN:
                value = self.inference.usage_of(flow, flow.bindings[index].name).get(index, value)
        finally:
            self._busy.discard(key)
        self._bindings[key] = value
        return value

    def _compute_binding(self, flow: Flow, index: int) -> Value:
        binding = flow.bindings[index]
        how, source = binding.how, binding.source
        if how == ASSIGN:
            return unpack(self.value(source), binding.path) if source is not None else UNKNOWN_VALUE
        if how == ITERATE:
            if source is None:
                return UNKNOWN_VALUE
            return unpack(element_of(self.value(source)), binding.path)
        if how == AUGMENT and source is not None:
            right = source.child_by_field_name("right")
            operator = source.child_by_field_name("operator")
            before = self.name_value(binding.name, source)
            after = self.value(right) if right is not None else UNKNOWN_VALUE
            symbol = self.doc.node_text(operator).rstrip("=") if operator is not None else "+"
            return binary(symbol, before, after)
        if how == WITH:
            return unpack(enter(self.value(source)) if source else UNKNOWN_VALUE, binding.path)
        if how == EXCEPT:
            return foreign("object")
        if how == IMPORT_BINDING:
            return imported(binding.dotted)
        if how == DEFINE and source is not None:
            return Value(CLASS if source.type == "class_definition" else FUNCTION, node=source)
        if how == PARAMETER:
            return self._parameter_value(flow, binding.target)
        if how == DELETE:
            return UNBOUND_VALUE
        if how == NARROW and source is not None:
            return self.annotation_value(source)
        return UNKNOWN_VALUE

    def _parameter_value(self, flow: Flow, name: Node) -> Value:
        holder = name.parent
        kind = holder.type if holder is not None else ""
        if kind == "list_splat_pattern":
            return foreign("tuple")
        if kind == "dictionary_splat_pattern":
            return foreign("dict")
        function = flow.scope
        if function.type == "function_definition":
            parameters = function.child_by_field_name("parameters")
            first = (
                parameters.named_children[0] if parameters and parameters.named_children else None
            )
            if first is not None and first in (name, holder):
                owner = enclosing_class(function)
                if owner is not None:
                    decorators = decorator_names(function)
                    if "classmethod" in decorators:
                        return Value(CLASS, node=owner)
                    if "staticmethod" not in decorators:
                        return self.classes.instance(owner)
        if holder is not None and kind in ("typed_parameter", "typed_default_parameter"):
            annotation = holder.child_by_field_name("type")
            if annotation is not None:
                found = self.annotation_value(annotation)
                if found.kind != UNKNOWN:
                    return found
        if holder is not None and kind in ("default_parameter", "typed_default_parameter"):
            default = holder.child_by_field_name("value")
            if default is not None and default.type in _LITERALS and default.type != "none":
                return _LITERALS[default.type]
            if default is not None and default.type in ("list", "dictionary", "tuple", "set"):
                return self.value(default)
        if self.thorough and function.type == "function_definition":
            return self.inference.argument_value(function, name)
        return UNKNOWN_VALUE

    def annotation_value(self, annotation: Node) -> Value:
        """What an annotation says a parameter holds (``torch.Tensor`` → a tensor)."""
        node = annotation.named_children[0] if annotation.type == "type" else annotation
        if node is None:
            return UNKNOWN_VALUE
        if node.type in ("tuple", "parenthesized_expression") and node.named_children:
            return join_all([self.annotation_value(child) for child in node.named_children])
        if node.type in ("binary_operator", "union_type"):  # X | None
            parts = [child for child in node.named_children if child.type != "none"]
            return self.annotation_value(parts[0]) if len(parts) == 1 else UNKNOWN_VALUE
        if node.type in ("subscript", "generic_type"):
            head = node.named_children[0]
            arguments = [c for c in node.named_children[1:] if c.type not in ("comment",)]
            if arguments and arguments[0].type == "type_parameter":
                arguments = list(arguments[0].named_children)
            origin = self.value(head)
            dotted = origin.what if origin.kind == IMPORT else ""
            last = dotted.rpartition(".")[2]
            if last == "Optional" and arguments:
                return self.annotation_value(arguments[0])
            if last in ("List", "list", "Sequence", "Iterable", "Iterator", "Tuple", "tuple"):
                element = self.annotation_value(arguments[0]) if arguments else UNKNOWN_VALUE
                family = "tuple" if last in ("Tuple", "tuple") else "list"
                if element.kind == UNKNOWN:
                    return foreign(family)
                return foreign(family, element)
            if last in ("Dict", "dict", "Mapping", "MutableMapping"):
                element = self.annotation_value(arguments[1]) if len(arguments) > 1 else None
                known = element is not None and element.kind != UNKNOWN
                return foreign("dict", element if known else None)
            return UNKNOWN_VALUE
        value = self.value(node)
        if value.kind == CLASS and value.node is not None:
            return self.classes.instance(value.node)
        if value.kind != IMPORT:
            return UNKNOWN_VALUE
        dotted = value.what
        if dotted.startswith("builtins."):
            name = dotted.partition(".")[2]
            if name in ("str", "bytes"):
                return STRING
            if name in ("int", "float", "complex"):
                return NUMBER
            if name == "bool":
                return BOOLEAN
            if name in ("list", "dict", "tuple", "set"):
                return foreign(name)
            return UNKNOWN_VALUE
        if is_torch_name(dotted):
            instance = torch_call(dotted, Call())
            return uncertain(instance) if instance.kind == TORCH else UNKNOWN_VALUE
        if is_foreign_module(dotted):
            return foreign(foreign_family(dotted))
        return UNKNOWN_VALUE

    # -- expressions -------------------------------------------------------------------

    def value(self, node: Node | None) -> Value:
        """What the expression ``node`` evidently evaluates to."""
        if node is None:
            return UNKNOWN_VALUE
        found = self._values.get(node.id)
        if found is not None:
            return found
        if node.id in self._busy or self._depth > _MAX_DEPTH:
            return UNKNOWN_VALUE
        self._busy.add(node.id)
        self._depth += 1
        try:
            value = self._compute(node)
        finally:
            self._depth -= 1
            self._busy.discard(node.id)
        self._values[node.id] = value
        return value

    def _compute(self, node: Node) -> Value:
        kind = node.type
        if kind == "identifier":
            return self.name_value(self.doc.node_text(node), node)
        literal = _LITERALS.get(kind)
        if literal is not None:
            return literal
        if kind == "attribute":
            owner, name = node.child_by_field_name("object"), node.child_by_field_name("attribute")
            if owner is None or name is None:
                return UNKNOWN_VALUE
            return self.attribute_value(self.value(owner), self.doc.node_text(name))
        if kind == "call":
            return self._call_value(node)
        if kind == "subscript":
            index = node.child_by_field_name("subscript")
            return subscript_of(self.value(node.child_by_field_name("value")), index)
        if kind in ("parenthesized_expression", "named_expression", "await"):
            inner = node.child_by_field_name("value") or (
                node.named_children[0] if node.named_children else None
            )
            return self.value(inner) if kind != "await" else UNKNOWN_VALUE
        if kind == "binary_operator":
            operator = node.child_by_field_name("operator")
            symbol = self.doc.node_text(operator) if operator is not None else "+"
            left = self.value(node.child_by_field_name("left"))
            right = self.value(node.child_by_field_name("right"))
            return binary(symbol, left, right)
        if kind == "comparison_operator":
            children = node.named_children
            operators = [child for child in node.children if not child.is_named]
            symbol = self.doc.node_text(operators[0]) if operators else "=="
            if len(children) == 2:
                return binary(symbol, self.value(children[0]), self.value(children[1]))
            return UNKNOWN_VALUE
        if kind == "boolean_operator":
            left = self.value(node.child_by_field_name("left"))
            right = self.value(node.child_by_field_name("right"))
            return join(uncertain(left), uncertain(right))
        if kind == "not_operator":
            return BOOLEAN
        if kind == "unary_operator":
            operand = self.value(node.child_by_field_name("argument"))
            return operand if operand.is_tensor or operand.kind == FOREIGN else UNKNOWN_VALUE
        if kind == "conditional_expression":
            children = node.named_children
            if len(children) >= 3:
                return join(self.value(children[0]), self.value(children[2]))
            return UNKNOWN_VALUE
        if kind == "list" or kind == "set":
            items = [self.value(child) for child in node.named_children]
            element = join_all(items) if items else None
            return foreign(kind, element if element is None or element.kind != UNBOUND else None)
        if kind in ("tuple", "expression_list"):
            return Value(TUPLE, items=tuple(self.value(child) for child in node.named_children))
        if kind == "dictionary":
            values = [
                self.value(pair.child_by_field_name("value"))
                for pair in node.named_children
                if pair.type == "pair"
            ]
            element = join_all(values) if values else None
            return foreign("dict", element if element is None or element.kind != UNBOUND else None)
        if kind in ("list_comprehension", "set_comprehension", "generator_expression"):
            body = node.child_by_field_name("body")
            family = {"list_comprehension": "list", "set_comprehension": "set"}.get(
                kind, "iterator"
            )
            return foreign(family, self.value(body))
        if kind == "dictionary_comprehension":
            body = node.child_by_field_name("body")
            value = body.child_by_field_name("value") if body is not None else None
            return foreign("dict", self.value(value))
        if kind == "lambda":
            return Value(FUNCTION, node=node)
        if kind in ("string_content", "interpolation"):
            return STRING
        return UNKNOWN_VALUE

    # -- attributes ----------------------------------------------------------------------

    def attribute_value(self, owner: Value, name: str) -> Value:
        """What ``<owner>.name`` is (not called)."""
        kind = owner.kind
        if kind == IMPORT:
            return imported(f"{owner.what}.{name}")
        if kind == INSTANCE and owner.node is not None:
            return self.classes.instance_attribute(owner.node, name)
        if kind == CLASS and owner.node is not None:
            found = self.classes.member(owner.node, name)
            return found if found is not None else UNKNOWN_VALUE
        if kind == TUPLE and owner.element is not None and name in ("values", "indices"):
            return owner.element
        return attribute_of(owner, name)

    # -- what later code sees (notebook cells) ---------------------------------------------

    def exported_names(self) -> frozenset[str]:
        """Names the document binds at module level and still holds at its end."""
        flow = self.flow(self.doc.tree.root_node)
        env = (
            flow.end if flow.end is not None else {n: frozenset(i) for n, i in flow.by_name.items()}
        )
        return frozenset(name for name, ids in env.items() if ids and name != WILDCARD_NAME)

    def export(self, name: str) -> Value:
        """What the module-level ``name`` holds once the document has run.

        Independent of this document's tree (a class defined here becomes what its
        instances are, a function what it returns), so the cells below can use it.
        """
        found = self._exports.get(name)
        if found is not None:
            return found
        flow = self.flow(self.doc.tree.root_node)
        ids = (flow.end or {}).get(name) or frozenset(flow.by_name.get(name, ()))
        value = join_all([self.binding_value(flow, index) for index in sorted(ids)])
        found = UNKNOWN_VALUE if value.kind == UNBOUND else self._portable(value)
        self._exports[name] = found
        return found

    def _portable(self, value: Value, depth: int = 0) -> Value:
        """``value`` without references into this document's tree."""
        if depth > 4:
            return UNKNOWN_VALUE
        if value.kind == INSTANCE:
            return Value(TORCH, value.what) if value.what else Value(UNKNOWN, PROJECT_INSTANCE)
        if value.kind == CLASS and value.node is not None:
            kind, _ = self.classes.info(value.node)
            return Value(CLASS, kind.what if isinstance(kind, Value) else "")
        if value.kind == FUNCTION and value.node is not None:
            return Value(FUNCTION, element=self._portable(self.returns(value.node), depth + 1))
        items = tuple(self._portable(item, depth + 1) for item in value.items)
        element = None if value.element is None else self._portable(value.element, depth + 1)
        return Value(value.kind, value.what, value.certain, None, items, element)

    def instance(self, cls: Node) -> Value:
        """An instance of the local class ``cls`` (``what``: the torch class it derives from)."""
        kind, _ = self.classes.info(cls)
        return Value(INSTANCE, kind.what if isinstance(kind, Value) else "", node=cls)

    def class_info(self, cls: Node) -> tuple[ClassKind, frozenset[str]]:
        """What instances of ``cls`` are, and the names it defines (:class:`LocalClasses`)."""
        return self.classes.info(cls)

    # -- calls -----------------------------------------------------------------------------

    def _call_value(self, node: Node) -> Value:
        function = node.child_by_field_name("function")
        if function is None:
            return UNKNOWN_VALUE
        call = call_of(node, self.value)
        if function.type == "attribute":
            owner = function.child_by_field_name("object")
            name = function.child_by_field_name("attribute")
            if owner is not None and name is not None:
                return self.method_value(self.value(owner), self.doc.node_text(name), call)
        if function.type == "identifier" and self.doc.node_text(function) == "super":
            return self._super_value(node)
        return self.call_value(self.value(function), call)

    def _super_value(self, node: Node) -> Value:
        scope = scope_of(node)
        while scope.type != "function_definition" and scope.parent is not None:
            scope = scope_of(scope)
        owner = enclosing_class(scope) if scope.type == "function_definition" else None
        if owner is None:
            return UNKNOWN_VALUE
        kind, _ = self.classes.info(owner)
        return kind if isinstance(kind, Value) else UNKNOWN_VALUE

    def call_value(self, function: Value, call: Call) -> Value:
        """What calling ``function`` returns."""
        kind = function.kind
        if kind == IMPORT:
            dotted = function.what
            if dotted.startswith("builtins."):
                return builtin_call(dotted.partition(".")[2], call)
            if is_torch_name(dotted):
                return torch_call(dotted, call)
            ecosystem = ecosystem_call(dotted)
            if ecosystem is not None:
                return ecosystem
            found = foreign_call(dotted, call)
            if found.kind == UNKNOWN and _project_class(dotted):
                return Value(UNKNOWN, PROJECT_INSTANCE)
            return found
        if kind == CLASS and function.node is not None:
            return self.classes.instance(function.node)
        if kind == CLASS:  # a class of an earlier notebook cell
            if function.what.startswith("torch"):
                return Value(TORCH, function.what)
            return Value(UNKNOWN, PROJECT_INSTANCE)
        if kind == FUNCTION and function.node is not None:
            return self.returns(function.node)
        if kind == FUNCTION:
            return function.element or UNKNOWN_VALUE
        if kind == INSTANCE and function.node is not None:
            return self._instance_call(function.node, call)
        if kind == TORCH:
            if function.what == MODULE.what:
                return TENSOR
            return UNKNOWN_VALUE
        if kind == FOREIGN and not function.is_container:
            return foreign(function.what)
        if kind == UNKNOWN and function.what == PROJECT_INSTANCE:
            return TENSOR  # model = Transformer(args); model(x): a module's output
        return UNKNOWN_VALUE

    def _instance_call(self, cls: Node, call: Call) -> Value:
        kind, _ = self.classes.info(cls)
        dunder = self.classes.member(cls, "__call__")
        if dunder is not None and dunder.kind == FUNCTION and dunder.node is not None:
            return self.returns(dunder.node)
        if kind == MODULE or (kind == UNKNOWN_CLASS and self.classes.member(cls, "forward")):
            forward = self.classes.member(cls, "forward")
            if forward is not None and forward.kind == FUNCTION and forward.node is not None:
                found = self.returns(forward.node)
                if found.kind in (TORCH, TUPLE, FOREIGN):
                    return uncertain(found)
            return TENSOR
        return UNKNOWN_VALUE

    def method_value(self, owner: Value, name: str, call: Call) -> Value:
        """What ``<owner>.name(...)`` returns."""
        kind = owner.kind
        if kind == IMPORT:
            return self.call_value(imported(f"{owner.what}.{name}"), call)
        if kind == INSTANCE and owner.node is not None:
            member = self.classes.member(owner.node, name)
            if member is not None:
                return self.call_value(member, call)
            attribute = self.classes.assigned(owner.node, name)
            if attribute is not None:
                return self.call_value(attribute, call)
            class_kind, _ = self.classes.info(owner.node)
            if isinstance(class_kind, Value):
                result = torch_method(class_kind, name, call)
                return owner if result == class_kind and class_kind == MODULE else result
            return UNKNOWN_VALUE
        if kind == CLASS and owner.node is not None:
            member = self.classes.member(owner.node, name)
            return self.call_value(member, call) if member is not None else UNKNOWN_VALUE
        if kind == TORCH:
            return torch_method(owner, name, call)
        if kind == FOREIGN:
            return _foreign_method(owner, name)
        if kind == UNKNOWN:
            return self._unknown_method(name, call)
        return UNKNOWN_VALUE

    def _unknown_method(self, name: str, call: Call) -> Value:
        """What a method of an unknown receiver returns: a tensor when the name gives it away."""
        owners = distinctive_owners(name, call, self.value)
        if owners and owners[0] == TENSOR.what:
            if MODULE.what in owners and name in _SELF_RETURNING:
                return UNKNOWN_VALUE  # x.to(device): a tensor or a module, like x
            return torch_method(TENSOR, name, call)
        if owners and owners[0] == MODULE.what:
            return UNKNOWN_VALUE if name in _SELF_RETURNING else torch_method(MODULE, name, call)
        if name == "item":
            return NUMBER
        if name == "tolist":
            return foreign("list")
        return UNKNOWN_VALUE

    def returns(self, function: Node) -> Value:
        """What calling the local function (or ``lambda``) ``function`` returns."""
        found = self._returns.get(function.id)
        if found is not None:
            return found
        key = ("returns", function.id)
        if key in self._busy:
            return UNBOUND_VALUE
        self._busy.add(key)
        try:
            flow = self.flow(function)
            if flow.yields:
                value = foreign("iterator")
            elif not flow.returns:
                value = NONE_VALUE
            else:
                value = join_all([self.value(expression) for expression in flow.returns])
                if value.kind == UNBOUND:
                    value = UNKNOWN_VALUE
        finally:
            self._busy.discard(key)
        value = uncertain(value)
        self._returns[function.id] = value
        return value


def _project_class(dotted: str) -> bool:
    """``model.Transformer``: a class (capitalised) of a module nothing is known about."""
    name = dotted.rpartition(".")[2]
    return name[:1].isupper() and not name.isupper() and not is_module_base(dotted)
