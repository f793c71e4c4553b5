"""The package's layers: imports point down, never up (see docs/architecture.md).

Every module of ``torch_notes`` is parsed (not imported) and each of its imports of
another ``torch_notes`` module is checked against the layer order below. A module may
import its own package and any lower layer. pygls is the LSP layer's alone, torch the
validator's alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "server" / "torch_notes"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "data", "i18n", "plain_text", "files"),
    ("corpus",),
    ("analysis",),
    ("diagnostics",),
    ("features",),
    ("validation",),
    ("authoring",),
    ("lsp",),
    ("cli",),
    ("__main__",),
)
"""Lowest first; packages on one line are peers and must not import each other."""

RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _part(module: str) -> str:
    """``torch_notes.lsp.server`` → ``lsp``; a top-level module names itself."""
    return module.split(".")[1] if module.count(".") else module


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.stat().st_size)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_package_has_a_layer() -> None:
    packages = {_layer_of(path) for path in _modules()}
    assert packages - set(RANK) == set(), "add new packages to LAYERS (and the docs)"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    layer = _layer_of(path)
    upward = []
    for line, module in _imports(path):
        if module.startswith("torch_notes."):
            target = _part(module)
            if target in RANK and target != layer and RANK[target] >= RANK[layer]:
                upward.append(f"line {line}: {module} ({target} is not below {layer})")
        root = module.partition(".")[0]
        if root == "pygls" and layer != "lsp":
            upward.append(f"line {line}: pygls outside lsp/")
        if root in ("torch", "torchvision") and layer != "validation":
            upward.append(f"line {line}: {root} outside validation/")
    assert upward == []
