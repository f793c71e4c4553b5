"""Where the built-in corpus lives, installed or in a source checkout."""

from __future__ import annotations

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
