"""``x.transpose(0, 1).view(-1)``: ``view`` straight on a transposed (non-contiguous) tensor.

From note ``tensor.view_vs_reshape``: ``view`` never copies, so it raises when the strides
left by ``transpose``/``permute``/``t``/``.T``/``.mT`` cannot express the new shape.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON
from torch_notes.corpus.index import is_torch_name
from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.messages import Message
from torch_notes.diagnostics.model import Diagnostic, Edit, Fix, Severity, Span
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext

CODE = "view-after-transpose"
NOTE_ID = "tensor.view_vs_reshape"
MESSAGE = f"{CODE}.message"
FIX_CONTIGUOUS = f"{CODE}.fix.contiguous"
FIX_RESHAPE = f"{CODE}.fix.reshape"

TRANSPOSING_METHODS = frozenset({"transpose", "permute", "t", "swapaxes", "swapdims"})
TRANSPOSING_PROPERTIES = frozenset({"T", "mT", "H", "mH"})
DTYPE_NAMES = frozenset(
    {
        "float", "double", "half", "bfloat16", "int", "long", "short", "bool", "uint8", "int8",
        "int16", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128",
        "cfloat", "cdouble", "dtype", "uint16", "uint32", "uint64",
    }
)  # fmt: skip
"""``view(torch.int32)`` reinterprets the dtype: no shape change, no stride problem."""

_VIEW_CALLS = Query(
    PYTHON,
    """(call function: (attribute object: (_) @receiver
                                  attribute: (identifier) @name (#eq? @name "view"))) @call""",
)
_LITERAL_ROOTS = frozenset(
    {"string", "concatenated_string", "list", "dictionary", "set", "integer"}
)


def _is_integer_literal(node: Node) -> bool:
    node = syntax.unwrap_parens(node)
    if node.type == "unary_operator":
        argument = node.child_by_field_name("argument")
        return argument is not None and argument.type == "integer"
    return node.type == "integer"


def _identity_permutation(ctx: RuleContext, method: str, args: list[Node]) -> bool:
    """``permute(0, 1, 2)`` or ``transpose(1, 1)``: nothing moves."""
    texts = [ctx.doc.node_text(arg).replace(" ", "") for arg in args]
    if method == "permute":
        if len(args) == 1 and syntax.unwrap_parens(args[0]).type in ("tuple", "list"):
            inner = syntax.unwrap_parens(args[0])
            texts = [ctx.doc.node_text(arg) for arg in inner.named_children]
        return texts == [str(i) for i in range(len(texts))] and bool(texts)
    if method in ("transpose", "swapaxes", "swapdims"):
        return len(texts) == 2 and texts[0] == texts[1]
    return False


def _receiver_is_foreign(ctx: RuleContext, node: Node) -> bool:
    """The expression starts from a non-torch import or a literal (``np.transpose(a)``)."""
    root = node
    while True:
        if root.type == "call":
            inner = root.child_by_field_name("function")
        elif root.type == "attribute":
            inner = root.child_by_field_name("object")
        elif root.type in ("subscript", "parenthesized_expression"):
            inner = root.child_by_field_name("value") or (
                root.named_children[0] if root.named_children else None
            )
        else:
            break
        if inner is None:
            break
        root = inner
    if root.type in _LITERAL_ROOTS:
        return True
    if root.type == "identifier":
        bound = ctx.imports.get(ctx.doc.node_text(root))
        return bound is not None and not is_torch_name(bound)
    return False


def _transposing(ctx: RuleContext, node: Node) -> str | None:
    """The transposing operation ``node`` ends with (``"transpose"``, ``".T"``), else ``None``."""
    node = syntax.unwrap_parens(node)
    if node.type == "attribute":
        attr = node.child_by_field_name("attribute")
        name = ctx.doc.node_text(attr) if attr is not None else ""
        receiver = node.child_by_field_name("object")
        if name not in TRANSPOSING_PROPERTIES or receiver is None:
            return None
        return None if _receiver_is_foreign(ctx, receiver) else f".{name}"
    if node.type != "call":
        return None
    function = node.child_by_field_name("function")
    if function is None or syntax.has_splat(node):
        return None
    positional, keywords = syntax.call_arguments(node)
    full = ctx.resolve(function)
    if full is not None:  # torch.transpose(x, 0, 1), from torch import permute
        module, _, name = full.rpartition(".")
        if module != "torch" or name not in TRANSPOSING_METHODS or not positional:
            return None
        return None if _identity_permutation(ctx, name, positional[1:]) else name
    if function.type != "attribute":
        return None
    attr = function.child_by_field_name("attribute")
    name = ctx.doc.node_text(attr) if attr is not None else ""
    if name not in TRANSPOSING_METHODS or (keywords and name == "t"):
        return None
    if name == "t" and positional:
        return None
    if name != "t" and not positional and not keywords:
        return None  # ndarray.transpose() / DataFrame.transpose(): not torch's signature
    if _identity_permutation(ctx, name, positional):
        return None
    receiver = function.child_by_field_name("object")
    if receiver is None or _receiver_is_foreign(ctx, receiver):
        return None
    return name


def _shape_arguments(ctx: RuleContext, call: Node) -> bool:
    """Whether the ``view`` call's arguments are a shape (not a dtype, keyword or string)."""
    positional, keywords = syntax.call_arguments(call)
    if keywords or not positional:
        return False
    for arg in positional:
        arg = syntax.unwrap_parens(arg)
        if arg.type in ("string", "concatenated_string", "keyword_argument"):
            return False
        if arg.type in ("attribute", "identifier"):
            last = arg.child_by_field_name("attribute") if arg.type == "attribute" else arg
            if last is not None and ctx.doc.node_text(last) in DTYPE_NAMES:
                return False
    return (
        len(positional) > 1
        or any(
            _is_integer_literal(arg) or syntax.unwrap_parens(arg).type in ("tuple", "list")
            for arg in positional
        )
        or syntax.unwrap_parens(positional[0]).type in ("call", "binary_operator", "subscript")
    )


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """One warning per ``view`` applied directly to a transposed tensor."""
    doc = ctx.doc
    for _, match in queries.matches(_VIEW_CALLS, doc.tree.root_node):
        call, receiver, name = match["call"][0], match["receiver"][0], match["name"][0]
        operation = _transposing(ctx, receiver)
        if operation is None or not _shape_arguments(ctx, call):
            continue
        shown = operation if operation.startswith(".") else f"{operation}()"
        end = syntax.unwrap_parens(receiver)
        yield Diagnostic(
            rule=CODE,
            severity=RULE.severity,
            text=Message.of(MESSAGE, operation=shown),
            span=Span.of(name),
            note_id=NOTE_ID,
            fixes=(
                Fix(
                    Message.of(FIX_CONTIGUOUS),
                    (Edit(Span.at(end.end_point), ".contiguous()"),),
                ),
                Fix(Message.of(FIX_RESHAPE), (Edit(Span.of(name), "reshape"),)),
            ),
        )


RULE = Rule(
    code=CODE,
    note_id=NOTE_ID,
    severity=Severity.WARNING,
    summary="`view` directly on the result of transpose/permute/t()/.T/.mT",
    check=check,
    messages=(MESSAGE, FIX_CONTIGUOUS, FIX_RESHAPE),
)
