"""Shared helpers of the diagnostics tests: the built-in index and a one-call checker."""

from __future__ import annotations

import functools
import textwrap

from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.diagnostics.model import Diagnostic
from torch_notes.diagnostics.registry import check_source


@functools.cache
def builtin_index() -> CorpusIndex:
    """The index of the built-in corpus (loaded once per test process)."""
    return CorpusIndex.build(load_corpus())


def check(code: str) -> tuple[Diagnostic, ...]:
    """Every finding in ``code`` (dedented)."""
    return check_source(textwrap.dedent(code), builtin_index())


def found(code: str, rule: str | None = None) -> list[tuple[int, str]]:
    """``(1-based line, flagged text)`` of each finding (of ``rule``, if given)."""
    text = textwrap.dedent(code)
    lines = text.encode("utf-8").split(b"\n")
    result = []
    for diagnostic in check_source(text, builtin_index()):
        if rule is not None and diagnostic.rule != rule:
            continue
        (row, start), (_, end) = diagnostic.span.start, diagnostic.span.end
        result.append((row + 1, lines[row][start:end].decode("utf-8")))
    return result
