"""Where the built-in corpus lives, installed or in a source checkout."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_corpus_dir() -> Path:
    """The directory holding the built-in note files.

    In a wheel the corpus is shipped as ``torch_notes/_corpus``; in a source
    checkout (editable install, tests) it is the top-level ``snippets/``.
    """
    shipped = _PACKAGE_DIR / "_corpus"
    if shipped.is_dir():
        return shipped
    return _PACKAGE_DIR.parent.parent / "snippets"


def verified_record_path(corpus_dir: Path | None = None) -> Path:
    """The committed record of the last full validation, beside the corpus."""
    return (corpus_dir or builtin_corpus_dir()) / "verified.json"


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.10, 3.11)
        return Path(os.path.abspath(path))


def is_within(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one (symlinks resolved).

    This is the one rule for "a note file of the user's": an error whose file is within
    the user's note paths is theirs to fix.
    """
    resolved = _resolved(path)
    for root in roots:
        root = _resolved(root)
        if resolved == root or root in resolved.parents:
            return True
    return False
