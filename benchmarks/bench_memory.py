"""Memory and latency of a long session: does the server leak?

    python benchmarks/bench_memory.py [--edits 20000] [--opens 5000] [--lines 1000]
                                      [--block 1000] [--pull] [--json PATH]

Over stdio, one server: a training-script-like document is opened, then ``--edits``
cycles of ``didChange`` (one character typed, then removed on the next cycle: the text
keeps its size) followed by a hover; then ``--opens`` cycles of ``didOpen`` + hover +
``didClose`` on distinct URIs. Every ``--block`` cycles it prints the server's resident
memory (VmRSS, MiB) and the p50/p99 of that block's hover round trips (ms). The figures
are the curve: a server without a leak stays flat once warm. Prints figures and writes
``--json``; asserts nothing. ``--pull`` declares pull diagnostics (as VS Code does)
instead of push. Each block also gives the server's CPU time per cycle, which a busy
machine disturbs far less than round trips.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "server")]

from lsp_client import LspProcess  # noqa: E402
from run_all import hover_positions, percentile, training_script  # noqa: E402

SMALL_DOCUMENT = """\
import torch
import torch.nn.functional as F

x = torch.randn(4, 3)
y = x.transpose(0, 1).contiguous()
z = F.relu(y).view(-1)
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (0 where /proc is missing).

    Unlike a round trip, it hardly depends on what else the machine is running: the
    per-cycle figure shows whether the server's own work grows as the session ages.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    """Resident memory (VmRSS) of ``pid`` in MiB (0 where /proc is missing)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start(workdir: Path, pull: bool) -> LspProcess:
    env = {"PYTHONPATH": str(REPO / "server")}
    server = LspProcess([sys.executable, "-m", "torch_notes", "lsp"], workdir, env)
    text_document: dict = {"hover": {"contentFormat": ["markdown", "plaintext"]}}
    if pull:
        text_document["diagnostic"] = {"dynamicRegistration": False}
    server.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": workdir.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": text_document,
            },
        },
    )
    server.notify("initialized", {})
    return server


class Meter:
    """The server's RSS, and its CPU time per cycle since the last reading."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu = cpu_seconds(pid)

    def row(self, label: str, cycles: int, done: int, times: list[float]) -> dict:
        cpu = cpu_seconds(self.pid)
        per_cycle = (cpu - self.cpu) / done * 1000 if done else 0.0
        self.cpu = cpu
        row = {
            "phase": label,
            "cycles": cycles,
            "rss_mib": round(rss_mib(self.pid), 1),
            "hover_p50_ms": round(statistics.median(times) * 1000, 2) if times else 0.0,
            "hover_p99_ms": round(percentile(times, 99) * 1000, 2) if times else 0.0,
            "server_cpu_ms_per_cycle": round(per_cycle, 2),
        }
        print(
            f"{label:<11} {cycles:>6} cycles  RSS {row['rss_mib']:6.1f} MiB  "
            f"hover p50 {row['hover_p50_ms']:6.2f} ms  p99 {row['hover_p99_ms']:6.2f} ms  "
            f"server CPU {row['server_cpu_ms_per_cycle']:5.2f} ms/cycle",
            flush=True,
        )
        return row


def edit_cycles(server: LspProcess, workdir: Path, args: argparse.Namespace) -> list[dict]:
    """Type a character and take it back, alternately, with a hover after each edit."""
    text = training_script(args.lines)
    uri = (workdir / "train.py").as_uri()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    positions = hover_positions(text)
    row = len(text.split("\n")) // 2
    column = len(text.split("\n")[row])
    meter = Meter(server.proc.pid)
    rows = [meter.row("edit+hover", 0, 0, [])]
    times: list[float] = []
    for cycle in range(1, args.edits + 1):
        typed = cycle % 2 == 1
        start = {"line": row, "character": column}
        end = start if typed else {"line": row, "character": column + 1}
        server.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": cycle + 1},
                "contentChanges": [{"range": {"start": start, "end": end}, "text": "x" * typed}],
            },
        )
        line, character = positions[cycle % len(positions)]
        params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
        times.append(server.timed("textDocument/hover", params)[0])
        if cycle % args.block == 0:
            rows.append(meter.row("edit+hover", cycle, len(times), times))
            times = []
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return rows


def open_cycles(server: LspProcess, workdir: Path, args: argparse.Namespace) -> list[dict]:
    """Open, hover and close a small document under a new URI each time."""
    meter = Meter(server.proc.pid)
    rows = [meter.row("open+close", 0, 0, [])]
    times: list[float] = []
    row = SMALL_DOCUMENT.split("\n").index("y = x.transpose(0, 1).contiguous()")
    for cycle in range(1, args.opens + 1):
        uri = (workdir / f"module_{cycle}.py").as_uri()
        document = {"uri": uri, "languageId": "python", "version": 1, "text": SMALL_DOCUMENT}
        server.notify("textDocument/didOpen", {"textDocument": document})
        params = {"textDocument": {"uri": uri}, "position": {"line": row, "character": 26}}
        times.append(server.timed("textDocument/hover", params)[0])
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        if cycle % args.block == 0:
            rows.append(meter.row("open+close", cycle, len(times), times))
            times = []
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20_000)
    parser.add_argument("--opens", type=int, default=5_000)
    parser.add_argument("--lines", type=int, default=1_000)
    parser.add_argument("--block", type=int, default=1_000)
    parser.add_argument("--pull", action="store_true", help="the client pulls diagnostics")
    parser.add_argument("--json", type=Path, help="write the curve here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = start(workdir, args.pull)
        try:
            edits = edit_cycles(server, workdir, args)
            opens = open_cycles(server, workdir, args)
        finally:
            server.close()
    growth_edits = edits[-1]["rss_mib"] - edits[1]["rss_mib"] if len(edits) > 1 else 0.0
    growth_opens = opens[-1]["rss_mib"] - opens[0]["rss_mib"]
    print(
        f"RSS growth after the first block: edit+hover {growth_edits:+.1f} MiB, "
        f"open+close {growth_opens:+.1f} MiB",
        flush=True,
    )
    if args.json:
        result = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
            "load_average": os.getloadavg()[0],
            "python": platform.python_version(),
            "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "edits": edits,
            "opens": opens,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
