"""Run one statement of a hover block and compare what it shows (imported by hover jobs).

A hover job (:func:`torch_notes.validation.jobs.hover_job`) is plain Python: the
:data:`~torch_notes.corpus.hover_block.PRELUDE`, then one call of :func:`shown` per
statement, on the statement's own line so that a failure is reported at its line in
the note file. This module imports only the standard library.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import linecache
import sys
import traceback
from typing import Any

_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


class HoverMismatch(AssertionError):
    """A statement of a hover block showed something other than what the note shows."""


def _matches(want: str, got: str) -> bool:
    return _CHECKER.check_output(want, got, _FLAGS)


def _quoted(text: str) -> str:
    return "\n".join(f"    {line}" for line in (text.rstrip("\n") or "(nothing)").split("\n"))


def shown(
    source: str, want: str, exception: str | None, namespace: dict[str, Any], filename: str
) -> None:
    """Execute ``source`` as the interactive interpreter would and check its output.

    ``filename`` names the statement in tracebacks; it must differ from the job's own
    file name, so that a failure is located at the line that called this function.
    Raises :class:`HoverMismatch` when the output (or the exception raised) differs
    from ``want`` (or ``exception``); an unexpected exception propagates unchanged.
    """
    output = io.StringIO()
    code = compile(source, filename, "single", dont_inherit=True)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    statement = source.rstrip("\n").split("\n")[0]
    try:
        with contextlib.redirect_stdout(output):
            saved_hook = sys.displayhook
            sys.displayhook = sys.__displayhook__
            try:
                exec(code, namespace)
            finally:
                sys.displayhook = saved_hook
    except Exception as exc:
        if exception is None:
            raise
        got = traceback.format_exception_only(type(exc), exc)[-1].strip()
        if not _matches(exception + "\n", got + "\n"):
            raise HoverMismatch(
                f"`>>> {statement}` raised\n{_quoted(got)}\nbut the note shows\n"
                f"{_quoted(exception)}"
            ) from None
        return
    if exception is not None:
        raise HoverMismatch(
            f"`>>> {statement}` raised nothing, but the note shows\n{_quoted(exception)}"
        )
    got = output.getvalue()
    if not _matches(want, got):
        raise HoverMismatch(
            f"`>>> {statement}` shows\n{_quoted(got)}\nbut the note shows\n{_quoted(want)}"
        )
