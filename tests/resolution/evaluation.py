"""Measuring resolution against labelled call sites: the sites, the labels, the score.

A **site** is a call ``receiver.name(...)``. It is **positive** when what runs is a method
of a torch tensor, module or optimizer (``x.view(-1)`` on a tensor, ``model.eval()``), and
negative otherwise (``np.transpose(a)``, ``"a,b".split(",")``, ``device.type``,
``dist_autograd.backward(ctx, [loss])``, ``scheduler.step()``). The resolver **predicts**
a site positive when it resolves the name to a member of one of those classes; it is asked
about the torch API itself (:class:`ApiMembers`, from the shipped inventory), not the
notes, so the figures do not move when notes are added.

Labels come two ways:

* inline, in the files of ``tests/resolution/labelled/``: a trailing comment made only of
  ``note``/``none`` words labels every call ``x.name(...)`` on that line, in source order
  (``y = x.t().contiguous()  # note note``). Every call of a tensor, module or optimizer
  method name must sit on a labelled line; a labelled line must have as many calls as labels.
  Attributes that are read, not called, are sites only where the labels say so: once a
  line's labels include a ``.note``/``.none`` word, every read of a tensor, module or
  optimizer member name on it is a site too, labelled in place (``if device.type == "cuda":
  # .none``);
* as a table (``path<TAB>line<TAB>column<TAB>name<TAB>note|none``) for code that is not
  ours (the development corpus, ``benchmarks/bench_resolution.py``).

Used by ``tests/test_resolution.py`` and ``benchmarks/bench_resolution.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Node, Query

from torch_notes.analysis import queries
from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.positions import UTF32
from torch_notes.analysis.resolve import resolve_node
from torch_notes.corpus.index import is_torch_name, owner_class
from torch_notes.diagnostics.inventory import ApiInventory, load_inventory

CLASSES: tuple[str, ...] = ("torch.Tensor", "torch.nn.Module", "torch.optim.Optimizer")
"""The classes whose methods make a site positive."""

LABELS = re.compile(r"#\s*(\.?(?:note|none)(?:\s+\.?(?:note|none))*)\s*$")
_CALLS = Query(PYTHON, "(call function: (attribute attribute: (identifier) @name))")
_READS = Query(PYTHON, "(attribute attribute: (identifier) @name) @attribute")


@dataclass(frozen=True, slots=True)
class ApiMembers:
    """The torch API as a resolution vocabulary: every torch name, the classes' methods."""

    methods: dict[str, tuple[str, ...]]

    @classmethod
    def shipped(cls, inventory: ApiInventory | None = None) -> ApiMembers:
        inventory = inventory or load_inventory()
        methods: dict[str, list[str]] = {}
        for owner in CLASSES:
            for name in sorted(inventory.classes.get(owner, ())):
                if not name.startswith("_"):
                    methods.setdefault(name, []).append(f"{owner}.{name}")
        return cls({name: tuple(symbols) for name, symbols in methods.items()})

    def knows(self, symbol: str) -> bool:
        return is_torch_name(symbol)

    def method_symbols(self, name: str) -> tuple[str, ...]:
        return self.methods.get(name, ())

    def notes_for(self, symbol: str) -> tuple[str, ...]:
        """What older resolvers asked instead of :meth:`knows` (for before/after figures)."""
        return (symbol,) if self.knows(symbol) else ()


@dataclass(frozen=True, slots=True)
class Site:
    """One call ``receiver.name(...)``: 1-based line, 1-based column (characters) of the name."""

    path: str
    line: int
    column: int
    name: str
    predicted: bool
    symbols: tuple[str, ...] = ()
    code: str = ""
    read: bool = False
    """An attribute read, not called (``device.type``)."""


def analyse(text: str) -> Analysis:
    return Analysis.of(SourceDocument.parse(text, encoding=UTF32))


def call_names(analysis: Analysis) -> list[Node]:
    """The name nodes of every ``x.name(...)`` call, in source order.

    Calls still being typed count too: an attribute right before an unclosed ``(``.
    """
    found = queries.captures(_CALLS, analysis.doc.tree.root_node, "name")
    source = analysis.doc.source
    for _, match in queries.matches(_READS, analysis.doc.tree.root_node):
        attribute = match["attribute"][0]
        parent = attribute.parent
        if parent is not None and parent.type == "call":
            continue
        if source[attribute.end_byte : attribute.end_byte + 40].lstrip(b" \t").startswith(b"("):
            found.append(match["name"][0])
    return sorted(found, key=lambda node: node.start_byte)


def predict(analysis: Analysis, name: Node, vocabulary: ApiMembers) -> tuple[str, ...]:
    """The symbols the resolver gives the name; the site is positive when one is a method."""
    resolution = resolve_node(analysis, name, vocabulary)
    return () if resolution is None else resolution.symbols


def is_method(symbols: Iterable[str]) -> bool:
    return any(owner_class(symbol) in CLASSES for symbol in symbols)


def read_names(analysis: Analysis, vocabulary: ApiMembers) -> list[Node]:
    """The name nodes of member-named attributes that are read, not called, in source order."""
    found = []
    for _, match in queries.matches(_READS, analysis.doc.tree.root_node):
        attribute, name = match["attribute"][0], match["name"][0]
        parent = attribute.parent
        if (
            parent is not None
            and parent.type == "call"
            and parent.child_by_field_name("function") == attribute
        ):
            continue
        if vocabulary.method_symbols(analysis.doc.node_text(name)):
            found.append(name)
    return sorted(found, key=lambda node: node.start_byte)


def sites(path: str, text: str, vocabulary: ApiMembers, *, reads: bool = False) -> list[Site]:
    """Every call site of a document with the resolver's prediction (and reads, if asked)."""
    analysis = analyse(text)
    lines = text.split("\n")
    found = []
    nodes = [(node, False) for node in call_names(analysis)]
    if reads:
        nodes += [(node, True) for node in read_names(analysis, vocabulary)]
        nodes.sort(key=lambda pair: pair[0].start_byte)
    for node, read in nodes:
        row = node.start_point[0]
        symbols = predict(analysis, node, vocabulary)
        found.append(
            Site(
                path,
                row + 1,
                analysis.doc.char_index(node.start_point) + 1,
                analysis.doc.node_text(node),
                is_method(symbols),
                symbols,
                lines[row].strip() if row < len(lines) else "",
                read,
            )
        )
    return found


class LabelError(ValueError):
    """A labelled file whose labels do not match its calls (names file and line)."""


def inline_labels(path: str, text: str, vocabulary: ApiMembers) -> list[tuple[Site, bool]]:
    """The sites of a labelled file with their expected outcome (see the module docstring)."""
    by_line: dict[int, list[Site]] = {}
    for site in sites(path, text, vocabulary, reads=True):
        by_line.setdefault(site.line, []).append(site)
    labelled = []
    for number, line in enumerate(text.split("\n"), 1):
        match = LABELS.search(line)
        found = by_line.get(number, [])
        calls = [site for site in found if not site.read]
        if match is None:
            members = [site.name for site in calls if vocabulary.method_symbols(site.name)]
            if members:
                raise LabelError(f"{path}:{number}: unlabelled calls {members}")
            continue
        words = match.group(1).split()
        chosen = found if any(word.startswith(".") for word in words) else calls
        shown = [("." if site.read else "") + site.name for site in chosen]
        if len(words) != len(chosen) or any(
            word.startswith(".") != site.read for word, site in zip(words, chosen, strict=False)
        ):
            raise LabelError(f"{path}:{number}: labels {words} for sites {shown}")
        labelled += [
            (site, word.lstrip(".") == "note") for site, word in zip(chosen, words, strict=True)
        ]
    return labelled


def table_labels(path: Path) -> dict[tuple[str, int, int], tuple[str, bool]]:
    """``(path, line, column) → (name, positive)`` from a label table."""
    found = {}
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not row.strip() or row.startswith("#"):
            continue
        parts = row.split("\t")
        if len(parts) != 5 or parts[4] not in ("note", "none"):
            raise LabelError(f"{path}:{number}: expected path, line, column, name, note|none")
        found[(parts[0], int(parts[1]), int(parts[2]))] = (parts[3], parts[4] == "note")
    return found


@dataclass(slots=True)
class Score:
    """Confusion counts over labelled sites, with the sites got wrong."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    misses: list[Site] = field(default_factory=list)
    """Positive sites the resolver left without a note."""
    false_hits: list[Site] = field(default_factory=list)
    """Negative sites the resolver gave a method note."""

    def add(self, site: Site, positive: bool) -> None:
        if positive and site.predicted:
            self.true_positive += 1
        elif positive:
            self.false_negative += 1
            self.misses.append(site)
        elif site.predicted:
            self.false_positive += 1
            self.false_hits.append(site)
        else:
            self.true_negative += 1

    @property
    def sites(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def recall(self) -> float:
        found = self.true_positive + self.false_negative
        return self.true_positive / found if found else 1.0

    @property
    def precision(self) -> float:
        shown = self.true_positive + self.false_positive
        return self.true_positive / shown if shown else 1.0

    def summary(self) -> str:
        return (
            f"{self.sites} sites ({self.true_positive + self.false_negative} positive): "
            f"recall {100 * self.recall:.1f} %, precision {100 * self.precision:.1f} % "
            f"(tp {self.true_positive}, fn {self.false_negative}, "
            f"fp {self.false_positive}, tn {self.true_negative})"
        )


def score_labelled(
    paths: Iterable[Path], vocabulary: ApiMembers, root: Path | None = None
) -> Score:
    """The score over labelled files (sites named relative to ``root``, when given)."""
    score = Score()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        shown = str(path.relative_to(root)) if root is not None else str(path)
        for site, positive in inline_labels(shown, text, vocabulary):
            score.add(site, positive)
    return score


def listing(found: Iterable[Site]) -> Iterator[str]:
    """``path:line:column name | code`` lines for a report."""
    for site in found:
        yield f"{site.path}:{site.line}:{site.column}: {site.name} | {site.code[:100]}"
