"""Column conversions between the client's position encoding and UTF-8 bytes.

LSP columns count code units of the negotiated encoding (UTF-16 by default,
UTF-8 or UTF-32 when both sides agree); tree-sitter columns count UTF-8 bytes
and Python indexes ``str`` by code point. Everything here works on one line.
"""

from __future__ import annotations

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def _units(char: str, encoding: str) -> int:
    """How many code units ``char`` takes in ``encoding``."""
    code = ord(char)
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    if encoding == UTF32:
        return 1
    return 2 if code >= 0x10000 else 1


def units_len(text: str, encoding: str) -> int:
    """The length of ``text`` in code units of ``encoding``."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


def index_from_units(line: str, column: int, encoding: str) -> int:
    """The code-point index in ``line`` of a column given in ``encoding`` units.

    A column inside a multi-unit character snaps to that character's start;
    a column past the end clamps to the line's length.
    """
    if encoding == UTF32 or line.isascii():
        return max(0, min(column, len(line)))
    units = 0
    for index, char in enumerate(line):
        width = _units(char, encoding)
        if units + width > column:
            return index
        units += width
    return len(line)


def units_from_index(line: str, index: int, encoding: str) -> int:
    """The column in ``encoding`` units of the code point at ``index`` in ``line``."""
    return units_len(line[:index], encoding)


def bytes_from_index(line: str, index: int) -> int:
    """The UTF-8 byte column of the code point at ``index`` in ``line``."""
    return units_len(line[:index], UTF8)


def index_from_bytes(line: str, byte_column: int) -> int:
    """The code-point index of a UTF-8 byte column in ``line``."""
    return index_from_units(line, byte_column, UTF8)
