"""A small JSON-RPC client over a spawned server's stdio, for protocol-abuse tests.

It frames messages itself (``Content-Length`` headers), so tests can send bytes no
well-behaved client library would: broken JSON, wrong headers, requests out of order.
A reader thread collects everything the server writes; waits are bounded.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SERVER_COMMAND = [sys.executable, "-m", "torch_notes", "lsp"]
DEFAULT_TIMEOUT = 10.0


def frame(body: bytes) -> bytes:
    """``body`` with its ``Content-Length`` header."""
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RpcServer:
    """One server process and everything it sent."""

    def __init__(self, *args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [*SERVER_COMMAND, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self._ids = itertools.count(1)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[int | str, dict[str, Any]] = {}
        self.null_responses: list[dict[str, Any]] = []
        self.stderr = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()

    # -- reading -----------------------------------------------------------------

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            if length is None:
                continue
            self.inbox.put(json.loads(stream.read(length)))

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):  # type: ignore[union-attr]
            self.stderr += chunk

    # -- writing -----------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(frame(json.dumps({"jsonrpc": "2.0", **message}).encode()))

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, **({} if params is None else {"params": params})})

    def request_nowait(self, method: str, params: Any = None) -> int:
        """Send a request; returns its id."""
        msg_id = next(self._ids)
        self.send(
            {"id": msg_id, "method": method, **({} if params is None else {"params": params})}
        )
        return msg_id

    def wait_response(self, msg_id: int | str | None, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """The response to ``msg_id`` (``None``: the next response with ``id: null``).

        Answers server→client requests with ``null`` while waiting, like a minimal editor.
        """
        deadline = time.monotonic() + timeout
        while True:
            if msg_id is None and self.null_responses:
                return self.null_responses.pop(0)
            if msg_id is not None and msg_id in self.responses:
                return self.responses.pop(msg_id)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no response to {msg_id!r} within {timeout} s")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise EOFError(f"server closed its output; stderr: {self.stderr[-2000:]!r}")
            if "method" in message:
                if "id" in message:
                    self.send({"id": message["id"], "result": None})
                else:
                    self.notifications.append(message)
            elif message.get("id") is None:
                self.null_responses.append(message)
            else:
                self.responses[message["id"]] = message

    def request(self, method: str, params: Any = None, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Send a request and wait for its response message (``result`` or ``error``)."""
        return self.wait_response(self.request_nowait(method, params), timeout)

    def drain(self, seconds: float = 0.2) -> None:
        """Collect notifications for a moment."""
        with contextlib.suppress(TimeoutError):
            self.wait_response("never", timeout=seconds)

    def log_messages(self, min_type: int = 4) -> list[str]:
        """``window/logMessage`` texts at ``min_type`` or more severe (1 error ... 4 log)."""
        return [
            n["params"]["message"]
            for n in self.notifications
            if n["method"] == "window/logMessage" and n["params"]["type"] <= min_type
        ]

    def shown_messages(self) -> list[str]:
        """``window/showMessage`` texts."""
        return [
            n["params"]["message"]
            for n in self.notifications
            if n["method"] == "window/showMessage"
        ]

    # -- LSP shortcuts -------------------------------------------------------------

    def initialize(
        self, *, encodings: list[str] | None = None, options: Any = None, root: Path = REPO
    ) -> dict:
        caps: dict[str, Any] = {"general": {"positionEncodings": encodings or ["utf-16"]}}
        params: dict[str, Any] = {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": caps,
        }
        if options is not None:
            params["initializationOptions"] = options
        response = self.request("initialize", params, timeout=30)
        self.notify("initialized", {})
        return response

    def open(self, uri: str, text: str, version: int = 1, language: str = "python") -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )

    def hover(self, uri: str, line: int, character: int, timeout: float = DEFAULT_TIMEOUT) -> dict:
        return self.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
            timeout,
        )

    def exit_code(self, timeout: float = DEFAULT_TIMEOUT) -> int:
        return self.proc.wait(timeout=timeout)

    def close(self) -> None:
        """Stop the process (whatever state it is in) and its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEFAULT_TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()

    def __enter__(self) -> RpcServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
