"""``torch-notes validate``: execute every example and snippet expansion under torch.

This process never imports torch: worker processes do (see ``torch_notes.validation``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from torch_notes.cli.main import CliError

if TYPE_CHECKING:
    from torch_notes.corpus.model import CorpusError, Note
    from torch_notes.validation.results import JobResult, RunResult


def _cpu_count() -> int:
    """CPUs this process may run on (respects affinity masks and containers' cpusets)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def add_parser(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="note files or directories to validate (default: the built-in corpus)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=_cpu_count(),
        metavar="N",
        help="worker processes (default: the number of CPUs)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="validate only these note ids",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds one example or snippet expansion may run (default: 30)",
    )
    parser.add_argument(
        "--memory-limit",
        type=int,
        default=4096,
        metavar="MIB",
        help=(
            "memory (proportional set size) a job's processes may use, in MiB (default: 4096);"
            " a worker's private /tmp and /dev/shm get a quarter of it each"
        ),
    )
    parser.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "landlock"),
        default=os.environ.get("TORCH_NOTES_SANDBOX", "auto"),
        help=(
            "how workers are contained: bubblewrap where it works (auto, the default), bubblewrap"
            " or fail (bwrap), or the weaker Landlock fallback (landlock);"
            " default from TORCH_NOTES_SANDBOX"
        ),
    )
    parser.add_argument("--json", type=Path, metavar="REPORT", help="write a JSON report to REPORT")
    parser.add_argument(
        "--serve",
        action="store_true",
        help=(
            "keep the workers and serve validation requests (JSON lines) on stdin until it"
            " closes, for editors (see torch_notes.validation.serve)"
        ),
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="after a full run with no failures, update the verified-on record (verified.json)",
    )


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _is_builtin_run(paths: list[Path]) -> bool:
    from torch_notes.corpus.paths import builtin_corpus_dir

    builtin = builtin_corpus_dir().resolve()
    return all(p.resolve() == builtin for p in paths)


def _load(paths: list[Path]) -> tuple[list[Note], tuple[CorpusError, ...]]:
    """The notes and loader errors to validate: the built-in corpus, or those in ``paths``.

    The built-in corpus is always loaded too, so that notes in ``paths`` may name
    built-in notes as ``related`` and a single built-in file can be validated alone.
    """
    from torch_notes.corpus.loader import load_corpus
    from torch_notes.corpus.paths import builtin_corpus_dir

    builtin = builtin_corpus_dir().resolve()
    extra = [p for p in paths if not _within(p.resolve(), builtin)]
    corpus = load_corpus(extra)
    if not paths:
        return list(corpus.notes), corpus.errors
    roots = [p.resolve() for p in paths]

    def selected(path: Path) -> bool:
        resolved = path.resolve()
        return any(_within(resolved, root) for root in roots)

    notes = [note for note in corpus.notes if selected(note.location.path)]
    return notes, tuple(error for error in corpus.errors if selected(error.path))


def _print_errors(errors: tuple[CorpusError, ...]) -> None:
    from torch_notes.corpus.model import display_path

    for error in errors:
        shown = dataclasses.replace(error, path=Path(display_path(error.path)))
        print(shown, file=sys.stderr)


def _record(run: RunResult, notes: list[Note]) -> str:
    """Write the verified-on record; returns its path for the message."""
    from torch_notes.corpus.model import display_path
    from torch_notes.corpus.paths import verified_record_path
    from torch_notes.corpus.verified import (
        RecordEntry,
        VerifiedRecord,
        release_version,
        write_record,
    )

    outcomes = run.note_outcomes()
    env = run.environment
    record = VerifiedRecord(
        torch=release_version(env.get("torch")) or "unknown",
        torchvision=release_version(env.get("torchvision")),
        python=env.get("python", ""),
        validated=datetime.date.today().isoformat(),
        notes={
            note.id: RecordEntry(
                outcome=outcomes[note.id].outcome,
                hash=note.fingerprint(),
                reason=outcomes[note.id].reason,
            )
            for note in notes
        },
    )
    path = verified_record_path()
    try:
        write_record(path, record)
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror or err}") from err
    return display_path(path)


def run(args: argparse.Namespace) -> int:
    """Validate; exit status 1 on any failure or loader error, 0 otherwise."""
    from torch_notes.validation.containment import SandboxError
    from torch_notes.validation.pool import PoolOptions, WorkerStartError
    from torch_notes.validation.render import (
        ProgressBar,
        failure_block,
        job_line,
        sandbox_lines,
        summary,
    )
    from torch_notes.validation.report import write_report
    from torch_notes.validation.runner import validate_jobs

    if args.jobs < 1:
        raise CliError("--jobs must be at least 1")
    if args.timeout <= 0:
        raise CliError("--timeout must be positive")
    if args.serve:
        if args.paths or args.only or args.record or args.json:
            raise CliError("--serve takes its jobs on stdin: drop PATH, --only, --record, --json")
        from torch_notes.validation.serve import serve

        options = PoolOptions(
            workers=args.jobs, timeout=args.timeout, memory_limit_mib=args.memory_limit
        )
        return serve(options, sys.stdin.buffer, sys.stdout.buffer)
    if args.record and (args.only or (args.paths and not _is_builtin_run(args.paths))):
        raise CliError(
            "--record needs a full run over the built-in corpus: drop --only and PATH arguments"
        )

    if threading.current_thread() is threading.main_thread():
        # a terminated validator still stops its workers and removes their scratch dirs
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    notes, errors = _load(args.paths)
    _print_errors(errors)
    if args.only:
        known = {note.id for note in notes}
        unknown = [note_id for note_id in args.only if note_id not in known]
        if unknown:
            raise CliError(f"no such note: {', '.join(unknown)}")
        notes = [note for note in notes if note.id in set(args.only)]

    from torch_notes.validation.jobs import jobs_for_notes

    jobs = jobs_for_notes(notes)
    interactive = sys.stdout.isatty()
    progress = ProgressBar(sys.stderr, len(jobs)) if interactive and sys.stderr.isatty() else None

    def on_result(result: JobResult) -> None:
        if progress is not None:
            progress.update(result)
        elif not interactive:
            print(job_line(result), flush=True)

    options = PoolOptions(
        workers=args.jobs,
        timeout=args.timeout,
        memory_limit_mib=args.memory_limit,
        sandbox=args.sandbox,
    )
    try:
        run_result = validate_jobs(jobs, options, on_result)
    except (WorkerStartError, SandboxError) as err:
        raise CliError(str(err)) from err
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        print("torch-notes validate: interrupted", file=sys.stderr)
        return 130
    finally:
        if progress is not None:
            progress.clear()

    for result in run_result.failed:
        print(failure_block(result))
    print(summary(run_result), end="")
    sandbox = run_result.environment.get("sandbox") or {}
    if sandbox.get("fallback") and not interactive:
        print(sandbox_lines(sandbox)[0], file=sys.stderr)  # loud where people look
    if errors:
        print(f"{len(errors)} loader error(s), listed above: those notes were not validated")
    if args.json:
        write_report(args.json, run_result, errors)

    failed = bool(run_result.failed or errors)
    if args.record:
        if failed:
            print(
                "not recording: verified.json is only written after a run with no failures"
                " and no loader errors",
                file=sys.stderr,
            )
        else:
            print(f"recorded {len(notes)} notes in {_record(run_result, notes)}")
    return 1 if failed else 0
