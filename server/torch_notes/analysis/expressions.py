"""Small questions about tree-sitter expression nodes, shared by resolution and the rules."""

from __future__ import annotations

from tree_sitter import Node, Point

from torch_notes.analysis.document import SourceDocument


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


def expression_root(node: Node) -> Node:
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


EXPRESSIONS = frozenset(
    {"identifier", "call", "attribute", "subscript", "parenthesized_expression", "string",
     "concatenated_string", "list", "dictionary", "set", "tuple", "integer", "float",
     "list_comprehension", "dictionary_comprehension", "set_comprehension"}
)  # fmt: skip


def expression_before(doc: SourceDocument, end: int) -> Node | None:
    """The largest expression ending at byte ``end`` that starts on the same line.

    In half-typed code tree-sitter may glue a line onto the previous one (``loss.backward()``
    then ``optimizer.step()`` without the closing parenthesis of a ``for``): what precedes a
    dot on its own line is what the user means.
    """
    if end <= 0:
        return None
    row = doc.tree.root_node.descendant_for_byte_range(end - 1, end)
    if row is None:
        return None
    line = row.end_point.row
    found: Node | None = None
    node: Node | None = row
    while node is not None and node.end_byte == end and node.start_point.row == line:
        if node.type in EXPRESSIONS:
            found = node
        node = node.parent
    return found
