"""Snippet imports land in the import block, once; the body goes at the cursor."""

from __future__ import annotations

import pytest
from lsprotocol import types

from torch_notes.analysis.document import SourceDocument
from torch_notes.features.snippet_imports import (
    import_block_row,
    import_edit,
    missing_imports,
    split_imports,
)


def test_leading_import_lines_are_split_from_the_body() -> None:
    body = "import torch\n\nfrom torch.utils.data import DataLoader\nloader = ${1:x}\nimport os\n"
    split = split_imports(body)
    assert split.imports == ("import torch", "from torch.utils.data import DataLoader")
    assert split.body == "loader = ${1:x}\nimport os\n", "only the leading ones"
    assert split_imports("x = 1\nimport torch").imports == ()
    assert split_imports("import ${1|torch,numpy|}\n").imports == (), "placeholders stay"


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ({}, ("import torch", "from torch.utils.data import DataLoader, Dataset")),
        ({"torch": "torch"}, ("from torch.utils.data import DataLoader, Dataset",)),
        (
            {"torch": "torch", "DataLoader": "torch.utils.data.DataLoader"},
            ("from torch.utils.data import Dataset",),
        ),
        ({"torch": "numpy"}, ("import torch", "from torch.utils.data import DataLoader, Dataset")),
    ],
)
def test_only_what_the_file_lacks_is_imported(bound, expected) -> None:
    lines = ("import torch", "from torch.utils.data import DataLoader, Dataset")
    assert missing_imports(lines, bound) == expected


def test_aliases_count_as_what_they_bind() -> None:
    assert missing_imports(("import numpy as np",), {"np": "numpy"}) == ()
    assert missing_imports(("import numpy as np",), {"numpy": "numpy"}) == ("import numpy as np",)
    assert missing_imports(("import torch.nn as nn",), {"nn": "torch.nn"}) == ()


@pytest.mark.parametrize(
    ("source", "row"),
    [
        ("", 0),
        ("x = 1\n", 0),
        ('"""Doc."""\nx = 1\n', 1),
        ('"""Doc\nstring."""\nfrom __future__ import annotations\n\nimport os\nx = 1\n', 5),
        ("#!/usr/bin/env python\n# comment\nimport os\n# more\nimport sys\n\ndef f(): pass\n", 5),
    ],
)
def test_the_import_block_ends_after_docstring_future_and_imports(source, row) -> None:
    assert import_block_row(SourceDocument.parse(source)) == row


def test_the_edit_goes_to_the_import_block_above_the_cursor() -> None:
    doc = SourceDocument.parse('"""Train."""\nimport os\n\n\ndef main():\n    pass\n')
    edit = import_edit(doc, {"os": "os"}, ("import os", "import torch"), cursor_row=5)
    assert edit == types.TextEdit(
        range=types.Range(types.Position(2, 0), types.Position(2, 0)), new_text="import torch\n"
    )
    assert import_edit(doc, {"torch": "torch"}, ("import torch",), cursor_row=5) is None
    with pytest.raises(ValueError):
        import_edit(doc, {}, ("import torch",), cursor_row=1)
