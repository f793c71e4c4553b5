"""What an expression evidently evaluates to, as far as resolution cares: the abstract values.

A :class:`Value` is one of

* **torch**: an instance of a torch class (``what`` names it: ``torch.Tensor``,
  ``torch.nn.Module``, ``torch.optim.Optimizer``, ``torch.device``, …). ``certain`` marks
  proof (``torch.zeros(3)``, a tensor method of a certain tensor); without it the value is
  the likely one (a module's call result, a parameter annotated ``torch.Tensor``).
* **foreign**: provably not a torch object (``what``: ``str``, ``number``, ``list``,
  ``numpy``, ``pandas``, ``PIL``, …). *Value* families answer with foreign values all the
  way down (``arr.T.sum()``); *containers* (``list``, ``dict``, ``tuple``, ``set``,
  ``iterator``) hold anything, so what comes out of them is unknown unless ``element`` says.
* **unknown**: no evidence either way (local project code, most parameters, attributes).
* **import**: a name an import binds, or a dotted chain below one (``what`` is the full
  dotted name: ``torch.nn.functional``, ``numpy.linalg``, ``model.Transformer``).
* **class** / **function** / **instance**: a class or function defined in the document, and
  an instance of such a class (``node`` is the definition; ``what`` the torch class it
  derives from, if any: an instance of ``class Net(nn.Module)`` joins ``nn.Linear(…)`` as a
  module).
* **none** (``None``) and **unbound** (no binding on this path): both vanish in joins, since
  a method called on them never runs.
* **tuple**: a tuple of known ``items`` (``return x, y``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

TORCH, FOREIGN, UNKNOWN, IMPORT = "torch", "foreign", "unknown", "import"
CLASS, FUNCTION, INSTANCE = "class", "function", "instance"
NONE, UNBOUND, TUPLE = "none", "unbound", "tuple"

TENSOR_CLASS = "torch.Tensor"
MODULE_CLASS = "torch.nn.Module"
OPTIMIZER_CLASS = "torch.optim.Optimizer"

FRAMEWORK = "framework"
"""The foreign family of a torch-based library's own objects (``Fabric``, ``Trainer``): not
torch objects themselves, but what their methods return may be (``fabric.setup(model)``)."""

CONTAINERS = frozenset({"list", "dict", "tuple", "set", "iterator", "mixed", FRAMEWORK})
"""Foreign families whose elements may be anything (torch objects included)."""


@dataclass(frozen=True, slots=True)
class Value:
    """One abstract value (see the module docstring)."""

    kind: str
    what: str = ""
    certain: bool = False
    node: Node | None = None
    items: tuple[Value, ...] = ()
    element: Value | None = None
    """What iterating or indexing yields, where known (a list of tensors, a tuple of them)."""

    def is_torch(self, cls: str | None = None) -> bool:
        """Whether this is a torch object (of class ``cls``, when given)."""
        return self.kind == TORCH and (cls is None or self.what == cls)

    @property
    def is_tensor(self) -> bool:
        return self.kind == TORCH and self.what == TENSOR_CLASS

    @property
    def is_container(self) -> bool:
        return self.kind == FOREIGN and self.what in CONTAINERS


def torch_value(cls: str, certain: bool = False) -> Value:
    """An instance of the torch class ``cls``."""
    return Value(TORCH, cls, certain)


def foreign(what: str, element: Value | None = None) -> Value:
    """A value that is provably not torch's, of family ``what``."""
    return Value(FOREIGN, what, element=element)


UNKNOWN_VALUE = Value(UNKNOWN)
NONE_VALUE = Value(NONE)
UNBOUND_VALUE = Value(UNBOUND)
TENSOR = torch_value(TENSOR_CLASS)
CERTAIN_TENSOR = torch_value(TENSOR_CLASS, certain=True)
MODULE = torch_value(MODULE_CLASS)
OPTIMIZER = torch_value(OPTIMIZER_CLASS)


def imported(dotted: str) -> Value:
    """The value of a name bound by an import to ``dotted``."""
    return Value(IMPORT, dotted)


def uncertain(value: Value) -> Value:
    """``value`` without its proof (it went through something that may change it)."""
    if not value.certain:
        return value
    return Value(value.kind, value.what, False, value.node, value.items, value.element)


def join(first: Value, second: Value) -> Value:
    """What a name holds when two paths meet (``if``/``else``, loops, several bindings).

    Unbound and ``None`` vanish; equal values stay; foreign values stay foreign (both
    paths agree it is not torch's); a certain and a likely value of one class give the
    likely one; anything else disagrees and is unknown.
    """
    if first == second:
        return first
    if first.kind in (UNBOUND, NONE):
        return second
    if second.kind in (UNBOUND, NONE):
        return first
    if first.kind != second.kind:
        return _join_instance(first, second)
    kind = first.kind
    if kind == FOREIGN:
        if first.what == second.what:
            element = _join_elements(first.element, second.element)
            return foreign(first.what, element)
        return foreign("mixed")
    if kind == TUPLE:
        if len(first.items) == len(second.items):
            return Value(TUPLE, items=tuple(map(join, first.items, second.items)))
        return UNKNOWN_VALUE
    if (first.what, first.node) == (second.what, second.node):
        return Value(kind, first.what, first.certain and second.certain, first.node)
    return _join_instance(first, second)


def _join_instance(first: Value, second: Value) -> Value:
    """Instances of local subclasses of one torch class (and that class) join as that class."""
    kinds, what = {first.kind, second.kind}, first.what
    if kinds <= {INSTANCE, TORCH} and what == second.what and what.startswith("torch"):
        return Value(TORCH, what)
    return UNKNOWN_VALUE


def _join_elements(first: Value | None, second: Value | None) -> Value | None:
    if first is None or second is None:
        return None
    return join(first, second)


def join_all(values: list[Value] | tuple[Value, ...]) -> Value:
    """The join of several values (unbound when there are none)."""
    result = UNBOUND_VALUE
    for value in values:
        result = join(result, value)
        if result.kind == UNKNOWN:
            return result
    return result
