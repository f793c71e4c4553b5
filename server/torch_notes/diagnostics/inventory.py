"""The shipped public API of torch (``data/torch_api.json``), loaded once, lazily, without torch."""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from pathlib import Path

INVENTORY_FILE = Path(__file__).resolve().parent.parent / "data" / "torch_api.json"


@dataclass(frozen=True, slots=True)
class ApiInventory:
    """Public names per covered module and class of one torch release."""

    torch_version: str
    modules: dict[str, frozenset[str]]
    classes: dict[str, frozenset[str]]

    @classmethod
    def from_json(cls, data: dict) -> ApiInventory:
        """Build from the JSON layout written by ``torch_notes.validation.api_inventory``."""
        return cls(
            torch_version=str(data.get("torch_version", "")),
            modules={name: frozenset(names) for name, names in data.get("modules", {}).items()},
            classes={name: frozenset(names) for name, names in data.get("classes", {}).items()},
        )

    def members(self, dotted: str) -> frozenset[str] | None:
        """The public names of a covered module or class, ``None`` when not covered."""
        found = self.modules.get(dotted)
        return found if found is not None else self.classes.get(dotted)


@functools.cache
def load_inventory(path: Path = INVENTORY_FILE) -> ApiInventory:
    """The inventory at ``path`` (read once per process)."""
    return ApiInventory.from_json(json.loads(path.read_text(encoding="utf-8")))


def suggest(name: str, candidates: frozenset[str]) -> str | None:
    """The existing name ``name`` was probably meant to be, or ``None``.

    A case-insensitive match wins (``Conv2D`` → ``Conv2d``); otherwise the closest name by
    difflib's ratio, at least 0.8 and at most two characters longer or shorter.
    """
    return _suggester(candidates).suggest(name)


class _Suggester:
    """Candidates of one module or class, bucketed for quick did-you-mean look-ups."""

    def __init__(self, candidates: frozenset[str]) -> None:
        self.folded: dict[str, str] = {}
        for candidate in sorted(candidates, reverse=True):
            self.folded[candidate.casefold()] = candidate
        self.by_length: dict[int, list[str]] = {}
        for candidate in sorted(candidates):
            if not candidate.startswith("_"):
                self.by_length.setdefault(len(candidate), []).append(candidate)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - suggesters live as long as the process
    def suggest(self, name: str) -> str | None:
        same_case = self.folded.get(name.casefold())
        if same_case is not None:
            return same_case
        pool = [c for n in range(len(name) - 2, len(name) + 3) for c in self.by_length.get(n, ())]
        matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.8)
        return matches[0] if matches else None


@functools.lru_cache(maxsize=64)
def _suggester(candidates: frozenset[str]) -> _Suggester:
    return _Suggester(candidates)
