"""The validator's containment and judging pieces, without torch.

The wire checks, the fork server's verdict, the cgroup v2 code on a fake
hierarchy, the bubblewrap command line, process helpers, and the pool against a
fake fork server that misbehaves on purpose: every job still gets one result.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import torch_notes
from torch_notes.validation import pool as pool_module
from torch_notes.validation.containment import WorkerProcess, bwrap, worker_env
from torch_notes.validation.containment.limits import Cgroup, Limits, cgroup_parent
from torch_notes.validation.containment.processes import (
    descendants,
    kill_descendants,
    proportional_mib,
    usage,
)
from torch_notes.validation.forkserver import VERDICT, verdict
from torch_notes.validation.jobs import Job, LineMap
from torch_notes.validation.pool import PoolOptions, WorkerPool
from torch_notes.validation.tags import TagStatus
from torch_notes.validation.wire import (
    LineBuffer,
    ProtocolError,
    decode,
    encode,
    parse_ready,
    parse_result,
)

# -- wire -----------------------------------------------------------------------


def _result(**fields: object) -> dict[str, object]:
    return {"type": "result", "key": "k", "outcome": "passed", **fields}


def test_a_well_formed_result_is_read() -> None:
    message = decode(encode(_result(reason="", seconds=1, traceback="t", line=3, stray=1)))
    result = parse_result(message)
    assert (result.key, result.outcome, result.seconds, result.line, result.stray) == (
        "k",
        "passed",
        1.0,
        3,
        1,
    )


@pytest.mark.parametrize(
    "message",
    [
        {"type": "ready"},
        {"type": "result", "outcome": "passed"},
        _result(outcome="PASSED"),
        _result(outcome=None),
        _result(key=5),
        _result(line="3"),
        _result(line=True),
        _result(line=-1),
        _result(seconds="fast"),
        _result(seconds=float("inf")),
        _result(reason=["x"]),
        _result(stray=-2),
    ],
)
def test_a_malformed_result_is_refused(message: dict[str, object]) -> None:
    with pytest.raises(ProtocolError):
        parse_result(message)


@pytest.mark.parametrize("line", [b"not json", b"[1, 2]", b'"text"', b"[" * 100_000])
def test_lines_that_are_no_message_are_refused(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


def test_ready_needs_the_environment() -> None:
    ready = {"type": "ready", "torch": "2", "device": "cpu", "platform": "p", "python": "3"}
    assert parse_ready(ready) is ready
    with pytest.raises(ProtocolError):
        parse_ready({**ready, "torch": None})
    with pytest.raises(ProtocolError):
        parse_ready({**ready, "sandbox": "open"})


def test_line_buffer_splits_lines_and_bounds_them() -> None:
    buffer = LineBuffer(limit=10)
    assert buffer.feed(b"ab\ncd") == [b"ab"]
    assert buffer.feed(b"e\n\n") == [b"cde"]
    with pytest.raises(ProtocolError):
        buffer.feed(b"x" * 11)
    assert buffer.feed(b"ok\n") == [b"ok"], "the buffer starts afresh after a refused line"


# -- the fork server's verdict ----------------------------------------------------


def _exit_status(code: int) -> int:
    return code << 8


def test_only_a_clean_exit_with_nothing_reported_passes() -> None:
    assert verdict(_exit_status(0), b"", 30)["outcome"] == "passed"
    for status, report in [
        (_exit_status(0), b'{"type": "result", "outcome": "passed"}\n'),
        (_exit_status(0), VERDICT),
        (_exit_status(0), b"x"),
        (_exit_status(1), b""),
        (signal.SIGKILL, b""),
    ]:
        assert verdict(status, report, 30)["outcome"] == "failed", (status, report)


def test_the_verdict_reads_the_childs_failure_details() -> None:
    details = {"reason": "AssertionError: no", "traceback": "Traceback ...", "line": 4}
    result = verdict(_exit_status(1), VERDICT + json.dumps(details).encode(), 30)
    assert result == {"outcome": "failed", **details}
    forged = VERDICT + json.dumps({"outcome": "passed"}).encode()
    assert verdict(_exit_status(0), forged, 30) == {
        "outcome": "failed",
        "reason": "the job failed; its failure report is unreadable",
    }
    written = verdict(_exit_status(0), b'{"outcome": "passed"}', 30)
    assert written["reason"] == "the job wrote to the validator's report channel"


def test_crashes_and_timeouts_are_described() -> None:
    assert verdict(None, b"", 8)["reason"] == "timed out after 8 s"
    assert verdict(_exit_status(3), b"", 8)["reason"] == "worker crashed: exited with code 3"
    assert verdict(signal.SIGSEGV, b"", 8)["reason"] == (
        "worker crashed: killed by signal 11 (SIGSEGV)"
    )


def test_tag_status_answers_from_the_probe_and_checks_packages_once() -> None:
    checked = []

    def check(tag: str) -> str | None:
        checked.append(tag)
        return None if tag == "torchvision" else f"needs {tag} (absent)"

    status = TagStatus({"cuda": "needs cuda (no)", "multi_gpu": "needs multi_gpu (no)"}, check)
    assert status.first_unmet(["torchvision"]) is None
    assert status.first_unmet(["torchvision", "cuda"]) == "needs cuda (no)"
    assert status.first_unmet(["matplotlib"]) == "needs matplotlib (absent)"
    assert status.first_unmet(["matplotlib", "torchvision"]) == "needs matplotlib (absent)"
    assert checked == ["torchvision", "matplotlib"]
    with pytest.raises(ValueError, match="unknown requires tag 'tpu'"):
        status.first_unmet(["tpu"])


# -- cgroup v2 on a fake hierarchy ------------------------------------------------


def _fake_hierarchy(root: Path, controllers: str, subtree: str = "") -> Path:
    (root / "cgroup.controllers").write_text(controllers)
    (root / "cgroup.subtree_control").write_text(subtree)
    own = root / "user.slice"
    own.mkdir()
    (own / "cgroup.controllers").write_text(controllers)
    (own / "cgroup.subtree_control").write_text(subtree)
    return own


def test_no_cgroup_without_memory_and_pids(tmp_path: Path) -> None:
    _fake_hierarchy(tmp_path, "cpu hugetlb")
    parent, why = cgroup_parent(tmp_path, "/user.slice")
    assert parent is None and "no memory and pids controllers" in why
    assert cgroup_parent(tmp_path / "absent", "/")[0] is None


def test_cgroup_parent_prefers_its_own_delegated_group(tmp_path: Path) -> None:
    own = _fake_hierarchy(tmp_path, "cpu memory pids", subtree="memory pids")
    assert cgroup_parent(tmp_path, "/user.slice") == (own, "")


def test_a_worker_cgroup_gets_its_limits_and_reports_oom(tmp_path: Path) -> None:
    group = Cgroup(tmp_path / "worker", Limits(memory_mib=100, tasks=50))
    assert (group.path / "memory.max").read_text() == str(100 * 2**20)
    assert (group.path / "pids.max").read_text() == "50"
    assert (group.path / "memory.oom.group").read_text() == "1"
    assert not group.out_of_memory()
    (group.path / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    assert group.out_of_memory()
    assert group.procs == group.path / "cgroup.procs"


# -- bubblewrap command line ------------------------------------------------------


def test_the_bwrap_command_isolates_and_hides(tmp_path: Path) -> None:
    argv = bwrap.command(
        "/usr/bin/bwrap", ["python3", "-c", "pass"], read_only=[str(tmp_path)], tmpfs_mib=64
    )
    text = " ".join(argv)
    for flag in (
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--die-with-parent",
        "--new-session",
        "--disable-userns",
        "--cap-drop ALL",
        "--proc /proc",
        "--dev /dev",
        f"--size {64 * 2**20} --tmpfs /tmp",
        f"--size {64 * 2**20} --tmpfs /dev/shm",
        f"--ro-bind {tmp_path} {tmp_path}",
    ):
        assert flag in text, flag
    assert argv[-4:] == ["--", "python3", "-c", "pass"]
    assert "--bind " not in text, "nothing of the host is bound writable"
    for hidden in ("/run", "/home", "/var", "/root"):
        assert f" {hidden} " not in text
    if os.path.isfile("/etc/shadow"):
        assert "--ro-bind /dev/null /etc/shadow" in text


PACKAGE = Path(torch_notes.__file__).resolve().parent


def test_roots_under_tmp_are_bound_over_the_private_tmp(tmp_path: Path) -> None:
    """A torch_notes below /tmp (an editor profile made by a test, a temporary venv) must
    stay visible: its bind comes after the private /tmp is mounted, not before."""
    assert str(tmp_path).startswith("/tmp/"), "pytest's tmp_path is below /tmp here"
    argv = bwrap.command("/usr/bin/bwrap", ["true"], read_only=[str(tmp_path)], tmpfs_mib=8)
    bind = argv.index(str(tmp_path))
    private_tmp = max(i for i, arg in enumerate(argv) if arg == "/tmp" and argv[i - 1] == "--tmpfs")
    assert private_tmp < bind


def test_a_package_below_tmp_validates_in_the_sandbox(tmp_path: Path) -> None:
    if bwrap.find_bwrap() is None:
        pytest.skip("bubblewrap is not installed")
    shutil.copytree(PACKAGE, tmp_path / "torch_notes", ignore=shutil.ignore_patterns("__pycache__"))
    note = tmp_path / "note.yaml"
    note.write_text(
        "topic: t\nnotes:\n  - id: t.one\n    symbols: [torch.ones]\n"
        '    title: {en: "One", zh: "一"}\n    summary: {en: "S.", zh: "摘要。"}\n'
        '    body: {en: "B.", zh: "正文。"}\n    example: |\n      import torch\n'
        "      assert torch.ones(1).item() == 1\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "TORCH_NOTES_SANDBOX": "bwrap"}
    run = subprocess.run(
        [sys.executable, "-m", "torch_notes", "validate", str(note), "--jobs", "1"],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 notes, 1 jobs" in run.stdout


def test_python_roots_are_directories_without_duplicates(tmp_path: Path) -> None:
    roots = bwrap.python_roots(tmp_path)
    assert str(tmp_path.resolve()) in roots
    assert len(roots) == len(set(roots))
    assert all(os.path.isdir(root) for root in roots)


def test_the_worker_environment_drops_the_users_secrets(monkeypatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    env = worker_env("/tmp")
    assert "AWS_SECRET_ACCESS_KEY" not in env
    assert env["CUDA_VISIBLE_DEVICES"] == "0"
    assert env["TMPDIR"] == "/tmp" and env["PYTORCH_NVML_BASED_CUDA_CHECK"] == "1"


# -- processes ----------------------------------------------------------------------


def test_descendants_are_found_measured_and_killed() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys, time\n"
         "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
         "time.sleep(60)"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while len(descendants(proc.pid)) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        children = descendants(proc.pid)
        assert len(children) == 1
        used = usage([proc.pid, *children])
        assert used.resident_mib > 1 and used.tasks >= 2
        assert 0 < proportional_mib([proc.pid]) <= usage([proc.pid]).resident_mib + 1
        assert kill_descendants(proc.pid) == 1
    finally:
        proc.kill()
        proc.wait()


# -- the pool against a misbehaving fork server --------------------------------------

FAKE_SERVER = r"""
import json, os, sys
requests = os.fdopen(int(sys.argv[1]), "rb")
results = os.fdopen(int(sys.argv[2]), "wb")
def send(raw):
    results.write(raw)
    results.flush()
send(json.dumps({"type": "ready", "torch": "0", "device": "cpu", "platform": "p",
                 "python": "3", "sandbox": {"fake": "yes"}}).encode() + b"\n")
for line in requests:
    request = json.loads(line)
    key, how = request["key"], request["source"]
    good = {"type": "result", "key": key, "outcome": "passed", "reason": "", "seconds": 0.1}
    if how == "garbage":
        send(b"this is not json\n")
    elif how == "wrong key":
        send(json.dumps({**good, "key": "other"}).encode() + b"\n")
    elif how == "bad field":
        send(json.dumps({**good, "line": "seven"}).encode() + b"\n")
    elif how == "twice":
        send(json.dumps(good).encode() + b"\n" + json.dumps(good).encode() + b"\n")
    elif how == "die":
        print("dying", flush=True)
        os._exit(3)
    elif how == "fail":
        send(json.dumps({**good, "outcome": "failed", "reason": "nope"}).encode() + b"\n")
    else:
        send(json.dumps(good).encode() + b"\n")
"""


class _FakeLauncher:
    """Starts :data:`FAKE_SERVER` instead of a sandboxed fork server."""

    bwrap = "fake"

    def __init__(self, limits: Limits, *, tmpfs_mib: int, mode: str) -> None:
        self.applied = {"tool": "fake", "fallback": ""}

    def start(
        self, scratch: Path, *, requests_fd: int, results_fd: int, log_fd: int
    ) -> WorkerProcess:
        script = scratch / "server.py"
        script.write_text(FAKE_SERVER)
        proc = subprocess.Popen(
            [sys.executable, str(script), str(requests_fd), str(results_fd)],
            stdin=subprocess.DEVNULL,
            stdout=log_fd,
            stderr=log_fd,
            pass_fds=(requests_fd, results_fd),
            start_new_session=True,
        )
        return WorkerProcess(proc, None)


def _job(index: int, how: str) -> Job:
    path = Path("fake.yaml")
    return Job(f"j{index}:{how}", f"j{index}", "example", (), how, LineMap(path, ()), (), path, 1)


def test_the_pool_survives_whatever_a_worker_sends(monkeypatch) -> None:
    monkeypatch.setattr(pool_module, "Launcher", _FakeLauncher)
    kinds = ["ok", "garbage", "ok", "wrong key", "ok", "bad field", "ok", "twice", "ok", "die",
             "fail", "ok"]  # fmt: skip
    jobs = [_job(i, how) for i, how in enumerate(kinds)]
    seen = []
    with WorkerPool(PoolOptions(workers=1, timeout=20)) as pool:
        results = pool.run(jobs, lambda job, result: seen.append(job.key))
    assert [r.key for r in results] == [j.key for j in jobs]
    assert sorted(seen) == sorted(j.key for j in jobs), "one result per job, reported once"
    by_index = dict(enumerate(results))
    for index in (0, 2, 4, 6, 7, 11):  # "twice" passes: its own result came first
        assert by_index[index].outcome == "passed", (index, by_index[index])
    for index in (1, 3, 5):
        result = by_index[index]
        assert result.outcome == "failed"
        assert result.reason.startswith("the worker sent a malformed message"), result.reason
    # the duplicate of 7's result fails 8 if 8 was in flight by then; else it only ends the worker
    after_twice = by_index[8]
    assert after_twice.outcome == "passed" or after_twice.reason.startswith(
        "the worker sent a malformed message"
    ), after_twice
    died = by_index[9]
    assert died.reason == "worker crashed: exited with code 3" and "dying" in died.output
    assert by_index[10].reason == "nope", "a job queued behind a dying worker runs elsewhere"
    assert pool.environment["sandbox"] == {"tool": "fake", "fallback": "", "fake": "yes"}
