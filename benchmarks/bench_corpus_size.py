"""Cost of a larger corpus: load time, server start-up, hover latency and RSS with extra notes.

    python benchmarks/bench_corpus_size.py --notes DIR [--notes DIR ...] [--runs 3]

Measures the built-in corpus alone and with the extra note directories (as a user's
``torchNotes.extraPaths``, e.g. notes being written on other branches): corpus load
(parse + index, best of 5), then over stdio, best of ``--runs`` fresh servers, spawn →
``initialize`` answered, the first hover after ``didOpen`` of a 1,000-line training script,
warm hover p50 and p99 (200 hovers) and peak RSS (VmHWM). Prints figures; asserts nothing.
Targets (README, issue 11 point 5): start-up ≤ 800 ms, warm hover p50 ≤ 2 ms, RSS ≤ 80 MB.
"""

from __future__ import annotations

import argparse
import os
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
from torch_notes.corpus.index import CorpusIndex  # noqa: E402
from torch_notes.corpus.loader import load_corpus  # noqa: E402

HOVERS = 200


def corpus_load(paths: list[Path]) -> tuple[float, int, int]:
    """Best load + index time (ms) of five, the notes loaded and their symbols."""
    best = float("inf")
    notes = symbols = 0
    for _ in range(5):
        start = time.perf_counter()
        corpus = load_corpus(paths)
        index = CorpusIndex.build(corpus)
        best = min(best, time.perf_counter() - start)
        notes, symbols = len(corpus.notes), len(index.by_symbol)
    return best * 1000, notes, symbols


def server_run(paths: list[Path], workdir: Path, text: str) -> dict[str, float]:
    """One fresh server: start-up, first and warm hovers, peak RSS."""
    server = LspProcess(
        [sys.executable, "-m", "torch_notes", "lsp"], workdir, {"PYTHONPATH": str(REPO / "server")}
    )
    try:
        server.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": workdir.as_uri(),
                "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}},
                "initializationOptions": {"extraPaths": [str(path) for path in paths]},
            },
        )
        initialize = time.perf_counter() - server.started
        server.notify("initialized", {})
        uri = (workdir / "train.py").as_uri()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        positions = hover_positions(text)

        def hover(row: int, col: int) -> float:
            params = {"textDocument": {"uri": uri}, "position": {"line": row, "character": col}}
            return server.timed("textDocument/hover", params)[0]

        first = hover(*positions[-1])
        warm = [hover(*positions[i % len(positions)]) for i in range(HOVERS)]
        rss = server.peak_rss_mib()
    finally:
        server.close()
    return {
        "initialize_ms": initialize * 1000,
        "first_hover_ms": first * 1000,
        "warm_p50_ms": statistics.median(warm) * 1000,
        "warm_p99_ms": percentile(warm, 99) * 1000,
        "rss_mib": rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", action="append", type=Path, default=[], metavar="DIR")
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per corpus (3)")
    args = parser.parse_args(argv)
    text = training_script(1000)
    rows = []
    for label, paths in (("built-in", []), ("built-in + extra", args.notes)):
        if label != "built-in" and not paths:
            continue
        load_ms, notes, symbols = corpus_load(paths)
        with tempfile.TemporaryDirectory() as tmp:
            runs = [server_run(paths, Path(tmp), text) for _ in range(args.runs)]
        best = {key: min(run[key] for run in runs) for key in runs[0]}
        rows.append((label, notes, symbols, load_ms, best))
    print(
        "| corpus | notes | symbols | load (ms) | spawn→initialize (ms) | first hover (ms) "
        "| warm hover p50 / p99 (ms) | peak RSS (MiB) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, notes, symbols, load_ms, best in rows:
        print(
            f"| {label} | {notes} | {symbols} | {load_ms:.0f} | {best['initialize_ms']:.0f} "
            f"| {best['first_hover_ms']:.1f} | {best['warm_p50_ms']:.2f} / "
            f"{best['warm_p99_ms']:.2f} | {best['rss_mib']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
