"""Uses of APIs the corpus marks deprecated (``torch.norm``, ``torch.cuda.amp.autocast``).

Data-driven: every note with a ``deprecated`` field contributes its symbols and its
replacement (see :mod:`torch_notes.diagnostics.deprecations`). Module-level names are
found through every import form; a class member (``torch.Tensor.norm``) only on a
receiver that is certainly a tensor. A quick fix is offered where the rewrite is
mechanical (:mod:`torch_notes.diagnostics.rules.norm_rewrite`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON
from torch_notes.diagnostics.deprecations import DeprecatedSymbol, deprecated_symbols
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Diagnostic, Fix, Severity, Span
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.rules import norm_rewrite
from torch_notes.diagnostics.tensors import oracle_for

CODE = "deprecated-api"
NOTE_ID = None  # each finding links to the note that marks its symbol deprecated
MESSAGE_NOTE = f"{CODE}.message.note"
MESSAGE_REPLACEMENT = f"{CODE}.message.replacement"

MECHANICAL = {"torch.norm": norm_rewrite.rewrite}
"""Symbol → the function that builds its mechanical quick fix (``None`` when unsafe)."""

_IDENTIFIERS = Query(PYTHON, "(identifier) @name")
_HEADS = Query(PYTHON, "(attribute object: (identifier) @head) @attr")


@functools.lru_cache(maxsize=8)
def _member_query(names: frozenset[str]) -> Query:
    """Attributes named one of ``names`` (the deprecated Tensor members)."""
    quoted = " ".join(f'"{name}"' for name in sorted(names))
    return Query(
        PYTHON,
        "(attribute object: (_) @receiver attribute: (identifier) @name"
        f" (#any-of? @name {quoted}))",
    )


_IMPORT_PARENTS = frozenset({"dotted_name", "aliased_import", "import_from_statement"})


def _message(found: DeprecatedSymbol, shown: str) -> Message:
    if found.message is not None:
        return Message.of(MESSAGE_NOTE, name=shown, since=found.since, note=found.message)
    return Message.of(
        MESSAGE_REPLACEMENT, name=shown, since=found.since, replacement=found.replacement
    )


def _finding(ctx: RuleContext, found: DeprecatedSymbol, name: Node, expression: Node) -> Diagnostic:
    fixes: tuple[Fix, ...] = ()
    build = MECHANICAL.get(found.symbol)
    call = expression.parent
    if (
        build is not None
        and call is not None
        and call.type == "call"
        and call.child_by_field_name("function") == expression
    ):
        fix = build(ctx, call, expression, found)
        fixes = (fix,) if fix is not None else ()
    return Diagnostic(
        rule=CODE,
        severity=RULE.severity,
        text=_message(found, found.symbol),
        span=Span.of(name),
        note_id=found.note_id,
        fixes=fixes,
        deprecated=True,
    )


def _outermost_chain(node: Node) -> Iterator[Node]:
    """``node`` and every attribute that extends it (``torch`` → ``torch.cuda`` → …)."""
    yield node
    while node.parent is not None and node.parent.type == "attribute":
        parent = node.parent
        if parent.child_by_field_name("object") != node:
            return
        node = parent
        yield node


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Findings in source order (module-level names first, then tensor members)."""
    if not ctx.uses_torch:
        return
    table = deprecated_symbols(ctx.index)
    if not table:
        return
    module_level = {s: f for s, f in table.items() if f.owner is None}
    members = {s.rpartition(".")[2]: f for s, f in table.items() if f.owner == "torch.Tensor"}
    heads = {head for head in ctx.imports if ctx.torch_binding(head) is not None}
    root = ctx.doc.tree.root_node
    prefixes = {
        ".".join(parts[:depth])
        for parts in (symbol.split(".") for symbol in module_level)
        for depth in range(1, len(parts))
    }
    for _, match in queries.matches(_HEADS, root):
        head = match["head"][0]
        if ctx.doc.node_text(head) not in heads:
            continue
        full = ctx.torch_binding(ctx.doc.node_text(head)) or ""
        for expression in _outermost_chain(match["attr"][0]):
            if full not in prefixes:
                break
            attribute = expression.child_by_field_name("attribute")
            if attribute is None:
                break
            full = f"{full}.{ctx.doc.node_text(attribute)}"
            if full in module_level:
                yield _finding(ctx, module_level[full], attribute, expression)
                break
    bare = {head for head in heads if ctx.imports[head] in module_level}
    for node in queries.captures(_IDENTIFIERS, root, "name") if bare else ():
        parent = node.parent
        if ctx.doc.node_text(node) not in bare or parent is None:
            continue
        if parent.type in _IMPORT_PARENTS or parent.type == "attribute":
            continue
        if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
            continue
        yield _finding(ctx, module_level[ctx.imports[ctx.doc.node_text(node)]], node, node)
    if not members:
        return
    oracle = oracle_for(ctx)
    for _, match in queries.matches(_member_query(frozenset(members)), root):
        name = match["name"][0]
        found = members.get(ctx.doc.node_text(name))
        if found is None or not oracle.is_tensor(match["receiver"][0]):
            continue
        yield Diagnostic(
            rule=CODE,
            severity=RULE.severity,
            text=_message(found, f"Tensor.{name.text.decode() if name.text else ''}"),
            span=Span.of(name),
            note_id=found.note_id,
            deprecated=True,
        )


RULE = Rule(
    code=CODE,
    note_id=NOTE_ID,
    severity=Severity.WARNING,
    summary="an API the notes mark deprecated, with the replacement from the note",
    check=check,
    messages=(MESSAGE_NOTE, MESSAGE_REPLACEMENT, norm_rewrite.FIX_USE),
)
