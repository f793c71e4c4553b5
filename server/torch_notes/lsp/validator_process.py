"""The validator the server talks to: ``python -m torch_notes.validation.serve`` under the
interpreter of ``torchNotes.validation.python``, started when first needed, kept (with its
warm workers) between saves, stopped when idle, with the server or when the setting changes.

The server never imports torch: it sends jobs and reads results, one JSON object per line.
The validator sees only ``torch_notes`` on its ``PYTHONPATH``: where the server's package
shares a directory with other packages (the VS Code extension's bundle), a copy of the
package in a private directory is used, so that nothing of the server's shadows the
user's packages in the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch_notes

logger = logging.getLogger(__name__)

STOP_GRACE_S = 3.0
"""How long a validator asked to stop may take before it is killed."""
STDERR_TAIL = 4000
_LINE_LIMIT = 16 * 1024 * 1024
"""A reply line longer than this (a huge traceback) is a protocol error, not a hang."""


def package_root() -> Path:
    """The directory that holds the ``torch_notes`` package."""
    return Path(torch_notes.__file__).resolve().parent.parent


def _only_torch_notes(root: Path) -> bool:
    try:
        names = {entry.name for entry in root.iterdir()}
    except OSError:
        return False
    return names <= {"torch_notes", "__pycache__"}


def validator_path(scratch: Path) -> Path:
    """A directory with ``torch_notes`` and nothing else, for the validator's ``PYTHONPATH``."""
    root = package_root()
    if _only_torch_notes(root):
        return root
    target = scratch / "torch_notes"
    if not target.is_dir():
        shutil.copytree(
            root / "torch_notes", target, ignore=shutil.ignore_patterns("__pycache__", "_corpus")
        )
    return scratch


class ValidatorProcess:
    """One running validator; replies are handed to ``on_message``, its end to ``on_exit``."""

    def __init__(
        self,
        python: str,
        on_message: Callable[[dict[str, Any]], None],
        on_exit: Callable[[ValidatorProcess, str], None],
        *,
        workers: int = 1,
        timeout: float = 30.0,
    ) -> None:
        self.python = python
        self.on_message = on_message
        self.on_exit = on_exit
        self.workers = workers
        self.timeout = timeout
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr_tail = ""
        self._scratch: Path | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._stopping = False

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> None:
        """Start the process; ``OSError`` when the interpreter cannot be run."""
        self._scratch = Path(tempfile.mkdtemp(prefix="torch-notes-validator-"))
        path = validator_path(self._scratch)
        env = dict(os.environ)
        env["PYTHONPATH"] = str(path)
        env.pop("PYTHONSTARTUP", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        command = [
            self.python,
            "-m",
            "torch_notes.validation.serve",
            "--workers",
            str(self.workers),
            "--timeout",
            f"{self.timeout:g}",
        ]
        logger.info("starting the validator: %s", " ".join(command))
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self._scratch,
                env=env,
                start_new_session=True,
                limit=_LINE_LIMIT,
            )
        except OSError:
            self._cleanup()
            raise
        loop = asyncio.get_running_loop()
        self._readers = [
            loop.create_task(self._read_stdout(), name="validator stdout"),
            loop.create_task(self._read_stderr(), name="validator stderr"),
        ]

    def send(self, message: dict[str, Any]) -> bool:
        """Write one request; ``False`` when the process is gone."""
        if not self.running or self.proc is None or self.proc.stdin is None:
            return False
        try:
            self.proc.stdin.write(json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n")
        except (OSError, RuntimeError):
            return False
        return True

    async def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            while line := await self.proc.stdout.readline():
                try:
                    message = json.loads(line)
                except ValueError:
                    logger.warning("validator: not a reply: %r", line[:200])
                    continue
                if isinstance(message, dict):
                    self.on_message(message)
        except (ValueError, asyncio.LimitOverrunError):
            logger.warning("validator: reply too long; stopping it")
        finally:
            await self._ended()

    async def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(4096):
            text = chunk.decode("utf-8", errors="replace")
            self.stderr_tail = (self.stderr_tail + text)[-STDERR_TAIL:]
            logger.debug("validator: %s", text.rstrip())

    async def _ended(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        await proc.wait()
        await asyncio.sleep(0)  # let the stderr reader take the last lines
        why = "" if self._stopping else f"exited with code {proc.returncode}"
        self._cleanup()
        self.on_exit(self, why)

    async def stop(self) -> None:
        """Close its input (it stops its workers and exits); kill it if it takes too long."""
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        self._stopping = True
        if proc.stdin is not None:
            with contextlib.suppress(OSError, RuntimeError):
                proc.stdin.close()
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
                break
            except asyncio.TimeoutError:
                continue

    def kill_now(self) -> None:
        """For the server's exit: no waiting (the workers die with it)."""
        self._stopping = True
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)

    def _cleanup(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
