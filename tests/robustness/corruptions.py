"""Random corruptions of one framed JSON-RPC message, for the framing fuzz tests."""

from __future__ import annotations

import json

from hypothesis import strategies as st

KINDS = ("length", "digits", "name", "eol", "insert", "delete", "truncate", "prefix", "dup")


@st.composite
def corrupted(draw, value: dict) -> bytes:
    """``value`` framed, then one to three random corruptions of its header or body.

    Wrong ``Content-Length`` (a few bytes off, random digits or bytes), header names in
    other cases or misspelt, other line ends, random bytes inserted, a range deleted,
    the message cut short, garbage before it, a header given twice.
    """
    body = json.dumps(value).encode()
    header = b"Content-Length: %d\r\n\r\n" % len(body)
    data = header + body
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "length":
            wrong = max(0, len(body) + draw(st.integers(-60, 60)))
            data = data.replace(b"%d" % len(body), b"%d" % wrong, 1)
        elif kind == "digits":
            data = data.replace(b"%d" % len(body), draw(st.binary(max_size=25)), 1)
        elif kind == "name":
            names = [b"content-length", b"CONTENT-LENGTH", b"Content-Lenght", b"", b"X-Length"]
            data = data.replace(b"Content-Length", draw(st.sampled_from(names)), 1)
        elif kind == "eol":
            data = data.replace(b"\r\n", draw(st.sampled_from([b"\n", b"\r", b"", b" \r\n"])))
        elif kind == "insert":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.binary(min_size=1, max_size=30)) + data[at:]
        elif kind == "delete":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + data[at + draw(st.integers(1, 10)) :]
        elif kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "prefix":
            data = draw(st.binary(max_size=60)) + data
        else:
            data = header + data
    return data
