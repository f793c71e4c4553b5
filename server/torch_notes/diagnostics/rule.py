"""What a rule is: a code, the note it comes from, a default severity and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from torch_notes.diagnostics.model import Diagnostic, Severity
from torch_notes.diagnostics.rule_context import RuleContext


@dataclass(frozen=True, slots=True)
class Rule:
    """A diagnostic rule and the note it lives beside."""

    code: str
    """Stable code, shown to users and used by settings (``view-after-transpose``)."""
    note_id: str | None
    """The note the rule comes from (data-driven rules take theirs from each finding)."""
    severity: Severity
    summary: str
    check: Callable[[RuleContext], Iterable[Diagnostic]]
    messages: tuple[str, ...] = ()
    """The catalogue keys (:mod:`torch_notes.diagnostics.messages`) of its messages and fixes."""
