"""``diagnostics.enable`` and per-rule severity overrides, applied to findings."""

from __future__ import annotations

from tests.diagnostics_support import check
from torch_notes.diagnostics.model import Severity
from torch_notes.diagnostics.registry import RULE_CODES
from torch_notes.diagnostics.rule_settings import DiagnosticSettings, apply_settings, parse_settings

CODE = "import torch\nx = torch.rand(2, 3)\ny = x.t().view(-1)\nz = torch.arrange(3)\n"


def test_defaults_keep_everything() -> None:
    found = check(CODE)
    assert apply_settings(found, DiagnosticSettings()) == found
    assert [d.rule for d in found] == ["view-after-transpose", "unknown-torch-attr"]


def test_disable_drops_everything() -> None:
    assert apply_settings(check(CODE), DiagnosticSettings(enable=False)) == ()


def test_severity_overrides_and_off() -> None:
    settings, problems = parse_settings(
        True, {"view-after-transpose": "Hint", "unknown-torch-attr": "off"}, RULE_CODES
    )
    assert problems == []
    (only,) = apply_settings(check(CODE), settings)
    assert only.rule == "view-after-transpose" and only.severity is Severity.HINT


def test_bad_values_are_reported_not_raised() -> None:
    settings, problems = parse_settings(
        "yes",
        {"no-such-rule": "error", "deprecated-api": "loud", "tensor-method-typo": 3},
        RULE_CODES,
    )
    assert settings == DiagnosticSettings(enable=True, severity={})
    assert len(problems) == 4
    settings, problems = parse_settings(True, ["error"], RULE_CODES)
    assert settings.severity == {} and len(problems) == 1
    assert parse_settings(True, None, RULE_CODES) == (DiagnosticSettings(), [])
