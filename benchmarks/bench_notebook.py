"""Notebook latency: hovers in a 200-cell notebook and the time from an edit to its diagnostics.

The server gets a Jupyter notebook over LSP 3.17 (``notebookDocument/didOpen``): cell 1
imports torch, the other 199 cells hold ~15 lines of training code each. Hovers are asked
in cells spread over the notebook (first one, then warm ones); then one cell at a time is
edited to call ``torch.arrange`` and back, and the time until its diagnostics are pushed
(the 200 ms debounce included) is measured, as is the time until the last cell is
re-published after the import cell is edited. Prints a table; ``--json PATH`` writes it.

    python benchmarks/bench_notebook.py [--cells 200] [--json benchmarks/results/notebook.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspProcess

REPO = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "torch_notes", "lsp"]

CELL = """\
x{i} = torch.rand(8, {i} % 7 + 2)
y{i} = x{i}.transpose(0, 1).contiguous()
w{i} = torch.nn.Linear({i} % 7 + 2, 4)
out{i} = w{i}(x{i}).relu().sum(dim=1, keepdim=True)
loss{i} = F.mse_loss(out{i}, torch.zeros_like(out{i}))
loss{i}.backward()
with torch.no_grad():
    for p in w{i}.parameters():
        p -= 0.01 * p.grad
        p.grad = None
flat{i} = y{i}.flatten(0)
top{i} = flat{i}.topk(2).values
mask{i} = flat{i} > 0.5
print(top{i}, mask{i}.sum())
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def cell_uri(notebook: str, i: int) -> str:
    return f"vscode-notebook-cell:{notebook.removeprefix('file://')}#C{i}"


def run(cells: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="torch-notes-nb-"))
    notebook = (workdir / "train.ipynb").as_uri()
    texts = ["import torch\nimport torch.nn.functional as F\n"] + [
        CELL.format(i=i) for i in range(1, cells)
    ]
    env = {"PYTHONPATH": str(REPO / "server")}
    server = LspProcess(COMMAND, workdir, env)
    server.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workdir.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}},
                "notebookDocument": {"synchronization": {}},
            },
        },
    )
    server.notify("initialized", {})
    versions = [1] * cells
    server.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": notebook,
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [{"kind": 2, "document": cell_uri(notebook, i)} for i in range(cells)],
            },
            "cellTextDocuments": [
                {"uri": cell_uri(notebook, i), "languageId": "python", "version": 1, "text": t}
                for i, t in enumerate(texts)
            ],
        },
    )
    nb_version = 1
    try:

        def hover(i: int) -> float:
            params = {
                "textDocument": {"uri": cell_uri(notebook, i)},
                "position": {"line": 1, "character": 28},
            }
            seconds, result = server.timed("textDocument/hover", params)
            assert result is not None, f"no hover in cell {i}"
            return seconds

        first = hover(cells - 1)
        warm = [hover(1 + (k * 37) % (cells - 1)) for k in range(200)]

        def edit(i: int, text: str) -> None:
            nonlocal nb_version
            nb_version += 1
            versions[i] += 1
            server.notify(
                "notebookDocument/didChange",
                {
                    "notebookDocument": {"uri": notebook, "version": nb_version},
                    "change": {
                        "cells": {
                            "textContent": [
                                {
                                    "document": {
                                        "uri": cell_uri(notebook, i),
                                        "version": versions[i],
                                    },
                                    "changes": [{"text": text}],
                                }
                            ]
                        }
                    },
                },
            )

        to_diagnostics = []
        for k in range(10):
            i = 1 + (k * 19) % (cells - 1)
            broken = texts[i].replace("torch.rand(", "torch.arrange(", 1)
            since = len(server.notifications)
            start = time.perf_counter()
            edit(i, broken if k % 2 == 0 else texts[i])
            uri, version = cell_uri(notebook, i), versions[i]
            arrived, _ = server.wait_for(
                "textDocument/publishDiagnostics",
                lambda p, u=uri, v=version: p["uri"] == u and p.get("version") == v,
                since,
            )
            to_diagnostics.append(arrived - start)
            if k % 2 == 0:
                edit(i, texts[i])
        since = len(server.notifications)
        start = time.perf_counter()
        edit(0, texts[0] + "import numpy as np\n")
        last = cell_uri(notebook, cells - 1)
        arrived, _ = server.wait_for(
            "textDocument/publishDiagnostics", lambda p: p["uri"] == last, since
        )
        whole = arrived - start
        rss = server.peak_rss_mib()
    finally:
        server.close()
    return {
        "cells": cells,
        "lines": sum(t.count("\n") for t in texts),
        "first_hover_ms": first * 1000,
        "warm_hover_p50_ms": statistics.median(warm) * 1000,
        "warm_hover_p99_ms": percentile(warm, 99) * 1000,
        "edit_to_diagnostics_ms": statistics.median(to_diagnostics) * 1000,
        "import_edit_to_last_cell_ms": whole * 1000,
        "peak_rss_mib": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.cells)
    for key, value in result.items():
        print(f"{key:>30}: {value:.2f}" if isinstance(value, float) else f"{key:>30}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
