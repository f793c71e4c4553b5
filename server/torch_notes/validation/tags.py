"""Check a note's ``requires`` tags on this machine (imports torch: fork server side only).

The fork server checks the device tags (:data:`DEVICE_TAGS`) once, in a probe
process, so that the template never initialises CUDA; the package tags it checks
itself when a job first asks, by importing the package (see
:mod:`torch_notes.validation.forkserver`). :class:`TagStatus` answers for each job.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence

PACKAGE_TAGS = ("torchvision", "matplotlib")
DEVICE_TAGS = ("cuda", "multi_gpu")
KNOWN_TAGS = PACKAGE_TAGS + DEVICE_TAGS


def unmet_reason(tag: str) -> str | None:
    """Why ``tag`` is not met here (``needs cuda (...)``), or ``None`` when it is."""
    if tag in PACKAGE_TAGS:
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


def check_devices() -> dict[str, str | None]:
    """Every device tag → why it is unmet (``None`` when met); initialises CUDA."""
    return {tag: unmet_reason(tag) for tag in DEVICE_TAGS}


class TagStatus:
    """Answers from known statuses, checking the other known tags on first use."""

    def __init__(
        self,
        statuses: Mapping[str, str | None],
        check: Callable[[str], str | None] = unmet_reason,
    ) -> None:
        self._statuses = dict(statuses)
        self._check = check

    def first_unmet(self, tags: Sequence[str]) -> str | None:
        """The reason for the first unmet tag, or ``None`` when all are met.

        ``ValueError`` for a tag that is not known.
        """
        for tag in tags:
            if tag not in KNOWN_TAGS:
                raise ValueError(f"unknown requires tag {tag!r}")
            if tag not in self._statuses:
                self._statuses[tag] = self._check(tag)
            if self._statuses[tag] is not None:
                return self._statuses[tag]
        return None
