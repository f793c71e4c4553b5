"""The mechanical rewrite ``torch.norm(x, p, dim, keepdim)`` → ``torch.linalg.vector_norm``.

From note ``math.norm_deprecated``: for a numeric ``p`` (or ``"fro"`` over at most two
dims) ``torch.norm`` *is* ``vector_norm(x, ord=p, dim, keepdim)``; the keyword ``p``
becomes ``ord`` and ``input`` becomes ``x``. Anything else (``p="nuc"``, a ``p`` held in
a variable, ``*args``) gets no fix: the rewrite would not be mechanical.
"""

from __future__ import annotations

from tree_sitter import Node

from torch_notes.analysis.expressions import dotted_chain
from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.deprecations import DeprecatedSymbol
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Edit, Fix, Span
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.spelling import spell

KEYWORDS = {"input": "x", "p": "ord", "dim": "dim", "keepdim": "keepdim", "dtype": "dtype"}
FIX_USE = "deprecated-api.fix.use"
_INF_NAMES = frozenset({"inf", "math.inf", "torch.inf", "np.inf", "numpy.inf"})


def _numeric(ctx: RuleContext, node: Node) -> bool:
    """``2``, ``-1``, ``2.0``, ``float("inf")``, ``math.inf``: a number, visibly."""
    node = syntax.unwrap_parens(node)
    if node.type == "unary_operator":
        argument = node.child_by_field_name("argument")
        return argument is not None and _numeric(ctx, argument)
    if node.type in ("integer", "float"):
        return True
    text = ctx.doc.node_text(node).replace(" ", "")
    if text in _INF_NAMES:
        return True
    return text.replace("'", '"') in ('float("inf")', 'float("-inf")')


def _fro(ctx: RuleContext, node: Node) -> bool:
    return ctx.doc.node_text(node) in ('"fro"', "'fro'")


def _at_most_two_dims(ctx: RuleContext, dim: Node | None) -> bool:
    if dim is None:
        return True
    dim = syntax.unwrap_parens(dim)
    if dim.type in ("integer", "unary_operator", "none"):
        return True
    return dim.type in ("tuple", "list") and dim.named_child_count <= 2


def rewrite(ctx: RuleContext, call: Node, callee: Node, found: DeprecatedSymbol) -> Fix | None:
    """The fix for one ``torch.norm(...)`` call, or ``None`` when it is not mechanical."""
    replacement = found.replacement_symbol
    if replacement is None or syntax.has_splat(call):
        return None
    head = dotted_chain(ctx.doc, callee)
    new_callee = spell(ctx, replacement, head.partition(".")[0] if head else None)
    positional, keywords = syntax.call_arguments(call)
    if new_callee is None or len(positional) > 4 or set(keywords) - set(KEYWORDS):
        return None
    if bool(positional) == ("input" in keywords):
        return None
    p = positional[1] if len(positional) > 1 else keywords.get("p")
    dim = positional[2] if len(positional) > 2 else keywords.get("dim")
    edits = [Edit(Span.of(callee), new_callee)]
    if p is not None and not _numeric(ctx, p):
        if not (_fro(ctx, p) and _at_most_two_dims(ctx, dim)):
            return None
        edits.append(Edit(Span.of(p), "2"))
    arguments = call.child_by_field_name("arguments")
    for child in arguments.named_children if arguments is not None else ():
        if child.type == "keyword_argument":
            name = child.child_by_field_name("name")
            if name is not None and KEYWORDS[ctx.doc.node_text(name)] != ctx.doc.node_text(name):
                edits.append(Edit(Span.of(name), KEYWORDS[ctx.doc.node_text(name)]))
    return Fix(Message.of(FIX_USE, replacement=new_callee), tuple(edits))
