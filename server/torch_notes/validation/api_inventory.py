"""The public API surface of the installed torch, as data the server can ship without torch.

Run ``python -m torch_notes.validation.api_inventory`` to regenerate
``torch_notes/data/torch_api.json``; a test checks the shipped file against the
installed torch.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

MODULES = (
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.optim",
    "torch.optim.lr_scheduler",
    "torch.utils.data",
    "torch.linalg",
    "torch.cuda",
    "torch.amp",
    "torch.autograd",
    "torch.fft",
    "torch.special",
)
CLASSES = (
    "torch.Tensor",
    "torch.nn.Module",
    "torch.optim.Optimizer",
    "torch.utils.data.DataLoader",
    "torch.utils.data.Dataset",
)

INVENTORY_PATH = Path(__file__).resolve().parent.parent / "data" / "torch_api.json"


def _module_names(name: str) -> list[str]:
    """``dir()`` of a module plus its submodules (some, like ``torch.onnx``, load lazily)."""
    import pkgutil

    module = importlib.import_module(name)
    names = list(dir(module))
    names += [info.name for info in pkgutil.iter_modules(getattr(module, "__path__", []))]
    return _public(names)


def _public(names: list[str]) -> list[str]:
    return sorted(name for name in set(names) if not name.startswith("_"))


def _resolve(dotted: str) -> object:
    module_name, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def build_inventory() -> dict[str, object]:
    """Public names of each listed module and class of the installed torch."""
    import torch

    return {
        "torch_version": str(torch.__version__).split("+")[0],
        "modules": {name: _module_names(name) for name in MODULES},
        "classes": {name: _public(dir(_resolve(name))) for name in CLASSES},
    }


def main() -> int:
    """Write the inventory of the installed torch to the package's data file."""
    inventory = build_inventory()
    INVENTORY_PATH.write_text(json.dumps(inventory, indent=1, sort_keys=True) + "\n", "utf-8")
    counts = {name: len(names) for name, names in inventory["modules"].items()}
    print(f"wrote {INVENTORY_PATH} for torch {inventory['torch_version']}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
