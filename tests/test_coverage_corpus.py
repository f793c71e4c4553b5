"""The development corpus list and the measuring script, on synthetic files (no real code in CI)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks" / "coverage"))

import measure  # noqa: E402

ALLOWED = {
    "karpathy/nanoGPT": "",
    "karpathy/minGPT": "",
    "pytorch/tutorials": (
        "beginner_source/",
        "intermediate_source/",
        "advanced_source/",
        "recipes_source/",
    ),
    "huggingface/pytorch-image-models": "",
    "pytorch/vision": ("references/",),
    "Lightning-AI/pytorch-lightning": ("examples/",),
}


def test_corpus_list_names_only_the_development_repositories():
    entries = measure.load_entries()
    assert 60 <= len(entries) <= 150
    assert 20_000 <= sum(entry.lines for entry in entries) <= 40_000
    assert {entry.repository for entry in entries} == set(ALLOWED)
    assert len({(entry.repository, entry.path) for entry in entries}) == len(entries)
    for entry in entries:
        assert entry.path.endswith(".py") and entry.path.startswith(ALLOWED[entry.repository])
        assert re.fullmatch(r"[0-9a-f]{40}", entry.commit)
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
        assert entry.url().startswith("https://raw.githubusercontent.com/")
    data = json.loads(measure.CORPUS_LIST.read_text(encoding="utf-8"))
    assert data["selection"] and data["description"]


def test_measure_reports_missing_and_changed_files(tmp_path):
    def entry(path: str, text: str) -> measure.Entry:
        digest = hashlib.sha256(text.encode()).hexdigest()
        return measure.Entry("karpathy/nanoGPT", "0" * 40, path, digest, text.count("\n"))

    same = "import torch\nx = torch.zeros(2).view(-1)\n"
    entries = [entry("same.py", same), entry("changed.py", same), entry("missing.py", same)]
    base = tmp_path / "karpathy" / "nanoGPT"
    base.mkdir(parents=True)
    (base / "same.py").write_text(same, encoding="utf-8")
    (base / "changed.py").write_text(same + "y = torch.ones(1)\n", encoding="utf-8")
    per_file, per_repo, problems, notes = measure.measure(entries, tmp_path, [])
    assert notes > 0
    assert sorted(per_file) == ["karpathy/nanoGPT/changed.py", "karpathy/nanoGPT/same.py"]
    assert per_file["karpathy/nanoGPT/same.py"].references == 2
    assert per_file["karpathy/nanoGPT/changed.py"].references == 3
    assert per_repo["karpathy/nanoGPT"].references == 5
    assert [problem.split(":")[0] for problem in problems] == ["changed", "missing"]
    assert "changed.py" in problems[0] and "missing.py" in problems[1]
