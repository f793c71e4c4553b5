"""Which expressions are *certainly* tensors: precision before recall.

The rules ask the resolver's own receivers (:mod:`torch_notes.analysis.receivers`, the one
code path of hover, ``explain`` and ``coverage``) and accept only *proof*: a certain tensor
is a call of a torch factory (``torch.rand(2, 3)``), a tensor-returning method or property
of a certain tensor (``torch.rand(2, 3).t()``, ``.T``, indexing), or a name whose bindings
reaching the use are all plain assignments of a certain tensor (``x = torch.zeros(3)``),
in the scope where Python looks it up. Likely tensors (a module's output, a parameter
annotated ``torch.Tensor``, a name whose uses give it away) never raise a finding.
"""

from __future__ import annotations

from tree_sitter import Node

from torch_notes.analysis.evidence import FACTORIES, TENSOR_PROPERTIES, TENSOR_TO_TENSOR
from torch_notes.analysis.receivers import Receivers
from torch_notes.diagnostics.rule_context import RuleContext

TENSOR_METHODS = TENSOR_TO_TENSOR
"""``<tensor>.<name>(...)`` always returns one tensor (kept under its old name)."""

__all__ = ["FACTORIES", "TENSOR_METHODS", "TENSOR_PROPERTIES", "TensorOracle", "oracle_for"]


class TensorOracle:
    """Answers "is this expression certainly a tensor?" for one document (memoised).

    It owns its :class:`Receivers`: the rules run in a worker thread, the hover's receivers
    belong to the thread serving requests.
    """

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.receivers = Receivers(ctx.doc)

    def is_tensor(self, node: Node) -> bool:
        """Whether ``node`` certainly evaluates to a tensor.

        A name that only imports bind (``torch`` in ``torch.zeros``) is answered without
        the flow analysis of its scope: an imported value is never a certain tensor.
        """
        if node.type == "identifier" and self._bound_only_by_imports(node):
            return False
        value = self.receivers.value(node)
        return value.is_tensor and value.certain

    def _bound_only_by_imports(self, node: Node) -> bool:
        name = self.ctx.doc.node_text(node)
        return name in self.ctx.imports and name not in self.ctx.rebound


def oracle_for(ctx: RuleContext) -> TensorOracle:
    """The document's shared :class:`TensorOracle` (built on first use)."""
    oracle = ctx.cache.get("tensor_oracle")
    if not isinstance(oracle, TensorOracle):
        oracle = ctx.cache["tensor_oracle"] = TensorOracle(ctx)
    return oracle
