"""Coverage: the share of torch API references in code whose hover shows a note.

Definitions (``torch-notes coverage``, the README's "Coverage" section and the development
benchmark ``benchmarks/coverage/measure.py`` all use these):

* A **reference** is one occurrence, outside import statements and type annotations
  (``x: torch.Tensor`` names a type, it does not use an API; ``explain`` skips them too), of
  either

  - **a name**: an identifier, or the last name of a dotted chain of names
    (``torch.zeros``, ``nn.Linear``, ``F.relu``, ``DataLoader``, ``torch.float32``,
    ``torch.distributed.get_rank``), that resolves through the document's imports to a name
    in a torch package (``torch``, ``torchvision``, ``torchaudio``, ``torchtext``) which is
    not a module (``torch.nn`` in ``torch.nn.Linear`` is part of the chain, not a
    reference of its own; a chain counts once, at its last name) nor internal (its last
    part starts with ``_``: ``torch._C._jit_set_profiling_mode``, ``torch.__version__``); or
  - **a method call**: ``receiver.name(...)`` where ``name`` is a method of
    ``torch.Tensor``, ``torch.nn.Module`` or ``torch.optim.Optimizer`` in the shipped API
    inventory (``data/torch_api.json``) that the resolver resolves: on a receiver it knows
    to be a tensor, module or optimizer, by that class's methods; never on one it knows to
    be something else (a string, a NumPy array, a ``torch.device``, ``self.name`` where the
    class defines ``name``, ...); on a receiver nothing is known about, only for the method
    names that give a torch object away (:mod:`torch_notes.analysis.distinctive_members`).

  Both are decided by the resolver the hover uses (:mod:`torch_notes.analysis.resolve`),
  asked about the torch API instead of the notes: whatever makes the resolver smarter
  (scopes, reassignment, receiver kinds) changes what counts here too.
* A **hit** is a reference whose hover shows a note: :func:`~torch_notes.features.hover.
  hover_notes` at the reference's name finds at least one note. Computed hovers alone (the
  convolution output-size table) do not count.
* The **share** is hits / references, in a document or summed over documents.

Works on an :class:`~torch_notes.analysis.analysis.Analysis` (one parsed document), so any
source that yields a document (a ``.py`` file today, notebook cells later) can be measured.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.expressions import dotted_chain
from torch_notes.analysis.positions import UTF32
from torch_notes.analysis.resolve import in_annotation, resolve_node
from torch_notes.corpus.index import TORCH_ROOTS, CorpusIndex, is_torch_name
from torch_notes.diagnostics.inventory import ApiInventory, load_inventory
from torch_notes.features.hover import hover_notes

METHOD_CLASSES: tuple[str, ...] = ("torch.Tensor", "torch.nn.Module", "torch.optim.Optimizer")
"""Classes whose methods count as references when called on a receiver."""

NAME, METHOD = "name", "method"
"""The two kinds of reference."""

_IDENTIFIERS = Query(PYTHON, "(identifier) @name")
_MODULE_IMPORTS = Query(PYTHON, "(import_statement) @import")


@dataclass(frozen=True, slots=True)
class ApiVocabulary:
    """The torch API as a resolver vocabulary (see the module docstring for what counts)."""

    modules: frozenset[str]
    """Dotted names known to be modules: they are never references themselves."""
    methods: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Method name → its full symbols on :data:`METHOD_CLASSES`, in that order."""

    @classmethod
    def from_inventory(cls, inventory: ApiInventory) -> ApiVocabulary:
        """Modules and the methods of :data:`METHOD_CLASSES` from the shipped inventory."""
        methods: dict[str, list[str]] = {}
        for owner in METHOD_CLASSES:
            for name in sorted(inventory.classes.get(owner, ())):
                if not name.startswith("_"):
                    methods.setdefault(name, []).append(f"{owner}.{name}")
        return cls(
            modules=frozenset(TORCH_ROOTS) | frozenset(inventory.modules),
            methods={name: tuple(symbols) for name, symbols in methods.items()},
        )

    @classmethod
    def shipped(cls) -> ApiVocabulary:
        """From the inventory shipped with the server."""
        return cls.from_inventory(load_inventory())

    def with_modules(self, extra: Iterable[str]) -> ApiVocabulary:
        """The same vocabulary, also treating ``extra`` as modules."""
        return ApiVocabulary(self.modules | frozenset(extra), self.methods)

    def knows(self, symbol: str) -> bool:
        """Whether ``symbol`` is a torch name that is neither a module nor internal."""
        return (
            is_torch_name(symbol)
            and symbol not in self.modules
            and not symbol.rpartition(".")[2].startswith("_")
        )

    def method_symbols(self, name: str) -> tuple[str, ...]:
        """The inventory's methods called ``name`` on :data:`METHOD_CLASSES`."""
        return self.methods.get(name, ())


@dataclass(frozen=True, slots=True)
class Reference:
    """One torch API reference: where (0-based row, byte column of its name), what, hit or not."""

    row: int
    column: int
    symbol: str
    """The resolved symbol, likeliest first (``torch.nn.Linear``, ``torch.Tensor.view``)."""
    kind: str
    """:data:`NAME` or :data:`METHOD`."""
    hit: bool
    notes: tuple[str, ...] = ()
    """Ids of the notes its hover shows (empty for a miss)."""


def module_names(analysis: Analysis, walked: Iterable[str] = ()) -> frozenset[str]:
    """Dotted names the document shows to be modules, beyond the inventory's.

    ``import a.b`` and ``import a.b as c`` import modules (``a``, ``a.b``); and a torch name
    in lower case that the document walks into (``transforms`` in ``transforms.Compose``
    after ``from torchvision import transforms``, ``torch.backends`` in
    ``torch.backends.mps.is_available()``) is a module: classes are capitalised, and
    functions are called, not walked into. ``walked`` are the full names walked into.
    """
    found: set[str] = set()
    doc = analysis.doc
    for statement in queries.captures(_MODULE_IMPORTS, doc.tree.root_node, "import"):
        for name in statement.children_by_field_name("name"):
            target = name.child_by_field_name("name") if name.type == "aliased_import" else name
            if target is None or target.type != "dotted_name":
                continue
            parts = doc.node_text(target).replace(" ", "").split(".")
            found.update(".".join(parts[: depth + 1]) for depth in range(len(parts)))
    found.update(name for name in walked if name.rpartition(".")[2][:1].islower())
    return frozenset(found)


def _walked_into(analysis: Analysis, node: Node) -> str | None:
    """The full name of ``node``'s chain when a further ``.name`` follows it, else ``None``.

    ``torch.backends`` for the ``backends`` of ``torch.backends.mps``; ``torchvision.
    transforms`` for ``transforms`` in ``transforms.Compose``.
    """
    parent = node.parent
    expression = node
    if (
        parent is not None
        and parent.type == "attribute"
        and parent.child_by_field_name("attribute") == node
    ):
        expression = parent
    outer = expression.parent
    if outer is None or outer.type != "attribute":
        return None
    if outer.child_by_field_name("object") != expression:
        return None
    chain = dotted_chain(analysis.doc, expression)
    if chain is None:
        return None
    head, _, rest = chain.partition(".")
    bound = analysis.imports.get(head)
    if bound is None:
        return None
    return bound + (f".{rest}" if rest else "")


def _expression_of(node: Node) -> Node | None:
    """The expression a name ends (the attribute it is the last part of, or itself).

    ``None`` for names that only start or continue a longer expression (``torch`` in
    ``torch.zeros``, ``nn`` in ``torch.nn.Linear``): the reference, if any, is at its end.
    """
    parent = node.parent
    expression = node
    if parent is not None and parent.type == "attribute":
        if parent.child_by_field_name("attribute") != node:
            return None
        expression = parent
    outer = expression.parent
    if (
        outer is not None
        and outer.type == "attribute"
        and outer.child_by_field_name("object") == expression
    ):
        return None
    return expression


def _is_called(expression: Node) -> bool:
    parent = expression.parent
    return (
        parent is not None
        and parent.type == "call"
        and parent.child_by_field_name("function") == expression
    )


def references(analysis: Analysis, index: CorpusIndex, api: ApiVocabulary) -> tuple[Reference, ...]:
    """Every torch API reference of the document, in source order, each marked hit or miss."""
    doc, imports = analysis.doc, analysis.imports
    captured = sorted(
        queries.captures(_IDENTIFIERS, doc.tree.root_node, "name"), key=lambda n: n.start_byte
    )
    walked = {name for node in captured if (name := _walked_into(analysis, node)) is not None}
    vocabulary = api.with_modules(module_names(analysis, walked))
    found: list[Reference] = []
    for node in captured:
        parent = node.parent
        if parent is None or parent.type in ("dotted_name", "aliased_import"):
            continue  # inside an import statement
        if in_annotation(node):
            continue
        expression = _expression_of(node)
        if expression is None:
            continue
        chain = dotted_chain(doc, expression)
        kind = NAME if chain is not None and chain.partition(".")[0] in imports else METHOD
        if kind == METHOD and (expression is node or not _is_called(expression)):
            continue
        resolution = resolve_node(analysis, node, vocabulary)
        if resolution is None or not resolution.symbols:
            continue
        shown = hover_notes(analysis, node.start_point, index)
        notes = tuple(note.id for note in shown.notes) if shown is not None else ()
        row, column = node.start_point
        found.append(Reference(row, column, resolution.symbols[0], kind, bool(notes), notes))
    return tuple(found)


def source_references(source: str, index: CorpusIndex, api: ApiVocabulary) -> tuple[Reference, ...]:
    """:func:`references` of Python source text (columns of the result count bytes)."""
    return references(Analysis.of(SourceDocument.parse(source, encoding=UTF32)), index, api)


@dataclass(frozen=True, slots=True)
class Tally:
    """References and hits, in total and per kind, and the symbols missed and hit."""

    references: int = 0
    hits: int = 0
    by_kind: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Kind → (references, hits)."""
    missed: Counter[str] = field(default_factory=Counter)
    """Symbol → references to it without a note."""
    covered: Counter[str] = field(default_factory=Counter)
    """Symbol → references to it with a note."""

    @classmethod
    def of(cls, refs: Iterable[Reference]) -> Tally:
        """The tally of some references."""
        references = hits = 0
        by_kind: dict[str, list[int]] = {}
        missed: Counter[str] = Counter()
        covered: Counter[str] = Counter()
        for ref in refs:
            references += 1
            counts = by_kind.setdefault(ref.kind, [0, 0])
            counts[0] += 1
            if ref.hit:
                hits += 1
                counts[1] += 1
                covered[ref.symbol] += 1
            else:
                missed[ref.symbol] += 1
        return cls(
            references,
            hits,
            {kind: (total, hit) for kind, (total, hit) in sorted(by_kind.items())},
            missed,
            covered,
        )

    def __add__(self, other: Tally) -> Tally:
        by_kind: dict[str, tuple[int, int]] = {}
        for kind in sorted(set(self.by_kind) | set(other.by_kind)):
            mine, theirs = self.by_kind.get(kind, (0, 0)), other.by_kind.get(kind, (0, 0))
            by_kind[kind] = (mine[0] + theirs[0], mine[1] + theirs[1])
        return Tally(
            self.references + other.references,
            self.hits + other.hits,
            by_kind,
            self.missed + other.missed,
            self.covered + other.covered,
        )

    @property
    def share(self) -> float | None:
        """Hits / references, ``None`` without references."""
        return self.hits / self.references if self.references else None

    def top_missed(self, count: int) -> list[tuple[str, int]]:
        """The ``count`` symbols missed most often, most frequent first (ties by name)."""
        return sorted(self.missed.items(), key=lambda item: (-item[1], item[0]))[:count]

    def as_dict(self, top: int) -> dict[str, object]:
        """A JSON-ready summary with the ``top`` most frequent missed symbols."""
        return {
            "references": self.references,
            "hits": self.hits,
            "share": None if self.share is None else round(self.share, 4),
            "by_kind": {
                kind: {"references": total, "hits": hit}
                for kind, (total, hit) in self.by_kind.items()
            },
            "distinct_symbols": len(set(self.missed) | set(self.covered)),
            "distinct_symbols_hit": len(self.covered),
            "top_missed": [{"symbol": s, "count": n} for s, n in self.top_missed(top)],
        }


def percent(share: float | None) -> str:
    """``87.5 %``, or ``-`` without references."""
    return "-" if share is None else f"{100 * share:.1f} %"
