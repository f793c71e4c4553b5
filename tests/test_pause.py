"""Background analyses give way to requests: the pause points and the request gate."""

from __future__ import annotations

import threading
import time

from tree_sitter import Query

from tests.diagnostics_support import builtin_index
from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument
from torch_notes.analysis.pause import giving_way, pause
from torch_notes.analysis.receivers import Receivers
from torch_notes.diagnostics.registry import check_source
from torch_notes.lsp import request_gate
from torch_notes.lsp.request_gate import RequestGate


def test_pause_outside_giving_way_does_nothing() -> None:
    pause()  # no gate in this context: returns at once, raises nothing


def test_pause_calls_the_gate_only_inside_giving_way() -> None:
    calls: list[str] = []
    with giving_way(lambda: calls.append("waited")):
        pause()
        pause()
    pause()
    assert calls == ["waited", "waited"]


def test_the_gate_is_per_thread() -> None:
    calls: list[str] = []
    other = threading.Thread(target=pause)
    with giving_way(lambda: calls.append("main")):
        other.start()
        other.join()
    assert calls == []  # the other thread runs without this thread's gate


def test_long_query_runs_and_the_rules_pause_between_units() -> None:
    source = "import torch\n" + "x = torch.zeros(3)\n" * 5_000
    doc = SourceDocument.parse(source)
    calls: list[int] = []
    with giving_way(lambda: calls.append(1)):
        found = queries.captures(Query(PYTHON, "(call) @call"), doc.tree.root_node, "call")
    assert found and len(calls) > 10  # 5,000 lines come in many slices, a pause between each
    calls.clear()
    with giving_way(lambda: calls.append(1)):
        Receivers(doc).flow(doc.tree.root_node)
    assert len(calls) >= 5_000  # one per statement of the walked scope
    calls.clear()
    with giving_way(lambda: calls.append(1)):
        check_source(source, builtin_index())
    assert len(calls) > 10


def test_the_gate_waits_while_busy_and_never_longer_than_its_limit(monkeypatch) -> None:
    monkeypatch.setattr(request_gate, "MAX_WAIT_S", 2.0)
    gate = RequestGate()
    start = time.perf_counter()
    gate.give_way()
    assert time.perf_counter() - start < 1.0  # idle: no wait (not the 2 s limit)

    gate.busy()
    gate.busy()  # two chunks in flight
    gate.idle()
    assert gate.is_busy  # one still being handled
    threading.Timer(0.05, gate.idle).start()
    start = time.perf_counter()
    gate.give_way()
    waited = time.perf_counter() - start
    assert not gate.is_busy and 0.04 <= waited < 1.0  # released by the last idle()

    monkeypatch.setattr(request_gate, "MAX_WAIT_S", 0.2)
    gate.busy()  # never answered: the worker still goes on after MAX_WAIT_S
    start = time.perf_counter()
    gate.give_way()
    assert gate.is_busy and time.perf_counter() - start >= 0.19
