"""Sliced query execution returns exactly what one whole-tree query returns."""

from __future__ import annotations

import itertools

import pytest
from tree_sitter import Query, QueryCursor

from torch_notes.analysis import queries
from torch_notes.analysis.document import PYTHON, SourceDocument

BLOCK = "def f{i}(x):\n    return x.transpose(0, 1).view(-1)  # {i}\n\n"
DOCUMENTS = {
    "empty": "",
    "blank lines": "\n\n\n",
    "broken": "x = (\n",
    "one huge class": "class A:\n" + "    x = torch.zeros(1).view(-1)\n" * 3000,
    "many statements": "".join(BLOCK.format(i=i) for i in range(1500)),
    "broken in the middle": "x = 1\n" * 5000 + "def f(:\n  pass\n" * 2000 + "y.view(2)\n" * 3000,
}
PATTERNS = {
    "nested call": "(call function: (attribute attribute: (identifier) @m)) @c",
    "identifiers": "(identifier) @c",
    "the module": "(module) @c",
    "errors": "(ERROR) @c",
}


def _normal(found) -> list:
    return sorted(
        (pattern, tuple(sorted((k, tuple(n.id for n in v)) for k, v in captured.items())))
        for pattern, captured in found
    )


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
@pytest.mark.parametrize("source", PATTERNS.values(), ids=PATTERNS.keys())
def test_slices_agree_with_one_query(text: str, source: str) -> None:
    root = SourceDocument.parse(text).tree.root_node
    query = Query(PYTHON, source)
    assert _normal(queries.matches(query, root)) == _normal(QueryCursor(query).matches(root))
    whole = QueryCursor(query).captures(root).get("c", [])
    sliced = queries.captures(query, root, "c")
    assert sorted(n.id for n in sliced) == sorted(n.id for n in whole)


def test_big_documents_are_really_sliced() -> None:
    root = SourceDocument.parse(DOCUMENTS["many statements"]).tree.root_node
    ranges = queries._slices(root, queries.SLICE_BYTES)
    assert len(ranges) > 3
    assert ranges[0][0] == root.start_byte and ranges[-1][1] == root.end_byte
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
