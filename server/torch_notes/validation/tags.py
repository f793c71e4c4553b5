"""Check a note's ``requires`` tags on this machine (imports torch: fork server side only).

The fork server checks every known tag once, in a probe process (see
:mod:`torch_notes.validation.forkserver`), so that the template never initialises
CUDA; :class:`TagStatus` then answers for each job.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence

KNOWN_TAGS = ("torchvision", "matplotlib", "cuda", "multi_gpu")


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


def check_all() -> dict[str, str | None]:
    """Every known tag → why it is unmet (``None`` when met)."""
    return {tag: unmet_reason(tag) for tag in KNOWN_TAGS}


class TagStatus:
    """Answers from the statuses :func:`check_all` found."""

    def __init__(self, statuses: Mapping[str, str | None]) -> None:
        self._statuses = dict(statuses)

    def first_unmet(self, tags: Sequence[str]) -> str | None:
        """The reason for the first unmet tag, or ``None`` when all are met.

        ``ValueError`` for a tag that is not known.
        """
        for tag in tags:
            if tag not in self._statuses:
                raise ValueError(f"unknown requires tag {tag!r}")
            if self._statuses[tag] is not None:
                return self._statuses[tag]
        return None
