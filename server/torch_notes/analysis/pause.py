"""Pause points: long background analyses give way to the requests a user waits for.

The rules run in a worker thread that shares CPython's interpreter lock with the thread
answering hovers. Threads take turns every 0.1 ms, so a hover that arrives while the rules
go over a 20,000-line file shares the interpreter with them (p50 1.4 ms instead of 0.5).
Loops that do long work call :func:`pause` between units (a query slice, a scope's flow,
a rule); a thread running under :func:`giving_way` waits there while a request is served.
Anywhere else :func:`pause` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_GATE: ContextVar[Callable[[], None] | None] = ContextVar("torch_notes_pause_gate", default=None)
"""The waiting function of the current thread's work (context-local, never shared)."""


def pause() -> None:
    """A point where background work may wait for a request to be answered."""
    gate = _GATE.get()
    if gate is not None:
        gate()


@contextmanager
def giving_way(wait: Callable[[], None]) -> Iterator[None]:
    """Within this block, :func:`pause` calls ``wait`` (which blocks while requests run)."""
    token = _GATE.set(wait)
    try:
        yield
    finally:
        _GATE.reset(token)
