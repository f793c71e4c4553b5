"""Which expressions are *certainly* tensors: precision before recall.

An expression is certainly a tensor when it is a call of a torch factory
(``torch.rand(2, 3)``), a tensor-returning method or property on a certain tensor
(``torch.rand(2, 3).t()``, ``.T``, indexing), or a name every binding of which in the
current scope is a plain assignment of a certain tensor (``x = torch.zeros(3)``).
"""

from __future__ import annotations

from collections import defaultdict

from tree_sitter import Node

from torch_notes.diagnostics import syntax
from torch_notes.diagnostics.rule_context import RuleContext

FACTORIES: frozenset[str] = frozenset(
    {
        "tensor", "as_tensor", "from_numpy", "asarray",
        "zeros", "ones", "empty", "full", "eye",
        "zeros_like", "ones_like", "empty_like", "full_like",
        "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
        "arange", "linspace", "logspace",
        "stack", "cat", "concat", "concatenate", "hstack", "vstack",
    }
)  # fmt: skip
"""``torch.<name>(...)`` always returns one tensor."""

TENSOR_METHODS: frozenset[str] = frozenset(
    {
        "view", "view_as", "reshape", "reshape_as", "t", "transpose", "permute", "contiguous",
        "clone", "detach", "to", "cpu", "float", "double", "half", "bfloat16", "int", "long",
        "short", "bool", "byte", "char", "unsqueeze", "squeeze", "flatten", "expand",
        "expand_as", "repeat", "flip", "roll", "narrow", "index_select", "masked_fill",
        "type_as", "abs", "neg", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
        "softmax", "log_softmax", "sum", "mean", "matmul", "mm", "bmm", "add", "sub", "mul",
        "div", "pow", "clamp", "requires_grad_", "fill_", "zero_", "add_", "mul_", "normal_",
        "uniform_", "movedim", "swapaxes", "swapdims", "tril", "triu", "cumsum", "argmax",
        "argmin",
    }
)  # fmt: skip
"""``<tensor>.<name>(...)`` always returns one tensor."""

TENSOR_PROPERTIES: frozenset[str] = frozenset({"T", "mT", "H", "mH", "data"})
"""``<tensor>.<name>`` is a tensor."""


class TensorOracle:
    """Answers "is this expression certainly a tensor?" for one document (memoised)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self._values: dict[tuple[int, str], list[Node | None]] = defaultdict(list)
        for node in ctx.bindings:
            scope = syntax.scope_of(node)
            name = ctx.doc.node_text(node)
            parent = node.parent
            value = None
            if (
                parent is not None
                and parent.type == "assignment"
                and parent.child_by_field_name("left") == node
            ):
                value = parent.child_by_field_name("right")
            self._values[(scope.id, name)].append(value)
        self._names: dict[tuple[int, str], bool] = {}
        self._declared = frozenset(
            ctx.doc.node_text(node)
            for node in ctx.bindings
            if node.parent is not None
            and node.parent.type in ("global_statement", "nonlocal_statement")
        )

    def is_tensor(self, node: Node) -> bool:
        """Whether ``node`` certainly evaluates to a tensor."""
        node = syntax.unwrap_parens(node)
        kind = node.type
        if kind == "call":
            function = node.child_by_field_name("function")
            if function is None:
                return False
            full = self.ctx.resolve(function)
            if full is not None:
                module, _, name = full.rpartition(".")
                return module == "torch" and name in FACTORIES
            if function.type == "attribute":
                receiver = function.child_by_field_name("object")
                attr = function.child_by_field_name("attribute")
                if receiver is None or attr is None:
                    return False
                if self.ctx.doc.node_text(attr) in TENSOR_METHODS:
                    return self.is_tensor(receiver)
            return False
        if kind == "attribute":
            receiver = node.child_by_field_name("object")
            attr = node.child_by_field_name("attribute")
            if receiver is None or attr is None:
                return False
            return self.ctx.doc.node_text(attr) in TENSOR_PROPERTIES and self.is_tensor(receiver)
        if kind == "subscript":
            value = node.child_by_field_name("value")
            return value is not None and self.is_tensor(value)
        if kind == "identifier":
            return self._name_is_tensor(syntax.scope_of(node), self.ctx.doc.node_text(node))
        return False

    def _name_is_tensor(self, scope: Node, name: str) -> bool:
        key = (scope.id, name)
        if key in self._names:
            return self._names[key]
        self._names[key] = False  # a cycle (x = x.t()) proves nothing
        values = self._values.get(key, [])
        if (scope.type == "module" and self.ctx.wildcard_import) or name in self._declared:
            values = []
        result = bool(values) and name not in self.ctx.imports
        result = result and all(value is not None and self.is_tensor(value) for value in values)
        self._names[key] = result
        return result


def oracle_for(ctx: RuleContext) -> TensorOracle:
    """The document's shared :class:`TensorOracle` (built on first use)."""
    oracle = ctx.cache.get("tensor_oracle")
    if not isinstance(oracle, TensorOracle):
        oracle = ctx.cache["tensor_oracle"] = TensorOracle(ctx)
    return oracle
