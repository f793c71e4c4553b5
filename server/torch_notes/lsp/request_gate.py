"""Which comes first: a request the client waits for, or the background analysis.

The transport marks the server busy as soon as bytes arrive from the client and idle once
the event loop has handled them (synchronous handlers, such as hover and completion, have
answered by then). Worker threads call :meth:`RequestGate.give_way` at their pause points
(:mod:`torch_notes.analysis.pause`): they wait while the server is busy, at most
:data:`MAX_WAIT_S` each time, so background work is slowed, never stopped.
"""

from __future__ import annotations

import threading

MAX_WAIT_S = 0.05
"""The longest one pause point waits (a request that runs longer shares the interpreter)."""


class RequestGate:
    """Busy while the client's messages are being handled; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Event()
        self._idle.set()

    def busy(self) -> None:
        """A chunk of bytes from the client arrived (called by the thread that read it)."""
        with self._lock:
            self._pending += 1
            self._idle.clear()

    def idle(self) -> None:
        """The event loop has handled every message of one such chunk."""
        with self._lock:
            self._pending = max(0, self._pending - 1)
            if not self._pending:
                self._idle.set()

    @property
    def is_busy(self) -> bool:
        """Whether a message is being handled now."""
        return not self._idle.is_set()

    def give_way(self) -> None:
        """Wait until the server is idle (at most :data:`MAX_WAIT_S`)."""
        if not self._idle.is_set():
            self._idle.wait(MAX_WAIT_S)
