"""Recall and precision of resolution on real code: the development corpus, hand-labelled.

    .venv/bin/python benchmarks/bench_resolution.py --root DIR [--baseline REF] [--no-write]

``DIR`` is the local copy of the development corpus (``DIR/<owner>/<repo>/<path>``, as for
``benchmarks/coverage/measure.py``). ``benchmarks/resolution/devcorpus_labels.tsv`` labels
every call ``x.name(...)`` of a ``torch.Tensor``/``nn.Module``/``Optimizer`` method name in
it: ``note`` where such a method runs, ``none`` where something else does. The definitions
(a site, a positive, a prediction) are those of ``tests/resolution/evaluation.py``: the
resolver is asked about the torch API, not the notes, so notes being added do not move the
figures.

Prints recall and precision with 95 % intervals (Wilson), per repository, and every miss and
false hit; the same for the labelled set of ``tests/resolution/labelled/``. With
``--baseline REF`` it also measures the resolver of a git revision (its ``server/`` is
extracted to a temporary directory and run in a subprocess) for a before/after table.
Unless ``--no-write``, writes ``benchmarks/results/resolution.json`` and ``resolution.md``.
A labelled site that no longer exists (the copy changed) is reported and counted apart.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LABELS = HERE / "resolution" / "devcorpus_labels.tsv"
LABELLED = REPO / "tests" / "resolution" / "labelled"
RESULTS = HERE / "results"
SERVER = Path(os.environ.get("TORCH_NOTES_SERVER", REPO / "server"))
sys.path[:0] = [str(SERVER), str(REPO)]

from tests.resolution.evaluation import (  # noqa: E402
    ApiMembers,
    Score,
    Site,
    inline_labels,
    sites,
    table_labels,
)

Key = tuple[str, int, int]


def corpus_sites(root: Path, labels: dict[Key, tuple[str, bool]], api: ApiMembers) -> list[Site]:
    """The resolver's prediction at every site of the labelled files."""
    found: list[Site] = []
    for path in sorted({key[0] for key in labels}):
        local = root / path
        if not local.is_file():
            continue
        found += sites(path, local.read_text(encoding="utf-8"), api)
    return found


def labelled_sites(api: ApiMembers) -> list[tuple[Site, bool]]:
    pairs: list[tuple[Site, bool]] = []
    for path in sorted(LABELLED.glob("*.py")):
        shown = str(path.relative_to(REPO))
        pairs += inline_labels(shown, path.read_text(encoding="utf-8"), api)
    return pairs


def predictions(root: Path) -> dict[str, list]:
    """``{"corpus": [[path, line, column, predicted], ...], "labelled": [...]}`` (JSON-ready)."""
    api = ApiMembers.shipped()
    labels = table_labels(LABELS)
    corpus = [[s.path, s.line, s.column, s.predicted] for s in corpus_sites(root, labels, api)]
    labelled = [[s.path, s.line, s.column, s.predicted] for s, _ in labelled_sites(api)]
    return {"corpus": corpus, "labelled": labelled}


def baseline_predictions(root: Path, ref: str) -> dict[str, list]:
    """:func:`predictions` of the resolver at git revision ``ref``, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", ref, "server"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = Path(tmp) / "predictions.json"
        env = dict(os.environ, TORCH_NOTES_SERVER=str(Path(tmp) / "server"))
        subprocess.run(
            [sys.executable, __file__, "--root", str(root), "--predict-to", str(out)],
            env=env,
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))


def wilson(hits: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = hits / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def score_corpus(
    labels: dict[Key, tuple[str, bool]], found: dict[Key, tuple[str, bool, str]]
) -> tuple[Score, dict[str, Score], list[str]]:
    """The score over the corpus, per repository, and the labels whose site is gone."""
    total = Score()
    by_repository: dict[str, Score] = {}
    gone = []
    for key, (name, positive) in sorted(labels.items()):
        site = found.get(key)
        if site is None or site[0] != name:
            gone.append(f"{key[0]}:{key[1]}:{key[2]}: {name}")
            continue
        entry = Site(key[0], key[1], key[2], name, site[1], code=site[2])
        total.add(entry, positive)
        repository = "/".join(key[0].split("/")[:2])
        by_repository.setdefault(repository, Score()).add(entry, positive)
    return total, by_repository, gone


def interval_text(score: Score) -> str:
    positives = score.true_positive + score.false_negative
    shown = score.true_positive + score.false_positive
    recall, precision = wilson(score.true_positive, positives), wilson(score.true_positive, shown)
    return (
        f"recall {100 * score.recall:.1f} % [{100 * recall[0]:.1f}–{100 * recall[1]:.1f}], "
        f"precision {100 * score.precision:.1f} % [{100 * precision[0]:.1f}–"
        f"{100 * precision[1]:.1f}]"
    )


def rescore(pairs: list[tuple[Key, bool]], predicted: dict[Key, bool]) -> Score:
    score = Score()
    for key, positive in pairs:
        score.add(Site(key[0], key[1], key[2], "", predicted.get(key, False)), positive)
    return score


def markdown(report: dict) -> str:
    lines = [
        "# Resolution on real code",
        "",
        f"Measured {report['date']} on {report['machine']} by `benchmarks/bench_resolution.py`.",
        "A site is a call `x.name(...)` of a `torch.Tensor`/`nn.Module`/`Optimizer` method name;",
        "it is positive when such a method runs there (hand labels:",
        "`benchmarks/resolution/devcorpus_labels.tsv`, `tests/resolution/labelled/`).",
        "Brackets: 95 % Wilson intervals.",
        "",
        "| set | resolver | sites | positive | recall | precision |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in report["table"]:
        lines.append(
            f"| {row['set']} | {row['resolver']} | {row['sites']} | {row['positive']} | "
            f"{row['recall']} | {row['precision']} |"
        )
    lines += ["", "## Misses on the development corpus (positive, no note)", ""]
    lines += [f"- `{line}`" for line in report["misses"]] or ["- none"]
    lines += ["", "## False hits on the development corpus (negative, a method note)", ""]
    lines += [f"- `{line}`" for line in report["false_hits"]] or ["- none"]
    lines += ["", "## Misses by method name", ""]
    lines += [f"- `{name}`: {count}" for name, count in report["misses_by_name"]] or ["- none"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="local copy of the corpus")
    parser.add_argument("--baseline", help="also measure the resolver of this git revision")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--predict-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.predict_to is not None:
        args.predict_to.write_text(json.dumps(predictions(args.root)), encoding="utf-8")
        return 0
    api = ApiMembers.shipped()
    labels = table_labels(LABELS)
    found_sites = corpus_sites(args.root, labels, api)
    found = {(s.path, s.line, s.column): (s.name, s.predicted, s.code) for s in found_sites}
    corpus, by_repository, gone = score_corpus(labels, found)
    labelled = Score()
    for site, positive in labelled_sites(api):
        labelled.add(site, positive)
    print(f"development corpus: {corpus.summary()}")
    print(f"  {interval_text(corpus)}")
    for repository, score in sorted(by_repository.items()):
        print(f"  {repository}: {score.summary()}")
    print(f"labelled set: {labelled.summary()}")
    if gone:
        print(f"{len(gone)} labelled sites not found in the local copy (changed or missing):")
        for line in gone[:20]:
            print(f"  {line}")
    table = [
        {
            "set": "development corpus",
            "resolver": "this tree",
            "sites": corpus.sites,
            "positive": corpus.true_positive + corpus.false_negative,
            "recall": f"{100 * corpus.recall:.1f} %",
            "precision": f"{100 * corpus.precision:.1f} %",
        },
        {
            "set": "labelled set",
            "resolver": "this tree",
            "sites": labelled.sites,
            "positive": labelled.true_positive + labelled.false_negative,
            "recall": f"{100 * labelled.recall:.1f} %",
            "precision": f"{100 * labelled.precision:.1f} %",
        },
    ]
    if args.baseline:
        before = baseline_predictions(args.root, args.baseline)
        corpus_pairs = [(key, positive) for key, (_, positive) in labels.items()]
        corpus_before = rescore(
            corpus_pairs, {(p, line, col): hit for p, line, col, hit in before["corpus"]}
        )
        labelled_pairs = [
            ((s.path, s.line, s.column), positive) for s, positive in labelled_sites(api)
        ]
        labelled_before = rescore(
            labelled_pairs, {(p, line, col): hit for p, line, col, hit in before["labelled"]}
        )
        print(f"baseline {args.baseline}, development corpus: {corpus_before.summary()}")
        print(f"baseline {args.baseline}, labelled set: {labelled_before.summary()}")
        for name, score in (
            ("development corpus", corpus_before),
            ("labelled set", labelled_before),
        ):
            table.append(
                {
                    "set": name,
                    "resolver": f"`{args.baseline}`",
                    "sites": score.sites,
                    "positive": score.true_positive + score.false_negative,
                    "recall": f"{100 * score.recall:.1f} %",
                    "precision": f"{100 * score.precision:.1f} %",
                }
            )
    misses = [f"{s.path}:{s.line}:{s.column}: {s.name} | {s.code[:90]}" for s in corpus.misses]
    false_hits = [
        f"{s.path}:{s.line}:{s.column}: {s.name} | {s.code[:90]}" for s in corpus.false_hits
    ]
    print(f"\nmisses ({len(misses)}):")
    for line in misses:
        print(f"  {line}")
    print(f"false hits ({len(false_hits)}):")
    for line in false_hits:
        print(f"  {line}")
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}",
        "table": table,
        "intervals": interval_text(corpus),
        "misses": misses,
        "false_hits": false_hits,
        "misses_by_name": Counter(s.name for s in corpus.misses).most_common(),
        "labelled_misses": [f"{s.path}:{s.line}: {s.name}" for s in labelled.misses],
        "labelled_false_hits": [f"{s.path}:{s.line}: {s.name}" for s in labelled.false_hits],
        "sites_not_found": gone,
    }
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "resolution.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        (RESULTS / "resolution.md").write_text(markdown(report), encoding="utf-8")
        print(f"\nwrote {RESULTS / 'resolution.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
