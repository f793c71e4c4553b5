"""Validation on save: the time from saving a one-note file to the diagnostics of its run.

A fresh server (over stdio, push diagnostics) with ``torchNotes.validation.python`` set to
this interpreter gets a note file whose example fails an assert. *Cold*: the file is opened
and saved at once, so the time includes starting the validator and its worker (the import of
torch). *Warm*: the assert is changed (still failing, another value) and the file saved
again: the validator and its worker are running. Each run ends when the server publishes the
failure with the new value. Prints a table; ``--json PATH`` writes the figures.

    python benchmarks/bench_note_validation.py [--runs 3] [--warm 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspProcess

COMMAND = [sys.executable, "-m", "torch_notes", "lsp"]
NOTE = """\
topic: bench
notes:
  - id: bench.bilinear
    symbols: [torch.nn.Bilinear]
    title: {{en: "Bilinear", zh: "Bilinear 层"}}
    summary: {{en: "Two inputs.", zh: "两个输入。"}}
    body: {{en: "Weight (out, in1, in2).", zh: "权重 (out, in1, in2)。"}}
    hover: |
      >>> nn.Bilinear(3, 4, 2).weight.shape
      torch.Size([2, 3, 4])
    example: |
      import torch
      from torch import nn
      layer = nn.Bilinear(3, 4, 2)
      assert layer.weight.shape == (2, 4, {value})
"""


def _failure_with(value: int):
    def matches(params) -> bool:
        return any(
            d.get("code") == "note-validation" and f"(2, 4, {value})" in d.get("message", "")
            for d in params.get("diagnostics", [])
        )

    return matches


def one_run(warm_saves: int) -> tuple[float, list[float]]:
    workdir = Path(tempfile.mkdtemp(prefix="torch-notes-bench-save-"))
    notes = workdir / "notes"
    notes.mkdir()
    path = notes / "bench.yaml"
    settings = {"extraPaths": [str(notes)], "validation": {"python": sys.executable}}
    server = LspProcess(COMMAND, workdir, env={"XDG_CACHE_HOME": str(workdir / "cache")})
    try:
        server.request(
            "initialize",
            {
                "processId": None,
                "rootUri": workdir.as_uri(),
                "capabilities": {},
                "initializationOptions": {"torchNotes": settings},
            },
        )
        server.notify("initialized", {})
        uri = path.as_uri()
        text = NOTE.format(value=5)
        path.write_text(text, encoding="utf-8")
        since = len(server.notifications)
        start = time.perf_counter()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        arrived, _ = server.wait_for(
            "textDocument/publishDiagnostics", _failure_with(5), since, timeout=300
        )
        cold = arrived - start
        warm = []
        for version, value in enumerate(range(6, 6 + warm_saves), start=2):
            text = NOTE.format(value=value)
            path.write_text(text, encoding="utf-8")
            since = len(server.notifications)
            server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text}],
                },
            )
            start = time.perf_counter()
            server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
            arrived, _ = server.wait_for(
                "textDocument/publishDiagnostics", _failure_with(value), since, timeout=120
            )
            warm.append(arrived - start)
        return cold, warm
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers (cold saves)")
    parser.add_argument("--warm", type=int, default=5, help="warm saves per server")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    colds: list[float] = []
    warms: list[float] = []
    for _ in range(args.runs):
        cold, warm = one_run(args.warm)
        colds.append(cold)
        warms.extend(warm)
    figures = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "cold_ms": [round(1000 * s, 1) for s in colds],
        "cold_median_ms": round(1000 * statistics.median(colds), 1),
        "warm_ms": [round(1000 * s, 1) for s in warms],
        "warm_median_ms": round(1000 * statistics.median(warms), 1),
        "warm_max_ms": round(1000 * max(warms), 1),
    }
    print("| save of a one-note file → its diagnostics | median | all |")
    print("| --- | ---: | --- |")
    print(
        f"| cold (validator and worker start, torch import) | {figures['cold_median_ms']:.0f} ms"
        f" | {', '.join(f'{v:.0f}' for v in figures['cold_ms'])} |"
    )
    print(
        f"| warm worker | {figures['warm_median_ms']:.0f} ms"
        f" | {', '.join(f'{v:.0f}' for v in figures['warm_ms'])} |"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
