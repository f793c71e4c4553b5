"""Write a torch API name the way the document can reach it (``th.linalg.vector_norm``)."""

from __future__ import annotations

from torch_notes.diagnostics.rule_context import RuleContext


def spell(ctx: RuleContext, symbol: str, prefer: str | None = None) -> str | None:
    """``symbol`` through the document's imports, ``None`` when no import reaches it.

    ``prefer`` (a head name already used at the spot) wins when it reaches the symbol;
    otherwise the import binding the longest prefix of ``symbol``.
    """
    candidates = []
    for head in ctx.imports:
        full = ctx.torch_binding(head)
        if full is None:
            continue
        if symbol == full or symbol.startswith(f"{full}."):
            candidates.append((head != prefer, -len(full), head, full))
    if not candidates:
        return None
    _, _, head, full = min(candidates)
    return head + symbol[len(full) :]
