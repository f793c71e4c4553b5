"""Check a note's ``requires`` tags on this machine. Imported by workers only (it imports torch)."""

from __future__ import annotations

import importlib


def unmet_reason(tag: str) -> str | None:
    """Why ``tag`` is not met here (``needs cuda (...)``), or ``None`` when it is."""
    if tag in ("torchvision", "matplotlib"):
        try:
            importlib.import_module(tag)
        except Exception as err:  # an ImportError, or a broken install
            return f"needs {tag} ({tag} cannot be imported: {type(err).__name__}: {err})"
        return None
    import torch

    if tag == "cuda":
        if not torch.cuda.is_available():
            return "needs cuda (torch.cuda.is_available() is False)"
        return None
    if tag == "multi_gpu":
        count = torch.cuda.device_count()
        if count < 2:
            return f"needs multi_gpu (torch.cuda.device_count() is {count}, not >= 2)"
        return None
    raise ValueError(f"unknown requires tag {tag!r}")


class RequirementChecker:
    """Caches :func:`unmet_reason` per tag for the life of one worker."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def first_unmet(self, tags: list[str]) -> str | None:
        """The reason for the first unmet tag, or ``None`` when all are met."""
        for tag in tags:
            if tag not in self._known:
                self._known[tag] = unmet_reason(tag)
            if self._known[tag] is not None:
                return self._known[tag]
        return None
