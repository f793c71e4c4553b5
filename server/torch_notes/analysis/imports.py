"""What each imported name stands for: ``{"F": "torch.nn.functional", "np": "numpy"}``."""

from __future__ import annotations

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument

_IMPORTS = Query(PYTHON, "(import_statement) @import (import_from_statement) @import")


def _dotted(doc: SourceDocument, node: Node) -> str:
    return doc.node_text(node).replace(" ", "")


def _bind_import(doc: SourceDocument, statement: Node, bindings: dict[str, str]) -> None:
    """``import a.b`` binds ``a``; ``import a.b as c`` binds ``c`` to ``a.b``."""
    for name in statement.children_by_field_name("name"):
        if name.type == "aliased_import":
            target, alias = name.child_by_field_name("name"), name.child_by_field_name("alias")
            if target is not None and alias is not None:
                bindings[doc.node_text(alias)] = _dotted(doc, target)
        elif name.type == "dotted_name":
            top = _dotted(doc, name).partition(".")[0]
            bindings[top] = top


def _bind_from_import(doc: SourceDocument, statement: Node, bindings: dict[str, str]) -> None:
    """``from a.b import c as d`` binds ``d`` to ``a.b.c``; relative imports bind nothing."""
    module = statement.child_by_field_name("module_name")
    if module is None or module.type != "dotted_name":
        return
    base = _dotted(doc, module)
    for name in statement.children_by_field_name("name"):
        if name.type == "aliased_import":
            target, alias = name.child_by_field_name("name"), name.child_by_field_name("alias")
            if target is not None and alias is not None:
                bindings[doc.node_text(alias)] = f"{base}.{_dotted(doc, target)}"
        elif name.type == "dotted_name":
            bindings[_dotted(doc, name)] = f"{base}.{_dotted(doc, name)}"


def collect_imports(doc: SourceDocument) -> dict[str, str]:
    """Every name bound by an import anywhere in ``doc``, mapped to its full dotted name.

    Later imports of the same name win, as they would at run time for module-level code.
    """
    bindings: dict[str, str] = {}
    statements = queries.captures(_IMPORTS, doc.tree.root_node, "import")
    for statement in sorted(statements, key=lambda node: node.start_byte):
        if statement.has_error and statement.child_by_field_name("name") is None:
            continue
        if statement.type == "import_statement":
            _bind_import(doc, statement, bindings)
        else:
            _bind_from_import(doc, statement, bindings)
    return bindings


def import_path_at(doc: SourceDocument, identifier: Node) -> str | None:
    """The dotted name an identifier *inside an import statement* refers to, or ``None``.

    In ``import torch.nn.functional as F`` the ``nn`` means ``torch.nn``; in
    ``from torch.utils.data import DataLoader`` the ``DataLoader`` means
    ``torch.utils.data.DataLoader``; an alias means what it aliases.
    """
    node: Node | None = identifier
    while node is not None and node.type not in ("import_statement", "import_from_statement"):
        if node.type in ("module", "block", "ERROR"):
            return None
        node = node.parent
    if node is None:
        return None
    statement = node
    parent = identifier.parent
    if parent is None:
        return None
    if parent.type == "aliased_import":  # the alias itself
        target = parent.child_by_field_name("name")
        if target is None:
            return None
        dotted = _dotted(doc, target)
    elif parent.type == "dotted_name":
        prefix = doc.source[parent.start_byte : identifier.end_byte].decode("utf-8", "replace")
        dotted = prefix.replace(" ", "")
    else:
        return None
    module = statement.child_by_field_name("module_name")
    if statement.type == "import_from_statement" and module is not None:
        if module.type != "dotted_name":
            return None
        if module.start_byte <= identifier.start_byte < module.end_byte:
            return dotted
        return f"{_dotted(doc, module)}.{dotted}"
    return dotted
