"""Client facts read at initialize: plain values, whatever form pygls hands them in."""

from __future__ import annotations

import pytest
from lsprotocol import types

from torch_notes.lsp.state import ClientFacts


@pytest.mark.parametrize(
    ("negotiated", "expected"),
    [
        (types.PositionEncodingKind.Utf8, "utf-8"),
        (types.PositionEncodingKind.Utf16, "utf-16"),
        ("utf-32", "utf-32"),
    ],
)
def test_encoding_is_the_protocol_string(negotiated: object, expected: str) -> None:
    params = types.InitializeParams(capabilities=types.ClientCapabilities())
    assert ClientFacts.from_initialize(params, negotiated).encoding == expected  # type: ignore[arg-type]
