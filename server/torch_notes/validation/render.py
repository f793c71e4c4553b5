"""Human-readable validator output: progress bar, per-job lines, failures and the summary."""

from __future__ import annotations

import shutil
import textwrap
from typing import TextIO

from torch_notes.corpus.model import display_path
from torch_notes.validation.results import JobResult, RunResult

TAGS = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}
_CONTROLS = {
    code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0)) if chr(code) not in "\n\t"
}


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\x1b``: job output cannot drive the terminal."""
    return text.translate(_CONTROLS)


def job_line(result: JobResult) -> str:
    """``PASS tensor.view (0.12 s)``, ``SKIP x: needs cuda (...)``, ``FAIL y (0.30 s): reason``."""
    head = f"{TAGS[result.outcome]} {result.job.label}"
    if result.outcome == "skipped":
        return f"{head}: {printable(result.reason)}"
    line = f"{head} ({result.seconds:.2f} s)"
    return f"{line}: {printable(result.reason)}" if result.outcome == "failed" else line


def failure_block(result: JobResult) -> str:
    """A failure with its location, reason, mapped traceback and output tail."""
    job = result.job
    where = result.failure_location or f"{display_path(job.path)}:{job.line}"
    parts = [f"FAILED {job.label}  {where}", f"  {printable(result.reason)}"]
    if result.traceback:
        parts.append(textwrap.indent(printable(result.traceback.rstrip()), "  "))
    output = result.output.strip()
    if output:
        parts.append("  output:")
        parts.append(textwrap.indent(printable(output[-2000:]), "  | "))
    return "\n".join(parts) + "\n"


def summary(run: RunResult, *, slowest: int = 5) -> str:
    """The closing table: counts per outcome, the slowest jobs, the environment."""
    counts = run.counts()
    env = run.environment
    lines = [
        f"{'outcome':<10}{'jobs':>6}",
        *(f"{name:<10}{counts[name]:>6}" for name in ("passed", "failed", "skipped")),
        f"{'total':<10}{len(run.results):>6}",
    ]
    skipped = [r for r in run.results if r.outcome == "skipped"]
    if skipped:
        lines.append("")
        lines.append("skipped:")
        lines.extend(f"  {r.job.label}: {printable(r.reason)}" for r in skipped)
    ranked = run.slowest(slowest)
    if ranked:
        lines.append("")
        lines.append(f"slowest {len(ranked)}:")
        lines.extend(f"  {r.seconds:7.2f} s  {r.job.label}" for r in ranked)
    lines.append("")
    lines.extend(sandbox_lines(env.get("sandbox") or {}))
    lines.append(
        f"{len(run.note_outcomes())} notes, {len(run.results)} jobs in {run.wall_seconds:.1f} s"
        f" on {run.workers} workers; torch {env.get('torch', '?')} on {env.get('device', '?')}"
    )
    return "\n".join(lines) + "\n"


def sandbox_lines(sandbox: dict[str, str]) -> list[str]:
    """What contained the jobs, one line; a loud warning first when it was the fallback."""
    if not sandbox:
        return []
    lines = []
    if sandbox.get("fallback"):
        lines.append(f"WARNING: weaker sandbox: {sandbox['fallback']}")
    lines.append(f"sandbox: {sandbox.get('tool', '?')}; limits: {sandbox.get('limits', '?')}")
    return lines


class ProgressBar:
    """A one-line progress bar redrawn in place on a terminal."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}

    def update(self, result: JobResult) -> None:
        """Count ``result`` and redraw."""
        self.done += 1
        self.counts[result.outcome] += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        counts = self.counts
        text = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            f"  passed {counts['passed']}  failed {counts['failed']}"
            f"  skipped {counts['skipped']}  {result.job.label}"
        )
        columns = shutil.get_terminal_size((100, 20)).columns
        self.stream.write(text[: columns - 1].ljust(columns - 1))
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar."""
        columns = shutil.get_terminal_size((100, 20)).columns
        self.stream.write("\r" + " " * (columns - 1) + "\r")
        self.stream.flush()
