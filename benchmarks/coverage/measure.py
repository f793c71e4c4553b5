"""Coverage of the notes on the development corpus of real code (a development benchmark).

    python benchmarks/coverage/measure.py --root DIR [--notes DIR ...] [--files] [--top N]
                                          [--no-write]

``dev_corpus.json`` (next to this script) lists the corpus: repository, commit, path,
sha256 and line count of every file. The code itself is never committed: the script reads a
local copy under ``DIR/<owner>/<repo>/<path>``, checks it against the list (missing and
changed files are reported, and the exit status is 1), and prints the share of torch API
references whose hover shows a note (the definitions are those of ``torch-notes coverage``,
in ``torch_notes.features.coverage``): in total, per kind, per repository, per file with
``--files``, and the most frequent symbols without a note. Unless ``--no-write``, it writes
``benchmarks/results/coverage.json`` and ``coverage.md``.

Getting the local copy (needs network, so it is not part of CI; CI tests ``coverage`` on
small synthetic files): ``--urls`` prints one ``URL DEST`` line per file, the raw file at the
listed commit (``https://raw.githubusercontent.com/OWNER/REPO/COMMIT/PATH``) and where it
goes under ``DIR``; download each (``curl -fsSL URL -o DEST``) or take it from a clone
(``git -C REPO show COMMIT:PATH > DEST``). The sha256 check then tells whether the copy is the
one measured here.

``--notes DIR`` (repeatable) adds note directories, as the CLI does: e.g. notes being written
on other branches, to see their effect before they land.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "server"))

from torch_notes.corpus.index import CorpusIndex  # noqa: E402
from torch_notes.corpus.loader import load_corpus  # noqa: E402
from torch_notes.features.coverage import (  # noqa: E402
    ApiVocabulary,
    Tally,
    percent,
    source_references,
)

CORPUS_LIST = HERE / "dev_corpus.json"
RESULTS = REPO / "benchmarks" / "results"


@dataclass(frozen=True, slots=True)
class Entry:
    """One file of the corpus list."""

    repository: str
    commit: str
    path: str
    sha256: str
    lines: int

    def local(self, root: Path) -> Path:
        return root / self.repository / self.path

    def url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repository}/{self.commit}/{self.path}"


def load_entries(path: Path = CORPUS_LIST) -> list[Entry]:
    """The corpus list."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Entry(**item) for item in data["files"]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="local copy of the corpus")
    parser.add_argument("--notes", action="append", type=Path, default=[], metavar="DIR")
    parser.add_argument("--files", action="store_true", help="also print every file's figure")
    parser.add_argument("--top", type=int, default=30, help="missed symbols to print (30)")
    parser.add_argument("--no-write", action="store_true", help="do not write the results")
    parser.add_argument("--urls", action="store_true", help="print URL DEST lines and exit")
    return parser.parse_args(argv)


def _git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def measure(
    entries: list[Entry], root: Path, notes: list[Path]
) -> tuple[dict[str, Tally], dict[str, Tally], list[str], int]:
    """Per-file and per-repository tallies, the problems found, and the number of notes."""
    corpus = load_corpus(notes)
    index = CorpusIndex.build(corpus)
    api = ApiVocabulary.shipped()
    per_file: dict[str, Tally] = {}
    per_repo: dict[str, Tally] = {}
    problems: list[str] = []
    for entry in entries:
        local = entry.local(root)
        try:
            data = local.read_bytes()
        except OSError as err:
            problems.append(f"missing: {local} ({err.strerror or err})")
            continue
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            problems.append(f"changed: {local} (sha256 differs from the list)")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as err:
            problems.append(f"not UTF-8: {local} ({err})")
            continue
        tally = Tally.of(source_references(source, index, api))
        per_file[f"{entry.repository}/{entry.path}"] = tally
        per_repo[entry.repository] = per_repo.get(entry.repository, Tally()) + tally
    return per_file, per_repo, problems, len(corpus.notes)


def _row(name: str, tally: Tally, lines: int | None = None) -> str:
    cells = [name, str(tally.references), str(tally.hits), percent(tally.share)]
    if lines is not None:
        cells.insert(1, f"{lines:,}")
    return "| " + " | ".join(cells) + " |"


def markdown(
    total: Tally,
    per_repo: dict[str, Tally],
    entries: list[Entry],
    notes_count: int,
    meta: dict[str, str],
    top: int,
) -> str:
    """The results as Markdown."""
    files: dict[str, int] = {}
    lines: dict[str, int] = {}
    for entry in entries:
        files[entry.repository] = files.get(entry.repository, 0) + 1
        lines[entry.repository] = lines.get(entry.repository, 0) + entry.lines
    out = [
        "# Coverage on the development corpus",
        "",
        f"Measured {meta['date']} with torch-notes {meta['commit']} and {notes_count} notes, "
        f"over {len(entries)} files ({sum(lines.values()):,} lines) listed in "
        "`benchmarks/coverage/dev_corpus.json`. A reference is a torch name (through the file's "
        "imports) or a call of a `Tensor`/`Module`/`Optimizer` method; a hit is a reference whose "
        "hover shows a note (see `torch_notes/features/coverage.py`).",
        "",
        f"**Total: {percent(total.share)}** ({total.hits} of {total.references} references; "
        f"{len(total.covered)} of {len(set(total.missed) | set(total.covered))} distinct symbols "
        "have a note).",
        "",
        "| kind | references | hits | share |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, (refs, hits) in total.by_kind.items():
        out.append(f"| {kind} | {refs} | {hits} | {percent(hits / refs if refs else None)} |")
    out += [
        "",
        "| repository | files | lines | references | hits | share |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for repo, tally in sorted(per_repo.items()):
        out.append(_row(f"{repo} | {files[repo]}", tally, lines[repo]))
    out += ["", f"Most frequent symbols without a note (top {top}):", ""]
    out += ["| symbol | references |", "| --- | ---: |"]
    out += [f"| `{symbol}` | {count} |" for symbol, count in total.top_missed(top)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    entries = load_entries()
    if args.urls:
        for entry in entries:
            print(entry.url(), entry.local(args.root))
        return 0
    per_file, per_repo, problems, notes_count = measure(entries, args.root, args.notes)
    for problem in problems:
        print(f"measure: {problem}", file=sys.stderr)
    total = sum(per_repo.values(), Tally())
    print(
        f"coverage: {percent(total.share)} ({total.hits}/{total.references} references, "
        f"{len(per_file)} files, {notes_count} notes)"
    )
    for kind, (refs, hits) in total.by_kind.items():
        print(f"  {kind:<7} {percent(hits / refs if refs else None):>8}  ({hits}/{refs})")
    for repo, tally in sorted(per_repo.items()):
        print(f"  {repo:<36} {percent(tally.share):>8}  ({tally.hits}/{tally.references})")
    if args.files:
        for name, tally in per_file.items():
            print(f"  {name:<90} {percent(tally.share):>8}  ({tally.hits}/{tally.references})")
    print(f"most frequent symbols without a note (top {args.top}):")
    for symbol, count in total.top_missed(args.top):
        print(f"  {count:>5}  {symbol}")
    if not args.no_write:
        meta = {
            "date": datetime.date.today().isoformat(),
            "commit": _git_head(),
            "python": platform.python_version(),
        }
        result = {
            **meta,
            "notes": notes_count,
            "extra_notes": [str(path) for path in args.notes],
            "files_measured": len(per_file),
            "files_listed": len(entries),
            "problems": problems,
            "total": total.as_dict(args.top),
            "repositories": {repo: tally.as_dict(10) for repo, tally in sorted(per_repo.items())},
            "files": {name: tally.as_dict(5) for name, tally in per_file.items()},
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "coverage.json").write_text(json.dumps(result, indent=1) + "\n")
        text = markdown(total, per_repo, entries, notes_count, meta, args.top)
        (RESULTS / "coverage.md").write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS / 'coverage.json'} and coverage.md")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
