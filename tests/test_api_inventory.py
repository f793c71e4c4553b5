"""The shipped API inventory matches the installed torch (regenerate it when torch changes)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from torch_notes.validation.api_inventory import INVENTORY_PATH, build_inventory


def test_shipped_inventory_matches_installed_torch() -> None:
    shipped = json.loads(INVENTORY_PATH.read_text(encoding="utf-8"))
    current = build_inventory()
    hint = "run: python -m torch_notes.validation.api_inventory"
    assert shipped["torch_version"] == current["torch_version"], hint
    for section in ("modules", "classes"):
        for name, names in current[section].items():
            assert shipped[section][name] == names, f"{section} {name} differs; {hint}"


def test_inventory_knows_the_common_names() -> None:
    shipped = json.loads(INVENTORY_PATH.read_text(encoding="utf-8"))
    assert "arange" in shipped["modules"]["torch"]
    assert "arrange" not in shipped["modules"]["torch"]
    assert "relu" in shipped["modules"]["torch.nn.functional"]
    assert "contiguous" in shipped["classes"]["torch.Tensor"]
    assert "repeate" not in shipped["classes"]["torch.Tensor"]
