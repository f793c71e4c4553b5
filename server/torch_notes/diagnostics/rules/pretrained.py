"""``models.resnet18(pretrained=True)``: the keyword torchvision 0.13 deprecated.

From note ``models.torchvision_weights`` (its ``deprecated`` field gives the version, the
replacement and the message). Only calls that resolve to a torchvision model builder
(``torchvision.models[.<task>].<builder>`` or ``get_model``) are judged; ``timm`` and
other libraries with their own ``pretrained=`` are not torchvision's.
The fix is mechanical: ``pretrained=True`` → ``weights="DEFAULT"``, ``pretrained=False``
→ ``weights=None``, ``pretrained=<expr>`` → ``weights="DEFAULT" if <expr> else None``
(exactly what torchvision's legacy handling does).
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON
from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Diagnostic, Edit, Fix, Severity, Span
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext

CODE = "deprecated-api"
NOTE_ID = "models.torchvision_weights"
MESSAGE = f"{CODE}.message.pretrained"
MESSAGE_NOTE = f"{CODE}.message.note-only"
FIX_REPLACE = f"{CODE}.fix.replace"

_KEYWORD_CALLS = Query(
    PYTHON,
    """(call function: (_) @function
             arguments: (argument_list
                 (keyword_argument name: (identifier) @kw (#eq? @kw "pretrained")
                                   value: (_) @value))) @call""",
)


def is_model_builder(full: str) -> bool:
    """``torchvision.models.resnet18``, ``torchvision.models.detection.fasterrcnn_…``."""
    if not full.startswith("torchvision.models."):
        return False
    name = full.rpartition(".")[2]
    return name[:1].islower() and not name.startswith("_")


def _replacement(ctx: RuleContext, value) -> str:
    text = ctx.doc.node_text(value)
    if text == "True":
        return 'weights="DEFAULT"'
    if text == "False":
        return "weights=None"
    if syntax.unwrap_parens(value).type in ("conditional_expression", "lambda"):
        text = f"({text})"
    return f'weights="DEFAULT" if {text} else None'


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """One finding per ``pretrained=`` passed to a torchvision model builder."""
    if not ctx.uses_torch:
        return
    note = ctx.index.by_id.get(NOTE_ID)
    since = note.deprecated.since if note is not None and note.deprecated else "0.13"
    extra = note.deprecated.message if note is not None and note.deprecated else None
    message = (
        Message.of(MESSAGE, since=since) if extra is None else Message.of(MESSAGE_NOTE, note=extra)
    )
    for _, match in queries.matches(_KEYWORD_CALLS, ctx.doc.tree.root_node):
        call, function = match["call"][0], match["function"][0]
        full = ctx.resolve(function)
        if full is None or not is_model_builder(full):
            continue
        keyword = match["kw"][0]
        argument = keyword.parent
        _, keywords = syntax.call_arguments(call)
        fixes: tuple[Fix, ...] = ()
        if "weights" not in keywords and argument is not None:
            new = _replacement(ctx, match["value"][0])
            label = Message.of(FIX_REPLACE, replacement=new)
            fixes = (Fix(label, (Edit(Span.of(argument), new),)),)
        yield Diagnostic(
            rule=CODE,
            severity=RULE.severity,
            text=message,
            span=Span.of(keyword),
            note_id=NOTE_ID,
            fixes=fixes,
            deprecated=True,
        )


RULE = Rule(
    code=CODE,
    note_id=NOTE_ID,
    severity=Severity.WARNING,
    summary="`pretrained=` in torchvision model builders (→ `weights=`)",
    check=check,
    messages=(MESSAGE, MESSAGE_NOTE, FIX_REPLACE),
)
