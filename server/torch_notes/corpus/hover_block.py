"""The ``hover`` field of a note: a short doctest-style block shown in the hover card.

The block is what a user would type, with its results::

    >>> y = x.transpose(0, 1)
    >>> y.is_contiguous()
    False

``>>> `` starts a statement and ``... `` continues it; the lines after a statement, up
to the next prompt or a blank line, are its expected output (empty: it must print
nothing). An expected exception is written as in doctest, ``Traceback (most recent
call last):`` followed by its last line (``RuntimeError: ...``). The validator runs
the block after :data:`PRELUDE` and compares each shown result (see
:mod:`torch_notes.validation.hover_jobs`).

Parsing uses the standard library's :mod:`doctest` parser; this module only adds
the checks a note needs (no prose between statements, code that compiles) and the
line of every statement, so a failure is reported at its line in the note file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import doctest

PRELUDE = ("import torch", "from torch import nn", "import torch.nn.functional as F")
"""Imports every hover block may use without writing them."""


@cache
def _parser() -> doctest.DocTestParser:
    """doctest's parser; imported on first use (doctest pulls in pdb and unittest, which the
    language server does not need when it reads the notes from its cache)."""
    import doctest

    return doctest.DocTestParser()


class HoverBlockError(ValueError):
    """A malformed hover block; ``line`` is 0-based within the block."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line + 1}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Statement:
    """One ``>>>`` statement of a hover block and what it must show."""

    source: str
    """The statement without its prompts, ending with a newline."""
    want: str
    """The expected output ("" for none)."""
    exception: str | None
    """For an expected exception: its last traceback line (``Type: message``)."""
    line: int
    """0-based line of the ``>>>`` prompt within the block."""
    last_line: int
    """0-based line of the statement's last source or output line."""


def parse_hover_block(text: str) -> tuple[Statement, ...]:
    """The statements of ``text``; :class:`HoverBlockError` at the first problem."""
    try:
        examples = _parser().get_examples(text)
    except ValueError as err:  # doctest names the line in its message
        raise _doctest_error(str(err)) from err
    if not examples:
        raise HoverBlockError(0, "has no statement (start one with '>>> ')")
    lines = text.split("\n")
    covered: set[int] = set()
    statements = []
    for example in examples:
        source_rows = example.source.count("\n") or 1
        output_rows = example.want.count("\n")
        last = example.lineno + source_rows + output_rows - 1
        covered.update(range(example.lineno, last + 1))
        try:
            compile(example.source, "<hover>", "single", dont_inherit=True)
        except SyntaxError as err:
            row = example.lineno + max((err.lineno or 1) - 1, 0)
            raise HoverBlockError(row, f"does not compile: {err.msg}") from err
        except ValueError as err:  # NUL bytes
            raise HoverBlockError(example.lineno, f"does not compile: {err}") from err
        statements.append(
            Statement(
                source=example.source,
                want=example.want,
                exception=example.exc_msg.strip() if example.exc_msg is not None else None,
                line=example.lineno,
                last_line=last,
            )
        )
    for row, line in enumerate(lines):
        if line.strip() and row not in covered:
            raise HoverBlockError(row, "is text outside a statement (start it with '>>> ')")
    return tuple(statements)


_DOCTEST_ERROR = re.compile(r"^line (\d+) of the docstring for \S+ (.*)$", re.DOTALL)


def _doctest_error(message: str) -> HoverBlockError:
    """doctest's "line N of the docstring for X lacks ..." as a located error."""
    match = _DOCTEST_ERROR.match(message)
    if match is None:
        return HoverBlockError(0, message)
    return HoverBlockError(max(int(match.group(1)) - 1, 0), match.group(2))
