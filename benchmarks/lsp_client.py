"""A minimal blocking LSP client over a spawned server's stdio, for the benchmarks."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class LspProcess:
    """One language server process; requests are sent and awaited one at a time."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self._ids = itertools.count(1)
        self._responses: dict[int, dict[str, Any]] = {}
        self.notifications: list[tuple[float, dict[str, Any]]] = []
        """Every notification the server sent, with the time it arrived (perf_counter)."""
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    with self._cond:
                        self._responses[-1] = {}
                        self._cond.notify_all()
                    return
                if not line.strip():
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "method" in message:
                if "id" in message:  # server→client request: answer like a minimal editor
                    result: Any = None
                    if message["method"] == "workspace/configuration":
                        result = [None] * len(message["params"]["items"])
                    self._send({"id": message["id"], "result": result})
                    continue
                with self._cond:
                    self.notifications.append((time.perf_counter(), message))
                    self._cond.notify_all()
                continue
            with self._cond:
                self._responses[message["id"]] = message
                self._cond.notify_all()

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 120.0) -> Any:
        msg_id = next(self._ids)
        self._send({"id": msg_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._responses:
                if -1 in self._responses:
                    raise EOFError(f"server exited during {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{method} took more than {timeout} s")
                self._cond.wait(left)
            response = self._responses.pop(msg_id)
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    def wait_for(self, method: str, predicate, since: int = 0, timeout: float = 60.0):
        """The first notification ``method`` after index ``since`` whose params satisfy
        ``predicate``: ``(arrival time, params)``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for arrived, message in self.notifications[since:]:
                    if message.get("method") == method and predicate(message.get("params")):
                        return arrived, message["params"]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method} within {timeout} s")
                self._cond.wait(left)

    def timed(self, method: str, params: Any) -> tuple[float, Any]:
        """Seconds for one round trip, and the result."""
        start = time.perf_counter()
        result = self.request(method, params)
        return time.perf_counter() - start, result

    def peak_rss_mib(self) -> float:
        """Peak resident memory (VmHWM) of the server process, Linux only (0 elsewhere)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)
