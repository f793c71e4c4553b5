"""Diagnostic latency on a 3,000-line file: in process, and round trip over stdio.

    .venv/bin/python benchmarks/bench_diagnostics.py [--runs 30]

Prints: rules alone on a parsed document; parse + rules; a pull (``textDocument/diagnostic``
right after a ``didChange``) round trip; and a push (``didChange`` → ``publishDiagnostics``,
which includes the server's debounce delay, reported separately). Not a test: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from torch_notes.analysis.document import SourceDocument
from torch_notes.analysis.imports import collect_imports
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.diagnostics.registry import run_rules
from torch_notes.diagnostics.rule_context import RuleContext
from torch_notes.lsp.diagnostics import DEBOUNCE_S

REPO = Path(__file__).resolve().parent.parent
LINES = 3000


def big_source() -> str:
    """About 3,000 lines of realistic code with a few findings per copy."""
    parts = [(REPO / "examples" / name).read_text(encoding="utf-8") for name in (
        "train_cifar_like.py", "common_mistakes.py", "tabular_regression.py"
    )]  # fmt: skip
    lines: list[str] = []
    copy = 0
    while len(lines) < LINES:
        for part in parts:
            lines += part.replace("def ", f"def c{copy}_").splitlines()
        copy += 1
    return "\n".join(lines[:LINES]) + "\n"


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1e3:7.2f} ms   p99 {p99 * 1e3:7.2f} ms"


def in_process(text: str, runs: int) -> None:
    index = CorpusIndex.build(load_corpus())
    doc = SourceDocument.parse(text)
    imports = collect_imports(doc)
    found = run_rules(RuleContext.build(doc, index, imports=imports))
    rules, full = [], []
    for _ in range(runs):
        start = time.perf_counter()
        run_rules(RuleContext.build(doc, index, imports=imports))
        rules.append(time.perf_counter() - start)
        start = time.perf_counter()
        parsed = SourceDocument.parse(text)
        run_rules(RuleContext.build(parsed, index))
        full.append(time.perf_counter() - start)
    print(f"file: {text.count(chr(10))} lines, {len(found)} diagnostics")
    print(f"in process, rules only        {summary(rules)}")
    print(f"in process, parse + rules     {summary(full)}")


async def over_stdio(text: str, runs: int, pull: bool) -> list[float]:
    client = LanguageClient("bench-diagnostics", "1")
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)  # the server's log: not measured
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "torch_notes", "lsp")
    caps = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(),
        )
    )
    await client.initialize_async(types.InitializeParams(capabilities=caps, process_id=None))
    client.initialized(types.InitializedParams())
    uri = (REPO / "bench_3000_lines.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    identifier = types.TextDocumentIdentifier(uri)
    if pull:
        await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(identifier))
    else:
        await published.get()
    samples = []
    row = text.count("\n")
    for version in range(2, runs + 2):
        edit = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(row, 0), types.Position(row, 0)),
            text=f"y{version} = torch.arrange({version})\n",
        )
        row += 1
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [edit]
            )
        )
        if pull:
            report = await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(identifier)
            )
            assert len(report.items) > 0
        else:
            while (await published.get()).version != version:
                pass
        samples.append(time.perf_counter() - start)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    text = big_source()
    in_process(text, args.runs)
    pulled = asyncio.run(over_stdio(text, args.runs, pull=True))
    print(f"stdio pull: didChange + textDocument/diagnostic   {summary(pulled)}")
    pushed = asyncio.run(over_stdio(text, args.runs, pull=False))
    work = [max(0.0, sample - DEBOUNCE_S) for sample in pushed]
    print(f"stdio push: didChange -> publishDiagnostics       {summary(pushed)}")
    print(
        f"            minus the {DEBOUNCE_S * 1e3:.0f} ms debounce                {summary(work)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
