"""Benchmark the validator: wall time for the built-in corpus and a synthetic 80-note corpus.

    python benchmarks/bench_validator.py [--jobs N]

Prints figures; asserts nothing. Target (issue 2): 80 notes in <= 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from torch_notes.corpus.loader import load_corpus
from torch_notes.validation.jobs import jobs_for_notes
from torch_notes.validation.pool import PoolOptions
from torch_notes.validation.runner import validate_jobs

# Small examples of the kind notes carry: tensor ops, autograd, a training step, I/O.
EXAMPLES = [
    """
    import torch
    x = torch.arange(12).reshape(3, 4)
    assert x.t().contiguous().view(-1).shape == (12,)
    """,
    """
    import torch
    w = torch.randn(3, requires_grad=True)
    (w * w).sum().backward()
    assert torch.allclose(w.grad, 2 * w.detach())
    """,
    """
    import torch
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 8), torch.randint(0, 2, (32,))
    for _ in range(20):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 1.0
    """,
    """
    import torch
    torch.save({"w": torch.ones(2)}, "ckpt.pt")
    assert torch.equal(torch.load("ckpt.pt")["w"], torch.ones(2))
    """,
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(torch.arange(10.0), torch.arange(10))
    batches = list(DataLoader(ds, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    """,
]

NOTE = """\
  - id: bench.note_{index}
    symbols: [torch.ones]
    title: {{en: "Bench {index}", zh: "基准 {index}"}}
    summary: {{en: "Synthetic.", zh: "合成。"}}
    body: {{en: "Body.", zh: "正文。"}}
    example: |
{example}
"""


def synthetic_corpus(directory: Path, count: int, *, trivial: bool = False) -> Path:
    """Write ``count`` notes cycling through :data:`EXAMPLES` (or ``pass``)."""
    notes = []
    for index in range(count):
        code = "pass\n" if trivial else textwrap.dedent(EXAMPLES[index % len(EXAMPLES)])
        notes.append(NOTE.format(index=index, example=textwrap.indent(code.strip(), " " * 6)))
    path = directory / ("trivial.yaml" if trivial else "synthetic.yaml")
    path.write_text("topic: bench\nnotes:\n" + "".join(notes), encoding="utf-8")
    return path


def bench(name: str, paths: tuple[Path, ...], builtin: bool, workers: int) -> tuple[float, float]:
    """Validate and print one line of figures; returns the wall time and the time
    from the first result to the last (the part the pool's start-up does not cover)."""
    corpus = load_corpus(paths, include_builtin=builtin)
    jobs = jobs_for_notes(corpus.notes)
    stamps: list[float] = []
    start = time.monotonic()
    run = validate_jobs(
        jobs, PoolOptions(workers=workers), lambda _: stamps.append(time.monotonic())
    )
    wall = time.monotonic() - start
    counts = run.counts()
    busy = sum(r.seconds for r in run.results)
    print(
        f"{name:<22} {len(corpus.notes):>4} notes {len(jobs):>4} jobs  {wall:6.2f} s wall"
        f"  (exec {busy:5.2f} s; passed {counts['passed']}, failed {counts['failed']},"
        f" skipped {counts['skipped']}; {workers} workers)"
    )
    return wall, (stamps[-1] - stamps[0] if stamps else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.jobs} workers")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        bench("built-in corpus", (), True, args.jobs)
        bench("synthetic 80 notes", (synthetic_corpus(directory, 80),), False, args.jobs)
        empty, _ = bench(
            "trivial 1 note", (synthetic_corpus(directory, 1, trivial=True),), False, 1
        )
        _, span = bench(
            "trivial 200 notes", (synthetic_corpus(directory, 200, trivial=True),), False, 1
        )
        print(f"per-job overhead (1 worker, 'pass' jobs): {span / 199 * 1000:.1f} ms")
        print(f"pool start-up + shutdown (1 worker, 1 job): {empty:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
