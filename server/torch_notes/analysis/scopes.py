"""Python's scopes on tree-sitter's tree: which scope a name is looked up in.

A scope is the module, a function (``def`` or ``lambda``), a class body or a comprehension
(``[… for …]``, ``{…}``, generator expressions). Where Python evaluates something decides
its scope: a ``def``'s name, decorators, defaults and annotations belong to the enclosing
scope, its parameters and body to the function; a comprehension's first iterable is
evaluated outside it, everything else inside. Class bodies do not enclose the functions
defined in them (methods look names up in the module, not in the class).
"""

from __future__ import annotations

from tree_sitter import Node

FUNCTIONS = frozenset({"function_definition", "lambda"})
COMPREHENSIONS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)
SCOPES = FUNCTIONS | COMPREHENSIONS | {"module", "class_definition"}
PARAMETER_LISTS = frozenset({"parameters", "lambda_parameters"})


def scope_of(node: Node) -> Node:
    """The scope node in which ``node`` is evaluated (the root for a detached tree)."""
    child, current = node, node.parent
    while current is not None:
        kind = current.type
        if kind == "module":
            return current
        if kind in FUNCTIONS:
            if child == current.child_by_field_name("body"):
                return current
            if child.type in PARAMETER_LISTS and is_parameter_name(node, child):
                return current
        elif kind == "class_definition":
            if child == current.child_by_field_name("body"):
                return current
        elif kind in COMPREHENSIONS and not _in_first_iterable(current, child, node):
            return current
        child, current = current, current.parent
    return child


def _in_first_iterable(comprehension: Node, child: Node, node: Node) -> bool:
    """Whether ``node`` (below ``child``, a child of ``comprehension``) is in the first iterable."""
    for clause in comprehension.named_children:
        if clause.type == "for_in_clause":
            if clause != child:
                return False
            iterable = clause.child_by_field_name("right")
            return (
                iterable is not None and iterable.start_byte <= node.start_byte < iterable.end_byte
            )
    return False


def is_parameter_name(node: Node, parameters: Node) -> bool:
    """Whether ``node`` (inside ``parameters``) names a parameter (not a default or annotation)."""
    parent = node.parent
    while parent is not None and parent != parameters:
        kind = parent.type
        if kind in ("default_parameter", "typed_default_parameter"):
            return parent.child_by_field_name("name") == node
        if kind == "typed_parameter":
            first = parent.named_children[0] if parent.named_children else None
            return first == node or (
                first is not None
                and first.type in ("list_splat_pattern", "dictionary_splat_pattern")
                and node.parent == first
            )
        if kind in ("type", "lambda", "call", "attribute", "subscript"):
            return False
        parent = parent.parent
    return True


def first_clause_targets(comprehension: Node) -> Node | None:
    """The target of the first ``for`` of a comprehension (bound inside it)."""
    for clause in comprehension.named_children:
        if clause.type == "for_in_clause":
            return clause.child_by_field_name("left")
    return None


def enclosing_class(function: Node) -> Node | None:
    """The class whose body defines ``function`` directly (a method), else ``None``."""
    parent = function.parent
    if parent is not None and parent.type == "decorated_definition":
        parent = parent.parent
    if parent is None or parent.type != "block":
        return None
    owner = parent.parent
    return owner if owner is not None and owner.type == "class_definition" else None


def decorator_names(function: Node) -> list[str]:
    """The last names of a function's decorators (``staticmethod``, ``property``, …)."""
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    names = []
    for child in parent.named_children:
        if child.type == "decorator" and child.named_children:
            expression = child.named_children[0]
            if expression.type == "call":
                expression = expression.child_by_field_name("function") or expression
            text = expression.text.decode("utf-8", "replace") if expression.text else ""
            names.append(text.rpartition(".")[2])
    return names


def class_methods(cls: Node) -> list[Node]:
    """The functions defined directly in a class body (decorated ones included)."""
    body = cls.child_by_field_name("body")
    found = []
    for child in body.named_children if body is not None else ():
        definition = child
        if child.type == "decorated_definition":
            definition = child.child_by_field_name("definition") or child
        if definition.type == "function_definition":
            found.append(definition)
    return found
