"""Small, pure helpers over tree-sitter nodes that several rules share."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument

SCOPES = frozenset({"module", "function_definition", "lambda", "class_definition"})
"""Node types that open a Python scope (comprehensions are folded into their parent)."""

_BINDINGS = Query(
    PYTHON,
    """
    (assignment left: (identifier) @b)
    (assignment left: (pattern_list (identifier) @b))
    (assignment left: (tuple_pattern (identifier) @b))
    (assignment left: (list_pattern (identifier) @b))
    (augmented_assignment left: (identifier) @b)
    (for_statement left: (identifier) @b)
    (for_statement left: (pattern_list (identifier) @b))
    (for_statement left: (tuple_pattern (identifier) @b))
    (for_in_clause left: (identifier) @b)
    (for_in_clause left: (pattern_list (identifier) @b))
    (for_in_clause left: (tuple_pattern (identifier) @b))
    (as_pattern_target (identifier) @b)
    (named_expression name: (identifier) @b)
    (parameters (identifier) @b)
    (lambda_parameters (identifier) @b)
    (default_parameter name: (identifier) @b)
    (typed_parameter (identifier) @b)
    (typed_default_parameter name: (identifier) @b)
    (list_splat_pattern (identifier) @b)
    (dictionary_splat_pattern (identifier) @b)
    (function_definition name: (identifier) @b)
    (class_definition name: (identifier) @b)
    (global_statement (identifier) @b)
    (nonlocal_statement (identifier) @b)
    (delete_statement (identifier) @b)
    """,
)
_ATTRIBUTE_TARGETS = Query(
    PYTHON,
    """
    (assignment left: (attribute attribute: (identifier) @a))
    (augmented_assignment left: (attribute attribute: (identifier) @a))
    (pattern_list (attribute attribute: (identifier) @a))
    (tuple_pattern (attribute attribute: (identifier) @a))
    (delete_statement (attribute attribute: (identifier) @a))
    """,
)
_STRINGS = Query(PYTHON, "(string_content) @s")
_WILDCARD = Query(PYTHON, "(wildcard_import) @w")


def scope_of(node: Node) -> Node:
    """The node of the innermost scope ``node`` is evaluated in.

    The name of a ``def``/``class`` belongs to the enclosing scope, so does a default value
    or a decorator; a parameter belongs to its function.
    """
    current = node.parent
    child = node
    while current is not None:
        if current.type in SCOPES:
            if current.type in ("function_definition", "class_definition"):
                body = current.child_by_field_name("body")
                params = current.child_by_field_name("parameters")
                inside = (body is not None and body == child) or (
                    params is not None and params == child and _is_parameter_name(node, params)
                )
                if inside:
                    return current
            elif current.type == "lambda":
                return current
            else:
                return current
        child = current
        current = current.parent
    return child


def _is_parameter_name(node: Node, params: Node) -> bool:
    """Whether ``node`` (inside ``params``) is a parameter's name, not a default value."""
    parent = node.parent
    while parent is not None and parent != params:
        if parent.type in ("default_parameter", "typed_default_parameter"):
            return parent.child_by_field_name("name") == node
        if parent.type == "typed_parameter":
            return node.parent == parent and parent.named_children[0] == node
        parent = parent.parent
    return True


def binding_nodes(root: Node) -> list[Node]:
    """Every identifier bound by something other than an import, in source order."""
    found = queries.captures(_BINDINGS, root, "b")
    return sorted(found, key=lambda n: n.start_byte)


def attribute_targets(doc: SourceDocument) -> frozenset[str]:
    """Names assigned or deleted as attributes anywhere (``x.foo = 1`` → ``foo``)."""
    found = queries.captures(_ATTRIBUTE_TARGETS, doc.tree.root_node, "a")
    return frozenset(doc.node_text(node) for node in found)


def string_words(doc: SourceDocument) -> frozenset[str]:
    """Identifier-like string contents (``hasattr(torch, "compile")`` → ``compile``)."""
    found = queries.captures(_STRINGS, doc.tree.root_node, "s")
    words = set()
    for node in found:
        if node.end_byte - node.start_byte <= 64:
            text = doc.node_text(node)
            if text.isidentifier():
                words.add(text)
    return frozenset(words)


def has_wildcard_import(doc: SourceDocument) -> bool:
    """Whether the document has ``from x import *`` anywhere."""
    return bool(queries.captures(_WILDCARD, doc.tree.root_node, "w"))


def call_arguments(call: Node) -> tuple[list[Node], dict[str, Node]]:
    """Positional argument nodes and keyword name → value nodes of a call.

    ``*args``/``**kwargs`` arguments are returned among positionals as their splat nodes.
    """
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return positional, keywords
    for child in arguments.named_children:
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[name.text.decode("utf-8", "replace") if name.text else ""] = value
        elif child.type != "comment":
            positional.append(child)
    return positional, keywords


def has_splat(call: Node) -> bool:
    """Whether a call passes ``*args`` or ``**kwargs``."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return False
    return any(
        child.type in ("list_splat", "dictionary_splat") for child in arguments.named_children
    )


def ancestors(node: Node) -> Iterator[Node]:
    """``node``'s parents, innermost first."""
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def unwrap_parens(node: Node) -> Node:
    """The expression inside any number of parentheses."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


_GUARDS = frozenset({"AttributeError", "ImportError", "ModuleNotFoundError", "Exception"})


def guarded(doc: SourceDocument, node: Node) -> bool:
    """Whether ``node`` runs inside ``try:`` whose handlers catch a missing name.

    (``except AttributeError``, ``ImportError``, ``Exception`` or a bare ``except``): code that
    probes for an API on purpose.
    """
    child = node
    for parent in ancestors(node):
        if parent.type == "try_statement" and parent.child_by_field_name("body") == child:
            for handler in parent.named_children:
                if handler.type != "except_clause":
                    continue
                caught = handler.named_children[0] if handler.named_children else None
                if caught is None or caught.type == "block":
                    return True
                names = set(doc.node_text(caught).replace("(", " ").replace(")", " ").split())
                if any(name.strip(",").rpartition(".")[2] in _GUARDS for name in names):
                    return True
        if parent.type in SCOPES:
            return False
        child = parent
    return False
