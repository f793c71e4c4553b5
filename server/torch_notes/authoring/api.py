"""Does torch have a symbol? Asked of the shipped API inventory (``data/torch_api.json``).

The inventory lists the public names of some modules and classes of one torch release
(``torch``, ``torch.nn``, ``torch.Tensor``, ...). A symbol is walked from its root: every
name below a listed module or class must be listed there. Past the listed part (a name
in ``torchvision``, a method of ``torch.nn.Linear``) nothing can be said: *unchecked*.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.inventory import ApiInventory, suggest

EXISTS, MISSING, UNCHECKED = "exists", "missing", "unchecked"
ROOTS: tuple[str, ...] = ("torch", "torchvision")
"""The packages a note's symbols may name (``SYMBOL`` in the note parser)."""


@dataclass(frozen=True, slots=True)
class SymbolCheck:
    """What the inventory says about one symbol."""

    status: str
    """:data:`EXISTS`, :data:`MISSING` or :data:`UNCHECKED`."""
    parent: str = ""
    """For a missing symbol: the listed module or class that lacks ``name``."""
    name: str = ""
    suggestion: str | None = None
    """For a missing symbol: the listed name it probably meant (full symbol)."""


def check_symbol(symbol: str, inventory: ApiInventory) -> SymbolCheck:
    """Walk ``symbol`` down the inventory (names with a leading ``_`` are not listed: unchecked)."""
    parts = symbol.split(".")
    prefix = parts[0]
    for depth, part in enumerate(parts[1:], start=1):
        members = inventory.members(prefix)
        if members is None or part.startswith("_"):  # the inventory lists public names only
            return SymbolCheck(UNCHECKED)
        if part not in members:
            guess = suggest(part, members)
            full = ".".join([prefix, guess, *parts[depth + 1 :]]) if guess else None
            return SymbolCheck(MISSING, prefix, part, full)
        prefix = f"{prefix}.{part}"
    return SymbolCheck(EXISTS if inventory.members(parts[0]) is not None else UNCHECKED)


def covered(inventory: ApiInventory) -> tuple[str, ...]:
    """The modules and classes the inventory lists, sorted."""
    return tuple(sorted({*inventory.modules, *inventory.classes}))


@dataclass(frozen=True, slots=True)
class Child:
    """A name below a dotted parent, for completion."""

    name: str
    kind: str
    """``module``, ``class``, ``function`` (any other lower-case name) or ``member``."""


def children(parent: str, inventory: ApiInventory, index: CorpusIndex) -> list[Child]:
    """Names directly below ``parent``: the inventory's and those on the way to noted symbols."""
    names = set(inventory.members(parent) or ()) | set(index.children(parent))
    found = []
    for name in sorted(names):
        if name.startswith("_"):
            continue
        full = f"{parent}.{name}"
        if full in inventory.modules:
            kind = "module"
        elif full in inventory.classes or name[:1].isupper():
            kind = "class"
        elif parent in inventory.classes or parent.rpartition(".")[2][:1].isupper():
            kind = "member"
        else:
            kind = "function"
        found.append(Child(name, kind))
    return found
