"""``torch.arrange``, ``F.rellu``, ``nn.Conv2D``: a name the torch module does not have.

Judged against the shipped inventory of torch's public API, only inside the modules and
classes it covers: private names, submodules it does not list and names the file checks
dynamically (``hasattr(torch, "compile")``) or assigns (``torch.foo = ...``) are left alone.
The finding links to the note of the name it suggests, else to a note that names the typo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON
from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.inventory import suggest
from torch_notes.diagnostics.links import note_for_symbol, note_mentioning
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Diagnostic, Edit, Fix, Severity, Span
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext

CODE = "unknown-torch-attr"
NOTE_ID = None  # each finding links to the note of the name it suggests
MESSAGE_SUGGEST = f"{CODE}.message.suggest"
MESSAGE_MISSING = f"{CODE}.message.missing"
FIX_RENAME = f"{CODE}.fix.rename"
FIX_IMPORT_AS = f"{CODE}.fix.import-as"

_HEADS = Query(PYTHON, "(attribute object: (identifier) @head) @attr")
_FROM_IMPORTS = Query(PYTHON, "(import_from_statement) @s")


def _named_query(name: str) -> Query:
    return Query(PYTHON, f'((identifier) @name (#eq? @name "{name}"))')


def _judge(
    ctx: RuleContext, parent: str, name_node: Node, *, assigned_ok: bool = True
) -> Diagnostic | None:
    """A finding when ``parent`` is covered and lacks the name in ``name_node``."""
    name = ctx.doc.node_text(name_node)
    if name.startswith("_") or name in ctx.string_words:
        return None
    if assigned_ok and name in ctx.attribute_targets:
        return None
    members = ctx.inventory.members(parent)
    if members is None or name in members or syntax.guarded(ctx.doc, name_node):
        return None
    guess = suggest(name, members)
    wrong = f"{parent}.{name}"
    version = ctx.inventory.torch_version
    if guess is not None:
        message = Message.of(MESSAGE_SUGGEST, name=wrong, guess=guess)
        fixes = (Fix(Message.of(FIX_RENAME, guess=guess), (Edit(Span.of(name_node), guess),)),)
        note = note_for_symbol(ctx.index, f"{parent}.{guess}") or note_mentioning(ctx.index, wrong)
    else:
        message = Message.of(MESSAGE_MISSING, name=wrong, version=version)
        fixes = ()
        note = note_mentioning(ctx.index, wrong)
    return Diagnostic(
        rule=CODE,
        severity=RULE.severity,
        text=message,
        span=Span.of(name_node),
        note_id=note,
        fixes=fixes,
    )


def _chain_findings(ctx: RuleContext, attr: Node, head: Node) -> Diagnostic | None:
    """Walk ``head.a.b.c`` outwards through covered modules; judge the first unknown name."""
    full = ctx.torch_binding(ctx.doc.node_text(head))
    if full is None:
        return None
    node = attr
    while node is not None and node.type == "attribute":
        name_node = node.child_by_field_name("attribute")
        if name_node is None:
            return None
        if ctx.inventory.members(full) is None:
            return None
        finding = _judge(ctx, full, name_node)
        if finding is not None:
            return finding
        full = f"{full}.{ctx.doc.node_text(name_node)}"
        parent = node.parent
        if (
            parent is None
            or parent.type != "attribute"
            or parent.child_by_field_name("object") != node
        ):
            return None
        node = parent
    return None


def _import_findings(ctx: RuleContext, statement: Node) -> Iterator[Diagnostic]:
    """``from torch import arrange`` and ``from torch.nn import Conv2D as C``."""
    module = statement.child_by_field_name("module_name")
    if module is None or module.type != "dotted_name":
        return
    base = ctx.doc.node_text(module).replace(" ", "")
    if ctx.inventory.members(base) is None:
        return
    for name in statement.children_by_field_name("name"):
        target = name.child_by_field_name("name") if name.type == "aliased_import" else name
        if target is None or target.type != "dotted_name" or target.named_child_count != 1:
            continue
        finding = _judge(ctx, base, target.named_children[0], assigned_ok=False)
        if finding is not None and finding.fixes and name.type != "aliased_import":
            finding = replace(finding, fixes=(_rename_everywhere(ctx, target, finding.fixes[0]),))
        if finding is not None:
            yield finding


def _rename_everywhere(ctx: RuleContext, target: Node, fix: Fix) -> Fix:
    """``from torch import arrange`` → rename the import *and* every use of the name.

    Where the name is also bound otherwise, keep it: ``from torch import arange as arrange``.
    """
    old = ctx.doc.node_text(target)
    new = fix.edits[0].text
    if old in ctx.rebound:
        label = Message.of(FIX_IMPORT_AS, new=new, old=old)
        return Fix(label, (Edit(Span.of(target), f"{new} as {old}"),))
    edits = [Edit(Span.of(target), new)]
    for _, match in queries.matches(_named_query(old), ctx.doc.tree.root_node):
        node = match["name"][0]
        parent = node.parent
        if node == target.named_children[0] or parent is None:
            continue
        if parent.type in ("dotted_name", "aliased_import", "import_from_statement"):
            continue
        if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
            continue
        if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
            continue
        edits.append(Edit(Span.of(node), new))
    return Fix(fix.label, tuple(edits))


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Findings in source order."""
    if not ctx.uses_torch:
        return
    root = ctx.doc.tree.root_node
    heads = {head for head, full in ctx.imports.items() if ctx.torch_binding(head) is not None}
    for _, match in queries.matches(_HEADS, root):
        head = match["head"][0]
        if ctx.doc.node_text(head) not in heads:
            continue
        finding = _chain_findings(ctx, match["attr"][0], head)
        if finding is not None:
            yield finding
    for statement in queries.captures(_FROM_IMPORTS, root, "s"):
        yield from _import_findings(ctx, statement)


RULE = Rule(
    code=CODE,
    note_id=NOTE_ID,
    severity=Severity.ERROR,
    summary="a name that does not exist on a torch module or class (did you mean …?)",
    check=check,
    messages=(MESSAGE_SUGGEST, MESSAGE_MISSING, FIX_RENAME, FIX_IMPORT_AS),
)
