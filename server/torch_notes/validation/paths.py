"""How the validator names files to people: relative to the working directory when inside it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path(os.getcwd()).resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (3.10, 3.11)
        return str(path)
