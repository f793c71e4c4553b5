"""Applying the user's settings to findings: ``diagnostics.enable`` and per-rule severities.

``torchNotes.diagnostics.severity`` maps rule codes to ``"error"``, ``"warning"``,
``"information"``, ``"hint"`` or ``"off"``. Parsing never raises: unknown rules and
values are returned as problems for the caller to log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch_notes.diagnostics.model import Diagnostic, Severity

OFF = "off"
SEVERITY_VALUES: tuple[str, ...] = (*(s.value for s in Severity), OFF)

DEFAULTS: dict[str, Any] = {"diagnostics.enable": True, "diagnostics.severity": {}}
"""The settings below ``torchNotes.`` this package reads, with their defaults."""


@dataclass(frozen=True, slots=True)
class DiagnosticSettings:
    """Parsed diagnostic settings."""

    enable: bool = True
    severity: Mapping[str, str] = field(default_factory=dict)
    """Rule code → severity name or ``"off"`` (only valid entries)."""


def parse_settings(
    enable: Any, severity: Any, known_rules: Iterable[str]
) -> tuple[DiagnosticSettings, list[str]]:
    """Valid settings from raw JSON values, and a description of each value ignored."""
    problems: list[str] = []
    if not isinstance(enable, bool):
        problems.append(f"diagnostics.enable = {enable!r} is not a boolean; using true")
        enable = True
    overrides: dict[str, str] = {}
    if not isinstance(severity, Mapping):
        if severity is not None:
            problems.append(f"diagnostics.severity = {severity!r} is not an object; ignored")
        severity = {}
    known = set(known_rules)
    for rule, value in severity.items():
        if rule not in known:
            problems.append(f"diagnostics.severity: unknown rule {rule!r}")
        elif not isinstance(value, str) or value.lower() not in SEVERITY_VALUES:
            problems.append(
                f"diagnostics.severity.{rule} = {value!r}: expected one of "
                + ", ".join(SEVERITY_VALUES)
            )
        else:
            overrides[rule] = value.lower()
    return DiagnosticSettings(enable=enable, severity=overrides), problems


def apply_settings(
    diagnostics: Iterable[Diagnostic], settings: DiagnosticSettings
) -> tuple[Diagnostic, ...]:
    """The findings the user wants, at the severities they asked for."""
    if not settings.enable:
        return ()
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        wanted = settings.severity.get(diagnostic.rule)
        if wanted == OFF:
            continue
        if wanted is not None and wanted != diagnostic.severity.value:
            diagnostic = diagnostic.with_severity(Severity(wanted))
        kept.append(diagnostic)
    return tuple(kept)
