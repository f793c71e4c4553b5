"""What variables evidently hold: a torch class (``opt = SGD(...)``) or something else.

Used by resolution to pick the noted members of the right class for ``<name>.member``
and to stay quiet on receivers that are provably not torch objects.
"""

from __future__ import annotations

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.expressions import dotted_chain, expression_root
from torch_notes.corpus.index import is_torch_name


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


def resolve_dotted(doc: SourceDocument, node: Node, imports: dict[str, str]) -> str | None:
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


def receiver_kinds(doc: SourceDocument, imports: dict[str, str]) -> dict[str, str]:
    """``{"model": "torch.nn.Module", "args": NOT_TORCH}`` from the document's assignments."""
    root = doc.tree.root_node
    found: tuple[list, list, list] = ([], [], [])
    for pattern, match in queries.matches(_RECEIVER_PATTERNS, root):
        found[pattern].append(match)
    local_classes: dict[str, str] = {}
    for match in found[_CLASS_PATTERN]:
        (name,), (bases,) = match["name"], match["bases"]
        for base in bases.named_children:
            kind = _kind_of_callable(resolve_dotted(doc, base, imports) or "")
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
        base = expression_root(callee)
        if base.type == "identifier":
            bound = imports.get(doc.node_text(base))
            if (bound is not None and not is_torch_name(bound)) or (
                kinds.get(doc.node_text(base)) == NOT_TORCH
            ):
                kinds[doc.node_text(name)] = NOT_TORCH
                continue
        dotted = resolve_dotted(doc, callee, imports)
        if dotted is None:
            continue
        kind = local_classes.get(dotted) or _kind_of_callable(dotted)
        if kind is not None:
            kinds[doc.node_text(name)] = kind
    return kinds
