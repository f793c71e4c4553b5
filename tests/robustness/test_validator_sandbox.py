"""The validator's sandbox: hostile notes are stopped or contained and reported.

One run holds a note that loops forever, one that allocates without bound, one that
forks a child that outlives the job (double fork and ``setsid``), one that writes
outside its temporary directory, one that connects to a listening loopback socket
and one that pipes a shell command, between good notes; the run finishes and
reports every note. It runs twice: with the sandbox the validator picks here
(bubblewrap where installed) and with the fallback (Landlock). Containment that
the platform lacks is skipped, not failed: the report says what was applied
(``sandbox``). The attacks bubblewrap alone stops are in ``test_validator_hostile.py``.
"""

from __future__ import annotations

import os
import re
import socket
import time

import psutil
import pytest

from test_validator_support import note_yaml, write_notes
from torch_notes.corpus.loader import load_corpus
from torch_notes.validation.jobs import jobs_for_notes
from torch_notes.validation.pool import PoolOptions
from torch_notes.validation.runner import validate_jobs

pytestmark = pytest.mark.timeout(300)

FORKER = """
import os, sys
read, write = os.pipe()
if os.fork() == 0:  # child: start a grandchild in a new session, then vanish
    os.setsid()
    if os.fork() == 0:
        os.write(write, str(os.getpid()).encode())
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", {mark!r}])
    os._exit(0)
os.wait()
grandchild = int(os.read(read, 32))
print("grandchild", grandchild)
assert False, f"grandchild pid {{grandchild}}"
"""
GRANDCHILD_MARK = f"torch-notes-grandchild-{os.getpid()}"

WRITER = """
import os
path = {path!r}
with open("inside.txt", "w") as f:  # the job's own directory: allowed
    f.write("ok")
try:
    with open(path, "w") as f:
        f.write("escaped")
finally:
    assert open("inside.txt").read() == "ok"
"""

CONNECTOR = """
import socket
socket.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"escaped")
"""

FORK_BOMB = """
import os, time
for _ in range(200):
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)
time.sleep(30)
"""

HOG = """
hoard = []
while True:
    hoard.append(bytearray(50 * 2**20))
"""


@pytest.fixture(scope="module", params=["auto", "landlock"])
def sandboxed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("sandbox")
    outside = root / "outside"
    outside.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    path = write_notes(
        root / "notes" / "hostile.yaml",
        note_yaml("s.first_good", "assert sum([1, 2]) == 3\n"),
        note_yaml("s.loop", "while True:\n    pass\n"),
        note_yaml("s.hog", HOG),
        note_yaml("s.fork_bomb", FORK_BOMB),
        note_yaml("s.forker", FORKER.format(mark=GRANDCHILD_MARK)),
        note_yaml("s.writer", WRITER.format(path=str(outside / "pwned.txt"))),
        note_yaml("s.connector", CONNECTOR.format(port=port)),
        note_yaml("s.last_good", "import torch\nassert torch.ones(2).sum() == 2\n"),
    )
    corpus = load_corpus([path], include_builtin=False)
    assert not corpus.errors, corpus.errors
    start = time.monotonic()
    run = validate_jobs(
        jobs_for_notes(corpus.notes),
        PoolOptions(
            workers=2, timeout=6, memory_limit_mib=1200, max_tasks=64, sandbox=request.param
        ),
    )
    elapsed = time.monotonic() - start
    try:
        connection, _ = listener.accept()
        connection.close()
        connected = True
    except OSError:
        connected = False
    listener.close()
    results = {result.job.note_id: result for result in run.results}
    return {
        "run": run,
        "results": results,
        "outside": outside,
        "connected": connected,
        "elapsed": elapsed,
        "sandbox": run.environment.get("sandbox", {}),
    }


def test_every_note_is_reported_and_the_good_ones_pass(sandboxed):
    results = sandboxed["results"]
    assert set(results) == {
        "s.first_good", "s.loop", "s.hog", "s.fork_bomb", "s.forker", "s.writer", "s.connector",
        "s.last_good",
    }  # fmt: skip
    assert results["s.first_good"].outcome == "passed"
    assert results["s.last_good"].outcome == "passed"
    print(f"sandbox: {sandboxed['sandbox']}; run took {sandboxed['elapsed']:.1f} s")


def test_infinite_loop_is_stopped(sandboxed):
    result = sandboxed["results"]["s.loop"]
    assert result.outcome == "failed"
    assert result.reason == "timed out after 6 s"


def test_unbounded_allocation_is_stopped(sandboxed):
    result = sandboxed["results"]["s.hog"]
    assert result.outcome == "failed"
    assert result.reason.startswith("exceeded the memory limit"), result.reason


def test_process_limit_stops_a_fork_bomb(sandboxed):
    """Polled (and for a non-root user also RLIMIT_NPROC inside its user namespace)."""
    result = sandboxed["results"]["s.fork_bomb"]
    assert result.outcome == "failed"
    assert result.reason.startswith("exceeded the process limit") or re.match(
        r"BlockingIOError: \[Errno 11\]", result.reason
    ), result.reason


def test_forked_grandchild_does_not_outlive_its_job(sandboxed):
    result = sandboxed["results"]["s.forker"]
    assert result.outcome == "failed"
    match = re.search(r"grandchild pid (\d+)", result.reason)
    assert match, result.reason
    assert "killed 1 process(es) the job left running" in result.reason
    # the pid it printed is its pid in the worker's PID namespace: find it by its mark
    alive = [
        p.pid
        for p in psutil.process_iter(["cmdline", "status"])
        if GRANDCHILD_MARK in (p.info["cmdline"] or []) and p.info["status"] != "zombie"
    ]
    assert not alive, f"the job's grandchild survived: {alive}"


def test_write_outside_the_temporary_directory_is_refused(sandboxed):
    sandbox = sandboxed["sandbox"]
    if not sandbox["tool"].startswith("bubblewrap") and not sandbox["writes"].startswith(
        "landlock"
    ):
        pytest.skip(f"no Landlock here: {sandbox}")
    result = sandboxed["results"]["s.writer"]
    assert result.outcome == "failed"
    # Landlock refuses the write; under bubblewrap the directory is not even there
    assert re.match(r"(PermissionError|FileNotFoundError)", result.reason), result.reason
    assert not (sandboxed["outside"] / "pwned.txt").exists()


def test_network_connection_is_refused(sandboxed):
    if sandboxed["sandbox"]["network"] == "open":
        pytest.skip(f"no network isolation here: {sandboxed['sandbox']}")
    result = sandboxed["results"]["s.connector"]
    assert result.outcome == "failed"
    assert re.match(r"(OSError|ConnectionRefusedError|PermissionError|TimeoutError)", result.reason)
    assert not sandboxed["connected"], "the job reached the host's loopback"


def test_sandbox_is_reported(sandboxed):
    """Bubblewrap where it works; the fallback says so and what it applied."""
    sandbox = sandboxed["sandbox"]
    assert {"tool", "limits", "fallback", "network", "processes"} <= set(sandbox)
    if sandbox["tool"].startswith("bubblewrap"):
        assert sandbox["fallback"] == ""
        assert sandbox["processes"].startswith("own PID namespace")
    else:
        assert sandbox["tool"] == "landlock (fallback)"
        assert sandbox["fallback"], "the fallback names why"
        assert {"writes", "signals"} <= set(sandbox)
        if os.uname().sysname == "Linux":
            assert sandbox["processes"] == "subreaper"
