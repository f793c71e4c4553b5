"""Property-based fuzzing of the server through its real LSP interface (stdio, pytest-lsp).

Random Python-like documents (valid and broken code, Chinese, emoji and other astral
characters, CRLF, tabs, form feeds, 10,000-character lines, empty files), random
positions inside and outside them and random incremental edit sequences. Every
hover, completion and code action must be answered without an error, and every
range the server returns must be valid in the negotiated position encoding (UTF-16
for the VS Code profile, UTF-8 for Neovim's) and, for hovers, cover the cursor.

The number of cases: ``TORCH_NOTES_FUZZ_CASES`` (total over both fuzz tests and
both encodings; default 400 for quick runs, 10,000 in CI). One server per encoding
serves every case; each case opens its own document and closes it.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

import pytest
import pytest_lsp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from torch_notes.analysis.positions import UTF8, index_from_units, units_from_index, units_len

pytestmark = pytest.mark.timeout(3600)

FUZZ_TESTS = 2
PROFILES = ["visual-studio-code", "neovim"]
TOTAL_CASES = int(os.environ.get("TORCH_NOTES_FUZZ_CASES", "400"))
CASES_PER_TEST = max(10, TOTAL_CASES // (FUZZ_TESTS * len(PROFILES)))
FUZZ_SETTINGS = settings(
    max_examples=CASES_PER_TEST,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
COUNTS: dict[str, int] = {}

CONFIG = ClientServerConfig(server_command=["python", "-m", "torch_notes", "lsp"])
CONFIG.server_command[0] = __import__("sys").executable

LONG_LINE = "y = " + " + ".join(f"x{i}.t().contiguous()" for i in range(600))
FRAGMENTS = [
    "import torch",
    "import torch as th",
    "import torch.nn as nn",
    "import torch.nn.functional as F",
    "from torch import nn, optim",
    "from torch.utils.data import DataLoader",
    "import numpy as np",
    "x = torch.zeros(2, 3)",
    "y = x.t().contiguous().view(-1)",
    "z = (a @ b).view(-1)",
    "w = th.cat([x, y], dim=0).transpose(0, 1)",
    "model.eval()",
    "model.load_state_dict(torch.load('m.pt'))",
    "optimizer.zero_grad()",
    "opt = optim.SGD(model.parameters(), lr=0.1)",
    "loader = DataLoader(ds, batch_size=4)",
    "loss = F.cross_entropy(out, y)",
    "np.transpose(a)",
    "def view(self):",
    "    return self.view()",
    "class Net(nn.Module):",
    "    def forward(self, x):",
    "        return F.relu(self.fc(x))",
    "torch.",
    "x.",
    "nn.",
    "F.",
    "optim.",
    "pt-",
    "pt-tr",
    "    pt-s",
    "def broken(:",
    "x = (",
    "y = x.t(.contiguous(",
    "'''unterminated",
    '"""',
    "s = 'torch.zeros'  # torch.zeros(1)",
    "注释 = '中文 torch.zeros'",
    "y = x.view(-1)  # 视图 😀😀",
    "𝔘 = torch.ones(1)  # 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "é = torch.cat([a, b]).contiguous()",
    "\tx = x.t()",
    "if True:\n\ty = 1",
    "@torch.no_grad()",
    "lambda: torch",
    "x = [torch.zeros(1) for _ in range(3)]",
    "\x0c",
    "a = '\x0b\x85\u2028'",
    "\x00",
    "",
    "    ",
]
ALPHABET = st.characters(
    codec="utf-8", exclude_characters="\r\n", exclude_categories=("Cs",)
) | st.sampled_from("().[]:,=@'\"#\t torchviewcontiguous中文😀𝔘")


@st.composite
def documents(draw) -> str:
    """A Python-like document: fragments and random lines, LF or CRLF, maybe no final EOL."""
    line = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(FRAGMENTS),
        st.text(ALPHABET, max_size=40),
        st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=8)),
    )
    lines = draw(st.lists(line, max_size=25))
    if draw(st.integers(0, 19)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), LONG_LINE)
    eol = draw(st.sampled_from(["\n", "\r\n", "\n", "mixed"]))
    if eol == "mixed":
        text = "".join(piece + draw(st.sampled_from(["\n", "\r\n"])) for piece in lines)
    else:
        text = eol.join(lines) + (eol if lines and draw(st.booleans()) else "")
    return text


@dataclass
class Model:
    """The client's copy of the document: text, edits applied the LSP way."""

    text: str
    encoding: str
    version: int = 1
    lines: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.lines = [ln[:-1] if ln.endswith("\r") else ln for ln in self.text.split("\n")]

    def offset(self, line: int, index: int) -> int:
        return sum(len(raw) + 1 for raw in self.text.split("\n")[:line]) + index

    def position(self, line: int, index: int) -> types.Position:
        return types.Position(line, units_from_index(self.lines[line], index, self.encoding))

    def apply(self, start: tuple[int, int], end: tuple[int, int], new: str) -> types.Range:
        """Replace code points ``start..end`` (line, index) with ``new``; the LSP range."""
        if end < start:
            start, end = end, start
        rng = types.Range(self.position(*start), self.position(*end))
        a, b = self.offset(*start), self.offset(*end)
        self.text = self.text[:a] + new + self.text[b:]
        self.version += 1
        self.refresh()
        return rng

    def check_position(self, pos: types.Position, what: str) -> None:
        assert 0 <= pos.line < len(self.lines), f"{what}: line {pos.line} outside the document"
        line = self.lines[pos.line]
        assert 0 <= pos.character <= units_len(line, self.encoding), f"{what}: past the line end"
        index = index_from_units(line, pos.character, self.encoding)
        assert units_from_index(line, index, self.encoding) == pos.character, (
            f"{what}: column {pos.character} splits a character in {self.encoding}"
        )

    def check_range(self, rng: types.Range, what: str) -> None:
        self.check_position(rng.start, what)
        self.check_position(rng.end, what)
        assert (rng.start.line, rng.start.character) <= (rng.end.line, rng.end.character), what


@st.composite
def positions(draw, model: Model) -> types.Position:
    """Mostly valid positions (any unit, also mid-character), sometimes far outside."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return types.Position(draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1)))
    line = draw(st.integers(0, len(model.lines) + (2 if kind == 1 else -1)))
    width = units_len(model.lines[line], model.encoding) if line < len(model.lines) else 0
    return types.Position(line, draw(st.integers(0, width + (5 if kind == 2 else 0))))


@st.composite
def code_points(draw, model: Model) -> tuple[int, int]:
    """A valid (line, code-point index) in the model."""
    line = draw(st.integers(0, len(model.lines) - 1))
    return line, draw(st.integers(0, len(model.lines[line])))


URIS = itertools.count()


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def client(lsp_client: LanguageClient, request):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    caps = client_capabilities(request.param)
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=caps, root_uri="file:///fuzz", locale="en")
    )
    encoding = str(result.capabilities.position_encoding or "utf-16")
    assert encoding == (UTF8 if request.param == "neovim" else "utf-16")
    lsp_client.encoding = encoding  # type: ignore[attr-defined]
    yield
    errors = [m.message for m in lsp_client.log_messages if m.type == types.MessageType.Error]
    assert not errors, errors
    await lsp_client.shutdown_session()


def _uri() -> str:
    return f"file:///fuzz/doc_{next(URIS)}.py"


async def _requests(
    client: LanguageClient, uri: str, model: Model | None, where: types.Position
) -> None:
    """Hover, completion and code action at ``where``; check every returned range.

    ``model`` ``None``: the client does not know the text (after an edit out of range);
    the requests must still be answered without an error.
    """
    if model is None:
        ident = types.TextDocumentIdentifier(uri)
        await client.text_document_hover_async(types.HoverParams(ident, where))
        await client.text_document_completion_async(types.CompletionParams(ident, where))
        await client.text_document_code_action_async(
            types.CodeActionParams(ident, types.Range(where, where), types.CodeActionContext([]))
        )
        return
    ident = types.TextDocumentIdentifier(uri)
    inside = where.line < len(model.lines) and where.character <= units_len(
        model.lines[where.line], model.encoding
    )
    hover = await client.text_document_hover_async(types.HoverParams(ident, where))
    if hover is not None:
        assert hover.range is not None
        model.check_range(hover.range, "hover")
        if inside:
            key = (where.line, where.character)
            assert (hover.range.start.line, hover.range.start.character) <= key
            # a column inside a multi-unit character snaps to its start: compare that
            line = model.lines[where.line]
            snapped = units_from_index(
                line, index_from_units(line, where.character, model.encoding), model.encoding
            )
            assert (where.line, snapped) <= (hover.range.end.line, hover.range.end.character)
    completion = await client.text_document_completion_async(types.CompletionParams(ident, where))
    items = completion.items if isinstance(completion, types.CompletionList) else completion or []
    for item in items:
        edit = item.text_edit
        if isinstance(edit, types.TextEdit):
            model.check_range(edit.range, "completion")
        elif isinstance(edit, types.InsertReplaceEdit):
            model.check_range(edit.insert, "completion insert")
            model.check_range(edit.replace, "completion replace")
        for extra in item.additional_text_edits or []:
            model.check_range(extra.range, "completion additional edit")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(ident, types.Range(where, where), types.CodeActionContext([]))
    )
    for action in actions or []:
        if isinstance(action, types.Command):  # "Open note", "Write a note": no edit here
            assert action.command in ("torchNotes.showNote", "torchNotes.newNote"), action
            continue
        assert isinstance(action, types.CodeAction)
        for change in (action.edit.document_changes or []) if action.edit else []:
            for text_edit in change.edits:
                model.check_range(text_edit.range, "code action")
        for edits in ((action.edit.changes or {}).values()) if action.edit else []:
            for text_edit in edits:
                model.check_range(text_edit.range, "code action")


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@FUZZ_SETTINGS
@given(data=st.data(), text=documents())
async def test_requests_on_random_documents(client: LanguageClient, data, text: str):
    """Several requests at random positions of one random document."""
    _count("documents")
    model = Model(text, client.encoding)  # type: ignore[attr-defined]
    uri = _uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    try:
        for where in data.draw(st.lists(positions(model), min_size=1, max_size=4)):
            await _requests(client, uri, model, where)
    finally:
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
        )


@FUZZ_SETTINGS
@given(data=st.data(), text=documents())
async def test_incremental_edit_sequences(client: LanguageClient, data, text: str):
    """Random valid edits, now and then one out of range (then a full resync); requests between."""
    _count("edits")
    model = Model(text, client.encoding)  # type: ignore[attr-defined]
    uri = _uri()
    ident = types.TextDocumentIdentifier(uri)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    try:
        for _ in range(data.draw(st.integers(1, 5))):
            new = data.draw(
                st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=12))
                | st.sampled_from(["\n", "\r\n", "x.", "torch.", "(", "'", "😀", "中"])
            )
            if data.draw(st.integers(0, 9)) == 0:  # an edit outside the document
                far = types.Position(len(model.lines) + 3, 10**6)
                model.version += 1
                change = types.TextDocumentContentChangePartial(types.Range(far, far), new)
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        types.VersionedTextDocumentIdentifier(model.version, uri), [change]
                    )
                )
                await _requests(client, uri, None, data.draw(positions(model)))
                model.version += 1
                full = types.TextDocumentContentChangeWholeDocument(model.text)
                client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        types.VersionedTextDocumentIdentifier(model.version, uri), [full]
                    )
                )
                continue
            start, end = data.draw(code_points(model)), data.draw(code_points(model))
            rng = model.apply(start, end, new)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(model.version, uri),
                    [types.TextDocumentContentChangePartial(rng, new)],
                )
            )
            await _requests(client, uri, model, data.draw(positions(model)))
    finally:
        client.text_document_did_close(types.DidCloseTextDocumentParams(ident))


async def test_server_survived_and_counts(client: LanguageClient):
    """The server still answers after the fuzzing; report how many cases ran."""
    uri = _uri()
    source = "import torch\ny = x.t().contiguous()\n"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, source))
    )
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 12))
    )
    assert hover is not None and "contiguous" in hover.contents.value
    print(f"fuzz cases so far: {COUNTS} (TORCH_NOTES_FUZZ_CASES={TOTAL_CASES})")
