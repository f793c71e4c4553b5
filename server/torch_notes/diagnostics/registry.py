"""Every rule, and running them over a document."""

from __future__ import annotations

from collections.abc import Iterable

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.pause import pause
from torch_notes.corpus.index import CorpusIndex
from torch_notes.diagnostics.inventory import ApiInventory
from torch_notes.diagnostics.model import Diagnostic
from torch_notes.diagnostics.rule import Rule
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.diagnostics.rules import (
    deprecated_api,
    pretrained,
    tensor_typo,
    unknown_attr,
    view_after_transpose,
)

RULES: tuple[Rule, ...] = (
    view_after_transpose.RULE,
    unknown_attr.RULE,
    deprecated_api.RULE,
    pretrained.RULE,
    tensor_typo.RULE,
)
RULE_CODES: tuple[str, ...] = tuple(dict.fromkeys(rule.code for rule in RULES))
"""The stable codes, each once, in a fixed order (settings accept these)."""


def run_rules(ctx: RuleContext, rules: Iterable[Rule] = RULES) -> tuple[Diagnostic, ...]:
    """Every finding of ``rules`` in ``ctx``, sorted by position, duplicates removed."""
    found: dict[tuple, Diagnostic] = {}
    for rule in rules:
        pause()
        for diagnostic in rule.check(ctx):
            found.setdefault((diagnostic.span, diagnostic.rule, diagnostic.text), diagnostic)
    return tuple(sorted(found.values(), key=lambda d: (d.span, d.rule)))


def check_document(
    doc: SourceDocument,
    index: CorpusIndex,
    *,
    imports: dict[str, str] | None = None,
    inventory: ApiInventory | None = None,
) -> tuple[Diagnostic, ...]:
    """Run every rule over one parsed document."""
    return run_rules(RuleContext.build(doc, index, imports=imports, inventory=inventory))


def check_source(text: str, index: CorpusIndex) -> tuple[Diagnostic, ...]:
    """Parse ``text`` and run every rule (columns of the spans are UTF-8 bytes)."""
    return check_document(SourceDocument.parse(text), index)
