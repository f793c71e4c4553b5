"""The validator end to end: temporary corpora run through ``torch-notes validate``.

One corpus holds every misbehaviour at once (a failing assert, an infinite
loop, a segfault, ``os._exit``, a memory hog, a file writer, a snippet choice
that fails for one value, an unmet ``requires``) beside good notes; it is
validated once per module and each test checks one aspect of the outcome.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from test_validator_support import line_of, note_yaml, write_notes
from torch_notes.cli.main import main

pytestmark = pytest.mark.timeout(300)

REPO_ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import os
import torch
assert os.listdir(".") == [], "the working directory starts empty"
assert os.path.realpath(os.getcwd()) != os.path.realpath({cwd!r})
torch.save(torch.nn.Linear(2, 2).state_dict(), "validator_model.pt")
os.makedirs("validator_out", exist_ok=True)
with open("validator_out/written.txt", "w") as f:
    f.write("hello")
import tempfile
with open(os.path.join(tempfile.gettempdir(), "validator_scratch.txt"), "w") as f:
    f.write("temp")
assert torch.load("validator_model.pt")["weight"].shape == (2, 2)
"""

CHOICE_SNIPPET = """
snippet:
  prefix: test-choice
  description: {en: "choice", zh: "选择"}
  setup: |
    import torch
    base = torch.ones(2)
  body: |
    value = base * ${1|1,2,3|}
    assert value.sum().item() != 4, f"the value 2 breaks it: {value}"
  check: |
    assert value.shape == (2,)
"""

CHECK_FAILS_SNIPPET = """
snippet:
  prefix: test-check
  description: {en: "check", zh: "检查"}
  body: |
    total = ${1:1} + ${2:2}
  check: |
    assert total == 3
    assert total == 4, "check line 2 fails"
"""


@pytest.fixture(scope="module")
def misbehaving(tmp_path_factory: pytest.TempPathFactory):
    """Validate a corpus of good and bad notes once; yields what the tests inspect."""
    root = tmp_path_factory.mktemp("misbehaving")
    cwd = root / "cwd"
    cwd.mkdir()
    tmp = root / "tmp"
    tmp.mkdir()
    path = write_notes(
        root / "corpus" / "notes.yaml",
        note_yaml("t.first_good", "import torch\nassert torch.ones(2).sum() == 2\n"),
        note_yaml("t.failing_assert", "x = 1\ny = 2\nassert x + y == 4, 'arithmetic is broken'\n"),
        note_yaml("t.infinite_loop", "while True:\n    pass\n"),
        note_yaml("t.segfault", "import ctypes\nctypes.string_at(0)\n"),
        note_yaml("t.os_exit", "import os\nos._exit(3)\n"),
        note_yaml(
            "t.memory_hog",
            "import time, torch\nx = torch.ones(3 * 2**30, dtype=torch.uint8)\ntime.sleep(60)\n",
        ),
        note_yaml("t.writer", WRITER.format(cwd=str(cwd))),
        note_yaml("t.choice", "import torch\n", snippet=CHOICE_SNIPPET),
        note_yaml("t.check_fails", "import torch\n", snippet=CHECK_FAILS_SNIPPET),
        note_yaml(
            "t.needs_cuda", "import torch\nassert torch.cuda.is_available()\n", requires="cuda"
        ),
        note_yaml("t.needs_two_gpus", "import torch\n", requires="torchvision, multi_gpu"),
        note_yaml("t.last_good", "import torch\nassert torch.zeros(3).sum() == 0\n"),
    )
    report = root / "report.json"
    saved_cwd, saved_tempdir = os.getcwd(), tempfile.tempdir
    os.chdir(cwd)
    tempfile.tempdir = str(tmp)  # the validator's worker scratch directories go here
    try:
        rc = main(
            [
                "validate",
                str(path),
                "--jobs",
                "2",
                "--timeout",
                "8",
                "--memory-limit",
                "1800",
                "--json",
                str(report),
            ]
        )
    finally:
        os.chdir(saved_cwd)
        tempfile.tempdir = saved_tempdir
    data = json.loads(report.read_text(encoding="utf-8"))
    jobs = {(job["note"], tuple(sorted(job["choices"].items()))): job for job in data["jobs"]}
    return {"rc": rc, "path": path, "report": data, "jobs": jobs, "cwd": cwd, "tmp": tmp}


def job(misbehaving, note_id: str, **choices: str) -> dict:
    key = tuple(sorted((k.lstrip("_"), v) for k, v in choices.items()))
    return misbehaving["jobs"][(note_id, key)]


def test_exit_status_is_1_when_anything_fails(misbehaving) -> None:
    assert misbehaving["rc"] == 1


def test_good_notes_pass_around_the_bad_ones(misbehaving) -> None:
    assert job(misbehaving, "t.first_good")["outcome"] == "passed"
    assert job(misbehaving, "t.last_good")["outcome"] == "passed"


def test_failing_assert_is_reported_at_its_yaml_line(misbehaving) -> None:
    result = job(misbehaving, "t.failing_assert")
    assert result["outcome"] == "failed"
    assert result["reason"] == "AssertionError: arithmetic is broken"
    yaml_line = line_of(misbehaving["path"], "assert x + y == 4")
    assert result["failure_location"].endswith(f"notes.yaml:{yaml_line} (example line 3)")
    assert f"notes.yaml:{yaml_line} (example line 3), in <module>" in result["traceback"]
    assert "assert x + y == 4" in result["traceback"]
    assert "forkserver.py" not in result["traceback"], "the fork server's own frames are trimmed"


def test_infinite_loop_times_out(misbehaving) -> None:
    result = job(misbehaving, "t.infinite_loop")
    assert result["outcome"] == "failed"
    assert result["reason"] == "timed out after 8 s"
    assert 8 <= result["seconds"] < 15


def test_segfault_is_the_notes_failure(misbehaving) -> None:
    result = job(misbehaving, "t.segfault")
    assert result["outcome"] == "failed"
    assert result["reason"] == "worker crashed: killed by signal 11 (SIGSEGV)"
    yaml_line = line_of(misbehaving["path"], "ctypes.string_at(0)")
    # faulthandler's dump, mapped to the note file
    assert result["failure_location"].endswith(f"notes.yaml:{yaml_line} (example line 2)")


def test_os_exit_is_the_notes_failure(misbehaving) -> None:
    result = job(misbehaving, "t.os_exit")
    assert result["outcome"] == "failed"
    assert result["reason"] == "worker crashed: exited with code 3"


def test_memory_hog_is_killed(misbehaving) -> None:
    result = job(misbehaving, "t.memory_hog")
    assert result["outcome"] == "failed"
    assert result["reason"].startswith("exceeded the memory limit")
    assert result["seconds"] < 8, "killed for memory, well before the timeout"


def test_example_that_writes_files_leaves_nothing_behind(misbehaving) -> None:
    assert job(misbehaving, "t.writer")["outcome"] == "passed"
    assert list(misbehaving["cwd"].iterdir()) == [], "nothing written in the validator's cwd"
    assert list(misbehaving["tmp"].iterdir()) == [], "worker scratch directories are removed"
    for name in ("validator_model.pt", "validator_out", "validator_scratch.txt"):
        assert not (REPO_ROOT / name).exists()
        assert not (misbehaving["path"].parent / name).exists()


def test_exactly_the_failing_choice_fails(misbehaving) -> None:
    assert job(misbehaving, "t.choice", _1="1")["outcome"] == "passed"
    assert job(misbehaving, "t.choice", _1="3")["outcome"] == "passed"
    bad = job(misbehaving, "t.choice", _1="2")
    assert bad["outcome"] == "failed"
    assert bad["reason"].startswith("AssertionError: the value 2 breaks it")
    yaml_line = line_of(misbehaving["path"], "assert value.sum().item() != 4")
    assert bad["failure_location"].endswith(f"notes.yaml:{yaml_line} (snippet body line 2)")
    snippet_jobs = [j for j in misbehaving["report"]["jobs"] if j["note"] == "t.choice"]
    assert [j["kind"] for j in snippet_jobs] == ["example", "snippet", "snippet", "snippet"]


def test_snippet_check_failure_maps_to_the_check_line(misbehaving) -> None:
    result = job(misbehaving, "t.check_fails")
    assert result["outcome"] == "failed"
    yaml_line = line_of(misbehaving["path"], 'assert total == 4, "check line 2 fails"')
    assert result["failure_location"].endswith(f"notes.yaml:{yaml_line} (snippet check line 2)")


def test_unmet_requires_are_skipped_with_the_reason(misbehaving) -> None:
    cuda = misbehaving["report"]["cuda"]
    needs_cuda = job(misbehaving, "t.needs_cuda")
    if cuda:
        assert needs_cuda["outcome"] == "passed"
    else:
        assert needs_cuda["outcome"] == "skipped"
        assert needs_cuda["reason"] == "needs cuda (torch.cuda.is_available() is False)"
    two = job(misbehaving, "t.needs_two_gpus")
    assert two["outcome"] == "skipped"
    assert two["reason"].startswith("needs multi_gpu (torch.cuda.device_count() is ")
    assert misbehaving["report"]["notes"]["t.needs_two_gpus"]["outcome"] == "skipped"


def test_json_report_contents(misbehaving) -> None:
    report = misbehaving["report"]
    import torch

    assert report["torch"] == torch.__version__
    assert report["device"] in ("cpu", report["device"]) and report["device"]
    assert report["platform"] and report["python"]
    assert report["wall_seconds"] > 0
    assert report["workers"] == 2
    notes = report["notes"]
    assert notes["t.failing_assert"]["outcome"] == "failed"
    assert notes["t.choice"]["outcome"] == "failed"
    assert notes["t.first_good"] == {"outcome": "passed", "reason": ""}
    counts = report["counts"]
    assert sum(counts.values()) == len(report["jobs"]) == 16
    for entry in report["jobs"]:
        assert set(entry) >= {"note", "kind", "choices", "outcome", "reason", "seconds", "location"}
        assert entry["location"].split(":")[0].endswith("notes.yaml")
    choice = job(misbehaving, "t.choice", _1="2")
    assert choice["kind"] == "snippet" and choice["choices"] == {"1": "2"}
    assert int(choice["location"].rsplit(":", 1)[1]) == line_of(
        misbehaving["path"], "value = base * ${1|1,2,3|}"
    )


# -- smaller runs ----------------------------------------------------------------


def test_all_good_exits_0_and_prints_plain_lines(tmp_path: Path, capsys) -> None:
    path = write_notes(
        tmp_path / "good.yaml",
        note_yaml("t.one", "import torch\nassert torch.ones(1).item() == 1\n"),
        note_yaml("t.two", "x = 2\n", requires="cuda"),
    )
    assert main(["validate", str(path), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "PASS t.one (" in out
    lines = out.splitlines()
    assert any(
        line.startswith("SKIP t.two: needs cuda (") or line.startswith("PASS t.two (")
        for line in lines
    )
    assert "passed" in out and "slowest" in out


def test_loader_errors_are_printed_and_exit_1(tmp_path: Path, capsys) -> None:
    path = write_notes(
        tmp_path / "mixed.yaml",
        note_yaml("t.fine", "assert True\n"),
        note_yaml("t.broken", "def broken(:\n"),
    )
    assert main(["validate", str(path), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    broken_line = line_of(path, "def broken(:")
    assert f"mixed.yaml:{broken_line}: note 't.broken': 'example'" in captured.err
    assert "PASS t.fine (" in captured.out


def test_only_selects_notes_and_rejects_unknown_ids(tmp_path: Path, capsys) -> None:
    path = write_notes(
        tmp_path / "two.yaml",
        note_yaml("t.keep", "assert True\n"),
        note_yaml("t.drop", "assert False\n"),
    )
    assert main(["validate", str(path), "--only", "t.keep", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "PASS t.keep" in out and "t.drop" not in out
    assert main(["validate", str(path), "--only", "t.nope"]) == 2
    assert "no such note: t.nope" in capsys.readouterr().err


def test_record_refuses_partial_runs(tmp_path: Path, capsys) -> None:
    path = write_notes(tmp_path / "one.yaml", note_yaml("t.one", "assert True\n"))
    assert main(["validate", str(path), "--record"]) == 2
    assert "--record needs a full run" in capsys.readouterr().err
    assert main(["validate", "--only", "tensor.contiguous", "--record"]) == 2
    assert "--record needs a full run" in capsys.readouterr().err


SEEDED = """
import random, numpy, torch
assert random.random() == random.Random(0).random()
assert numpy.random.rand() == numpy.random.RandomState(0).rand()
assert torch.equal(torch.rand(2), torch.rand(2, generator=torch.Generator().manual_seed(0)))
random.seed(5)
torch.manual_seed(5)
"""


def test_every_job_starts_from_the_same_seeds(tmp_path: Path, capsys) -> None:
    path = write_notes(
        tmp_path / "seeds.yaml", note_yaml("t.seeds", SEEDED), note_yaml("t.seeds_again", SEEDED)
    )
    assert main(["validate", str(path), "--jobs", "1"]) == 0, capsys.readouterr().out


def test_the_fallback_sandbox_is_asked_for_and_reported(tmp_path: Path, capsys) -> None:
    path = write_notes(tmp_path / "one.yaml", note_yaml("t.one", "assert True\n"))
    report = tmp_path / "report.json"
    assert (
        main(["validate", str(path), "--jobs", "1", "--sandbox", "landlock", "--json", str(report)])
        == 0
    )
    captured = capsys.readouterr()
    assert "WARNING: weaker sandbox: asked for (--sandbox landlock" in captured.out
    assert "WARNING: weaker sandbox" in captured.err
    sandbox = json.loads(report.read_text(encoding="utf-8"))["sandbox"]
    assert sandbox["tool"] == "landlock (fallback)" and sandbox["fallback"]


def test_validate_never_imports_torch_in_the_parent(tmp_path: Path) -> None:
    path = write_notes(tmp_path / "one.yaml", note_yaml("t.one", "import torch\n"))
    code = (
        "import sys\n"
        "from torch_notes.cli.main import main\n"
        f"rc = main(['validate', {str(path)!r}, '--jobs', '1'])\n"
        "assert 'torch' not in sys.modules, 'the parent imported torch'\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS t.one" in done.stdout


def test_one_builtin_file_validates_alone(capsys) -> None:
    from torch_notes.corpus.paths import builtin_corpus_dir

    path = builtin_corpus_dir() / "memory_layout.yaml"
    assert main(["validate", str(path), "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "", "notes of other files resolve as related ids"
    assert "PASS tensor.contiguous (" in captured.out
    assert "creation." not in captured.out, "only the named file's notes run"
