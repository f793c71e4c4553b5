"""Every benchmark in one command: the language server against jedi-language-server, the corpus
loader and the validator. Prints figures and writes ``benchmarks/results/`` (Markdown table,
JSON, PNG plot); asserts nothing.

    python benchmarks/run_all.py [--no-jedi] [--no-validator] [--sizes 100,1000,...]
    python benchmarks/run_all.py --only-startup [--startup-rounds 7]

Over stdio, for each server and for training-script-like documents of each size: spawn →
``initialize`` answered, first hover after ``didOpen``, warm hover p50/p99, completion after
``torch.`` p50, peak RSS (VmHWM). jedi-language-server is installed with pip into
``benchmarks/.venv-jedi`` (never a project dependency) and pointed at this interpreter's
environment, so it sees the same torch.

Start-up, side by side in one run (``--startup-rounds`` rounds, medians): spawn →
``initialize`` answered for a trivial pygls server (``trivial_server.py``: what any pygls server
pays) and for torch-notes, and torch-notes' spawn → first hover answered after ``didOpen`` of a
3,000-line script (the notes loaded in between).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
JEDI_VENV = HERE / ".venv-jedi"
JEDI_PACKAGE = "jedi-language-server==0.45.1"
sys.path[:0] = [str(HERE), str(REPO / "server")]

import bench_notebook  # noqa: E402
from lsp_client import LspProcess  # noqa: E402

SIZES = (100, 1000, 3000, 5000, 20000)

HEADER = """\
import os
import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
"""

BLOCK = """\


class Net{i}(nn.Module):
    def __init__(self, width: int = {w}) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, 10)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = x.transpose(0, 1).contiguous().view(x.size(1), -1)
        return self.fc2(self.drop(F.relu(self.fc1(x))))


def train_{i}(epochs: int = 2) -> float:
    model = Net{i}()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    data = TensorDataset(torch.randn(64, {w}), torch.randint(0, 10, (64,)))
    loader = DataLoader(data, batch_size=16, shuffle=True)
    model.train()
    total = 0.0
    for _ in range(epochs):
        for inputs, targets in loader:
            optimizer.zero_grad()
            logits = model(inputs.t().contiguous().t())
            loss = F.cross_entropy(logits, targets)
            loss.backward()
            optimizer.step()
            total += loss.item()
    model.eval()
    with torch.no_grad():
        probe = torch.zeros(2, {w}).permute(1, 0).contiguous()
    torch.save(model.state_dict(), os.path.join("checkpoints", "net{i}.pt"))
    return total / max(1, math.ceil(epochs))
"""


def training_script(lines: int) -> str:
    """A realistic training script of about ``lines`` lines, ending in ``probe = torch.``."""
    parts = [HEADER]
    count = HEADER.count("\n")
    i = 0
    while count < lines - 1:
        block = BLOCK.format(i=i, w=8 + i % 56)
        parts.append(block)
        count += block.count("\n")
        i += 1
    text = "".join(parts)
    kept = text.split("\n")[: lines - 1]
    return "\n".join(kept) + "\nprobe = torch."


def hover_positions(text: str, count: int = 24) -> list[tuple[int, int]]:
    """Positions inside ``contiguous`` on lines spread over the document."""
    found = [
        (row, line.index(".contiguous") + 3)
        for row, line in enumerate(text.split("\n"))
        if ".contiguous" in line
    ]
    step = max(1, len(found) // count)
    return found[::step][:count] or [(0, 0)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# -- servers ---------------------------------------------------------------------------


def ensure_jedi() -> Path | None:
    """The jedi-language-server executable in the benchmark's own venv (created with pip)."""
    exe = JEDI_VENV / "bin" / "jedi-language-server"
    if exe.exists():
        return exe
    print(f"installing {JEDI_PACKAGE} into {JEDI_VENV} ...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(JEDI_VENV)
    pip = [str(JEDI_VENV / "bin" / "python"), "-m", "pip", "install", "-q", JEDI_PACKAGE]
    done = subprocess.run(pip, timeout=600, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"could not install jedi-language-server:\n{done.stderr[-2000:]}")
        return None
    return exe


SERVERS = {
    "torch-notes": {
        "command": [sys.executable, "-m", "torch_notes", "lsp"],
        "options": None,
        "hovers": 300,
        "completions": 40,
    },
    "jedi-language-server": {
        "command": None,  # filled in by ensure_jedi
        "options": {"workspace": {"environmentPath": sys.executable}},
        "hovers": 20,
        "completions": 5,
    },
}


def ready(server: LspProcess) -> None:
    """Wait until torch-notes has loaded its notes (it answers requests after that)."""
    server.request("workspace/executeCommand", {"command": "torchNotes.serverInfo"})


def startup(rounds: int, workdir: Path) -> dict:
    """Spawn → initialize for the trivial pygls server and torch-notes, alternating, and
    torch-notes' spawn → first hover after didOpen (3,000 lines); medians of ``rounds``."""
    text = training_script(3000)
    path = workdir / "startup_3000.py"
    path.write_text(text, encoding="utf-8")
    row, col = hover_positions(text)[-1]
    commands = {
        "trivial-pygls": [sys.executable, str(HERE / "trivial_server.py")],
        "torch-notes": SERVERS["torch-notes"]["command"],
    }
    env = {"PYTHONPATH": str(REPO / "server")}
    times: dict[str, list[float]] = {"trivial-pygls": [], "torch-notes": [], "first_hover": []}
    params = {"processId": os.getpid(), "rootUri": workdir.as_uri(), "capabilities": {}}
    for _ in range(rounds):
        for name, command in commands.items():
            server = LspProcess(command, workdir, env)
            try:
                server.request("initialize", params)
                times[name].append((time.perf_counter() - server.started) * 1000)
                if name == "torch-notes":
                    server.notify("initialized", {})
                    item = {"uri": path.as_uri(), "languageId": "python", "version": 1}
                    server.notify("textDocument/didOpen", {"textDocument": {**item, "text": text}})
                    server.request(
                        "textDocument/hover",
                        {
                            "textDocument": {"uri": path.as_uri()},
                            "position": {"line": row, "character": col},
                        },
                    )
                    times["first_hover"].append((time.perf_counter() - server.started) * 1000)
            finally:
                server.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "rounds": rounds,
        "load_average": os.getloadavg(),
        "trivial_initialize_ms": medians["trivial-pygls"],
        "initialize_ms": medians["torch-notes"],
        "first_hover_ms": medians["first_hover"],
        "ratio": medians["torch-notes"] / medians["trivial-pygls"],
        "all": times,
    }


def start(name: str, workdir: Path) -> tuple[LspProcess, float]:
    spec = SERVERS[name]
    env = {"PYTHONPATH": str(REPO / "server")} if name == "torch-notes" else {}
    server = LspProcess(spec["command"], workdir, env)
    params = {
        "processId": os.getpid(),
        "rootUri": workdir.as_uri(),
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": True}},
            },
        },
        "workspaceFolders": [{"uri": workdir.as_uri(), "name": workdir.name}],
    }
    if spec["options"] is not None:
        params["initializationOptions"] = spec["options"]
    server.request("initialize", params)
    initialize = time.perf_counter() - server.started
    server.notify("initialized", {})
    return server, initialize


def measure(name: str, size: int, workdir: Path) -> dict[str, float]:
    """Every latency for one server and one document size, in ms (RSS in MiB)."""
    spec = SERVERS[name]
    text = training_script(size)
    path = workdir / f"train_{size}.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    positions = hover_positions(text)
    server, initialize = start(name, workdir)
    try:
        if name == "torch-notes":
            ready(server)  # the first hover below measures the hover, not the start-up
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )

        def hover(row: int, col: int) -> tuple[float, object]:
            params = {"textDocument": {"uri": uri}, "position": {"line": row, "character": col}}
            return server.timed("textDocument/hover", params)

        first, first_result = hover(*positions[-1])
        warm = [hover(*positions[i % len(positions)])[0] for i in range(spec["hovers"])]
        last_row = text.count("\n")
        completion_params = {
            "textDocument": {"uri": uri},
            "position": {"line": last_row, "character": len("probe = torch.")},
        }
        completions = []
        items = 0
        for _ in range(spec["completions"]):
            seconds, result = server.timed("textDocument/completion", completion_params)
            completions.append(seconds)
            items = len(result.get("items", []) if isinstance(result, dict) else result or [])
        rss = server.peak_rss_mib()
    finally:
        server.close()
    return {
        "lines": text.count("\n") + 1,
        "initialize_ms": initialize * 1000,
        "first_hover_ms": first * 1000,
        "first_hover_answered": first_result is not None,
        "warm_hover_p50_ms": statistics.median(warm) * 1000,
        "warm_hover_p99_ms": percentile(warm, 99) * 1000,
        "completion_ms": statistics.median(completions) * 1000,
        "completion_items": items,
        "peak_rss_mib": rss,
    }


# -- corpus and validator ----------------------------------------------------------------

SYNTHETIC_NOTE = """\
  - id: synthetic.n{i}
    symbols: [torch.Tensor.m{i}]
    title: {{en: "Synthetic note {i}", zh: "合成笔记 {i}"}}
    summary: {{en: "One of ten thousand.", zh: "一万条之一。"}}
    body: {{en: "Loaded to measure the loader.", zh: "用来测量加载器。"}}
    example: |
      x = {i}
      assert x == {i}
"""


def corpus_load() -> dict[str, float]:
    from torch_notes.corpus.index import CorpusIndex
    from torch_notes.corpus.loader import load_corpus

    def timed(paths: tuple[Path, ...], builtin: bool) -> tuple[float, int]:
        best = float("inf")
        count = 0
        for _ in range(3):
            start = time.perf_counter()
            corpus = load_corpus(paths, include_builtin=builtin)
            CorpusIndex.build(corpus)
            best = min(best, time.perf_counter() - start)
            count = len(corpus.notes)
        return best * 1000, count

    real_ms, real_notes = timed((), True)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for part in range(5):
            notes = "".join(
                SYNTHETIC_NOTE.format(i=i) for i in range(part * 2000, part * 2000 + 2000)
            )
            (directory / f"part{part}.yaml").write_text(
                f"topic: synthetic\nnotes:\n{notes}", encoding="utf-8"
            )
        synthetic_ms, synthetic_notes = timed((directory,), False)
    return {
        "real_notes": real_notes,
        "real_ms": real_ms,
        "synthetic_notes": synthetic_notes,
        "synthetic_ms": synthetic_ms,
    }


def validator(workers: int) -> dict[str, float]:
    import bench_validator

    with tempfile.TemporaryDirectory() as tmp:
        builtin, _ = bench_validator.bench("built-in corpus", (), True, workers)
        synthetic, _ = bench_validator.bench(
            "synthetic 80 notes",
            (bench_validator.synthetic_corpus(Path(tmp), 80),),
            False,
            workers,
        )
    return {"builtin_s": builtin, "synthetic80_s": synthetic, "workers": workers}


# -- output ------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def markdown(results: dict) -> str:
    tn = results["servers"]["torch-notes"]
    jedi = results["servers"].get("jedi-language-server", {})
    start_up = results.get("startup")
    sizes = sorted(int(size) for size in tn)
    lines = [
        f"Measured {results['date']} on {results['machine']} (Python {results['python']}), "
        "round trips over stdio. Latencies in ms.",
        "",
        "| lines | server | spawn→initialize | first hover | warm hover p50 | warm hover p99 "
        "| completion `torch.` | peak RSS (MiB) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        for name, data in (("torch-notes", tn), ("jedi-language-server", jedi)):
            row = data.get(str(size))
            if not row:
                continue
            lines.append(
                f"| {size:,} | {name} | {row['initialize_ms']:.0f} | {row['first_hover_ms']:.1f} "
                f"| {row['warm_hover_p50_ms']:.2f} | {row['warm_hover_p99_ms']:.2f} "
                f"| {row['completion_ms']:.1f} ({row['completion_items']} items) "
                f"| {row['peak_rss_mib']:.0f} |"
            )
    if jedi:
        lines += [
            "",
            "| lines | jedi ÷ torch-notes, warm hover p50 | completion |",
            "| ---: | ---: | ---: |",
        ]
        for size in sizes:
            a, b = tn.get(str(size)), jedi.get(str(size))
            if a and b:
                lines.append(
                    f"| {size:,} | {b['warm_hover_p50_ms'] / a['warm_hover_p50_ms']:.0f}× "
                    f"| {b['completion_ms'] / a['completion_ms']:.0f}× |"
                )
    small, large = tn[str(sizes[0])], tn[str(sizes[-1])]
    rows = list(tn.values())

    def worst(key: str) -> float:
        return max(row[key] for row in rows)

    first = tn.get("3000", small)["first_hover_ms"]
    growth = large["warm_hover_p50_ms"] / small["warm_hover_p50_ms"]
    checks = [
        ("warm hover p50 ≤ 2 ms (every size)", worst("warm_hover_p50_ms") <= 2,
         f"{worst('warm_hover_p50_ms'):.2f} ms worst"),
        ("warm hover p99 ≤ 10 ms (every size)", worst("warm_hover_p99_ms") <= 10,
         f"{worst('warm_hover_p99_ms'):.2f} ms worst"),
        (f"hover at {sizes[-1]:,} lines within 2× of {sizes[0]:,}", growth <= 2, f"{growth:.2f}×"),
        ("first hover ≤ 50 ms (3,000 lines)", first <= 50, f"{first:.1f} ms"),
        ("completion ≤ 15 ms (every size)", worst("completion_ms") <= 15,
         f"{worst('completion_ms'):.1f} ms worst"),
        ("spawn→initialize ≤ 800 ms", worst("initialize_ms") <= 800,
         f"{worst('initialize_ms'):.0f} ms worst"),
        ("peak RSS ≤ 80 MB (every size)", worst("peak_rss_mib") <= 80,
         f"{worst('peak_rss_mib'):.0f} MiB worst"),
    ]  # fmt: skip
    if start_up:
        checks.append(
            (
                "spawn→initialize within 1.1× of a trivial pygls server",
                start_up["ratio"] <= 1.1,
                f"{start_up['ratio']:.2f}×",
            )
        )
    if jedi:
        ratio = min(
            jedi[str(s)]["warm_hover_p50_ms"] / tn[str(s)]["warm_hover_p50_ms"]
            for s in sizes
            if str(s) in jedi
        )
        checks.append(
            (
                "≥ 30× faster than jedi-language-server (warm hover)",
                ratio >= 30,
                f"{ratio:.0f}× least",
            )
        )
    lines += ["", "| target | met | measured |", "| --- | :---: | ---: |"]
    lines += [f"| {name} | {mark(ok)} | {value} |" for name, ok, value in checks]
    if start_up:
        lines += [
            "",
            f"Start-up (median of {start_up['rounds']}, load average "
            f"{start_up['load_average'][0]:.1f}): spawn → initialize "
            f"{start_up['initialize_ms']:.0f} ms against "
            f"{start_up['trivial_initialize_ms']:.0f} ms for a trivial pygls server "
            f"({start_up['ratio']:.2f}×); spawn → first hover after "
            f"didOpen of 3,000 lines {start_up['first_hover_ms']:.0f} ms.",
        ]
    notebook = results.get("notebook")
    if notebook:
        lines += [
            "",
            f"Notebook ({notebook['cells']} cells, {notebook['lines']:,} lines; "
            "`bench_notebook.py`): first hover "
            f"{notebook['first_hover_ms']:.0f} ms, warm hover p50 "
            f"{notebook['warm_hover_p50_ms']:.2f} ms, p99 {notebook['warm_hover_p99_ms']:.2f} ms; "
            f"edit → diagnostics {notebook['edit_to_diagnostics_ms']:.0f} ms (200 ms debounce "
            f"included); import cell edited → last cell re-published "
            f"{notebook['import_edit_to_last_cell_ms']:.0f} ms.",
        ]
    corpus = results.get("corpus")
    if corpus:
        lines += [
            "",
            f"Corpus load (parse + index, best of 3): built-in {corpus['real_notes']} notes "
            f"{corpus['real_ms']:.0f} ms; synthetic {corpus['synthetic_notes']:,} notes "
            f"{corpus['synthetic_ms']:.0f} ms.",
        ]
    val = results.get("validator")
    if val:
        lines += [
            f"Validator wall time ({val['workers']} workers): built-in corpus "
            f"{val['builtin_s']:.1f} s; synthetic 80 notes {val['synthetic80_s']:.1f} s.",
        ]
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    styles = {"torch-notes": "tab:orange", "jedi-language-server": "tab:blue"}
    for name, data in results["servers"].items():
        sizes = sorted(int(s) for s in data)
        for key, dash, label in (
            ("warm_hover_p50_ms", "-", "warm hover p50"),
            ("completion_ms", "--", "completion after torch."),
            ("first_hover_ms", ":", "first hover after didOpen"),
        ):
            ax.plot(
                sizes,
                [data[str(s)][key] for s in sizes],
                dash,
                marker="o",
                color=styles.get(name),
                label=f"{name}: {label}",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("document size (lines)")
    ax.set_ylabel("latency (ms, round trip over stdio)")
    ax.set_title("Latency against document size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)


README_START = "<!-- benchmark-table:start -->"
README_END = "<!-- benchmark-table:end -->"


def update_readme(table: str) -> None:
    """Replace the table between the README's markers (full runs only keep it current)."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        tail = rest.split(README_END, 1)[1]
        readme.write_text(f"{head}{README_START}\n{table.strip()}\n{README_END}{tail}", "utf-8")


def compile_server() -> None:
    """Write the server's byte-code first, as ``pip install`` and the .vsix build do.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (this development machine sets it) a source
    checkout has no ``.pyc``, and every spawn would compile ~25 modules (+20-40 ms), which
    no installed copy pays; pygls and lsprotocol, installed by pip, have theirs.
    """
    compileall.compile_dir(REPO / "server" / "torch_notes", quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-jedi", action="store_true", help="skip jedi-language-server")
    parser.add_argument("--no-validator", action="store_true", help="skip the validator run")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--startup-rounds", type=int, default=7)
    parser.add_argument(
        "--only-startup", action="store_true", help="only the start-up comparison (printed)"
    )
    args = parser.parse_args()
    compile_server()
    if args.only_startup:
        with tempfile.TemporaryDirectory() as tmp:
            figures = startup(args.startup_rounds, Path(tmp))
        print(json.dumps({k: v for k, v in figures.items() if k != "all"}, indent=2))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    names = ["torch-notes"]
    if not args.no_jedi and (exe := ensure_jedi()) is not None:
        SERVERS["jedi-language-server"]["command"] = [str(exe)]
        names.append("jedi-language-server")
    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "python": platform.python_version(),
        "servers": {name: {} for name in names},
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for size in sizes:
            for name in names:
                row = measure(name, size, workdir)
                results["servers"][name][str(size)] = row
                print(
                    f"{name:<22} {size:>6} lines: init {row['initialize_ms']:6.0f} ms  "
                    f"first hover {row['first_hover_ms']:8.1f} ms  warm p50 "
                    f"{row['warm_hover_p50_ms']:8.2f} ms  p99 {row['warm_hover_p99_ms']:8.2f} ms  "
                    f"completion {row['completion_ms']:8.1f} ms ({row['completion_items']} items)  "
                    f"RSS {row['peak_rss_mib']:5.0f} MiB",
                    flush=True,
                )
    with tempfile.TemporaryDirectory() as tmp:
        results["startup"] = startup(args.startup_rounds, Path(tmp))
    print(f"start-up: {results['startup']}", flush=True)
    results["notebook"] = bench_notebook.run(200)
    print(f"notebook: {results['notebook']}", flush=True)
    results["corpus"] = corpus_load()
    print(f"corpus load: {results['corpus']}", flush=True)
    if not args.no_validator:
        results["validator"] = validator(args.jobs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "benchmark.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    (RESULTS / "benchmark.md").write_text(table, encoding="utf-8")
    if set(SIZES) <= {int(size) for size in results["servers"]["torch-notes"]}:
        update_readme(table)
    plot(results, RESULTS / "latency.png")
    print()
    print(table)
    print(f"wrote {RESULTS / 'benchmark.md'}, benchmark.json and latency.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
