"""The ``torchNotes.*`` settings: defaults (the one source of truth) and parsing.

The VS Code extension's ``package.json`` declares the same keys and defaults; a
test compares the two.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

SECTION = "torchNotes"
"""The ``workspace/configuration`` section."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "language": "auto",
    "extraPaths": [],
    "hover.enable": True,
    "completion.snippets": True,
    "completion.members": "auto",
    "codeActions.snippets": "auto",
    "diagnostics.enable": True,
    "diagnostics.severity": {},
    "validation.python": "",
    "validation.onSave": True,
    "trace.server": "off",
}
"""Every setting below ``torchNotes.`` with its default, keyed as in ``package.json``."""

LANGUAGES = ("auto", "en", "zh")
TRACE_VALUES = ("off", "messages", "verbose")
SWITCH_VALUES = ("auto", "on", "off")
"""``auto`` lets the server decide from what the client is (see :class:`ClientHints`)."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    """Parsed settings; construct with :meth:`from_json`."""

    language: str = DEFAULT_SETTINGS["language"]
    extra_paths: tuple[str, ...] = tuple(DEFAULT_SETTINGS["extraPaths"])
    hover_enable: bool = DEFAULT_SETTINGS["hover.enable"]
    completion_snippets: bool = DEFAULT_SETTINGS["completion.snippets"]
    completion_members: str = DEFAULT_SETTINGS["completion.members"]
    """Member completions after ``torch.``, ``x.``: ``auto`` is off beside another Python server."""
    code_action_snippets: str = DEFAULT_SETTINGS["codeActions.snippets"]
    """"Insert PyTorch snippet" code actions: ``auto`` is off where the client has a palette."""
    diagnostics_enable: bool = DEFAULT_SETTINGS["diagnostics.enable"]
    diagnostics_severity: tuple[tuple[str, str], ...] = ()
    """Rule code → severity name or ``"off"``; the diagnostics feature validates the entries."""
    validation_python: str = DEFAULT_SETTINGS["validation.python"]
    """Interpreter with torch that runs note examples on save (empty: no validation on save)."""
    validation_on_save: bool = DEFAULT_SETTINGS["validation.onSave"]
    trace_server: str = DEFAULT_SETTINGS["trace.server"]

    @classmethod
    def from_json(cls, raw: Any) -> Settings:
        """Settings from a client's JSON, nested (``{"hover": {"enable": false}}``) or dotted.

        Unknown keys are ignored; a value of the wrong type falls back to its default,
        with a warning in the log.
        """
        flat = _flatten(raw) if isinstance(raw, dict) else {}

        def get(key: str, valid) -> Any:
            value = flat.get(key, DEFAULT_SETTINGS[key])
            if valid(value):
                return value
            logger.warning("ignoring %s.%s = %r (invalid)", SECTION, key, value)
            return DEFAULT_SETTINGS[key]

        paths = get(
            "extraPaths", lambda v: isinstance(v, list) and all(isinstance(p, str) for p in v)
        )
        return cls(
            language=get("language", lambda v: v in LANGUAGES),
            extra_paths=tuple(paths),
            hover_enable=get("hover.enable", lambda v: isinstance(v, bool)),
            completion_snippets=get("completion.snippets", lambda v: isinstance(v, bool)),
            completion_members=get("completion.members", lambda v: v in SWITCH_VALUES),
            code_action_snippets=get("codeActions.snippets", lambda v: v in SWITCH_VALUES),
            diagnostics_enable=get("diagnostics.enable", lambda v: isinstance(v, bool)),
            diagnostics_severity=tuple(
                sorted(get("diagnostics.severity", lambda v: isinstance(v, dict)).items())
            ),
            validation_python=get("validation.python", lambda v: isinstance(v, str)).strip(),
            validation_on_save=get("validation.onSave", lambda v: isinstance(v, bool)),
            trace_server=get("trace.server", lambda v: v in TRACE_VALUES),
        )


def _flatten(raw: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"hover": {"enable": x}}`` → ``{"hover.enable": x}``; dotted keys are kept."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in DEFAULT_SETTINGS:
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat
