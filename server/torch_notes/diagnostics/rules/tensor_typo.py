"""``torch.rand(2, 3).repeate(2, 1)``: a misspelt Tensor method on a certain tensor.

Only where the receiver is certainly a tensor (:mod:`torch_notes.diagnostics.tensors`) and
the name is one edit away from a real ``torch.Tensor`` member of the shipped inventory.
The finding links to the note of the member it suggests, else to a note naming the typo.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON
from torch_notes.diagnostics.inventory import suggest
from torch_notes.diagnostics.links import note_for_symbol, note_mentioning
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Diagnostic, Edit, Fix, Severity, Span
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.tensors import oracle_for

CODE = "tensor-method-typo"
NOTE_ID = None  # each finding links to the note of the method it suggests
TENSOR = "torch.Tensor"
MESSAGE = f"{CODE}.message"
FIX_RENAME = f"{CODE}.fix.rename"

_MEMBERS = Query(PYTHON, "(attribute object: (_) @receiver attribute: (identifier) @name)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Findings in source order."""
    if not ctx.uses_torch:
        return
    members = ctx.inventory.classes.get(TENSOR)
    if not members:
        return
    oracle = oracle_for(ctx)
    guesses: dict[str, str | None] = {}
    for _, match in queries.matches(_MEMBERS, ctx.doc.tree.root_node):
        name_node = match["name"][0]
        name = ctx.doc.node_text(name_node)
        if name in members or name.startswith("_") or name in ctx.attribute_targets:
            continue
        if name in ctx.string_words:
            continue
        if name not in guesses:  # cheap and shared per name: asked before the receiver's type
            guesses[name] = suggest(name, members)
        guess = guesses[name]
        if guess is None or not oracle.is_tensor(match["receiver"][0]):
            continue
        note = note_for_symbol(ctx.index, f"{TENSOR}.{guess}") or note_mentioning(
            ctx.index, f"{TENSOR}.{name}"
        )
        yield Diagnostic(
            rule=CODE,
            severity=RULE.severity,
            text=Message.of(MESSAGE, name=name, guess=guess),
            span=Span.of(name_node),
            note_id=note,
            fixes=(Fix(Message.of(FIX_RENAME, guess=guess), (Edit(Span.of(name_node), guess),)),),
        )


RULE = Rule(
    code=CODE,
    note_id=NOTE_ID,
    severity=Severity.ERROR,
    summary="a misspelt Tensor method where the receiver is certainly a tensor",
    check=check,
    messages=(MESSAGE, FIX_RENAME),
)
