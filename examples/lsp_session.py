"""A real LSP session against ``torch-notes lsp``, the way an editor talks to it.

Starts the server over stdio, opens a training script, hovers the PyTorch calls in it,
asks for snippet completions at an empty line and lists the snippet catalogue, printing
what an editor would show. Run: ``python examples/lsp_session.py [FILE] [--lang zh]``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "train_cifar_like.py"
PRIORITY = (
    "contiguous", "permute", "view", "kthvalue", "topk", "zero_grad", "backward", "item",
    "DataLoader", "Conv2d", "no_grad", "inference_mode", "save", "load_state_dict", "eval",
    "unsqueeze", "DataParallel", "CrossEntropyLoss", "step", "reshape", "transpose",
)  # fmt: skip
"""Tokens worth hovering, most telling first."""
STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")
INTERESTING = re.compile(r"\.(" + "|".join(PRIORITY) + r")\(|\b(" + "|".join(PRIORITY) + r")\b")


def capabilities() -> types.ClientCapabilities:
    """What a snippet-capable, Markdown-rendering editor announces."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf16]
        ),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            completion=types.CompletionClientCapabilities(
                completion_item=types.ClientCompletionItemOptions(snippet_support=True)
            ),
        ),
    )


def interesting_positions(text: str, limit: int) -> list[tuple[int, int, str]]:
    """(line, UTF-16 column, token) of PyTorch calls worth hovering, one per token."""
    seen: set[str] = set()
    found: list[tuple[int, int, str]] = []
    for line_no, line in enumerate(text.splitlines()):
        code = line.split("#", 1)[0]  # good enough for a demo: skip comments and strings
        code = STRINGS.sub(lambda m: " " * len(m.group()), code)
        for match in INTERESTING.finditer(code):
            token = match.group(1) or match.group(2)
            if token in seen:
                continue
            seen.add(token)
            column = match.start(1) if match.group(1) else match.start(2)
            utf16 = len(line[:column].encode("utf-16-le")) // 2
            found.append((line_no, utf16, token))
    found.sort(key=lambda hit: PRIORITY.index(hit[2]))
    return sorted(found[:limit])


def first_lines(markdown: str, count: int) -> str:
    lines = [line for line in markdown.splitlines() if line.strip()]
    return "\n".join("    " + line for line in lines[:count])


async def session(path: Path, lang: str, hovers: int) -> int:
    text = path.read_text(encoding="utf-8")
    uri = path.resolve().as_uri()
    client = LanguageClient("torch-notes-demo", "0.1")
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "torch_notes", "lsp")
    result = await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities(),
            locale="zh-CN" if lang == "zh" else "en",
            root_uri=path.parent.as_uri(),
        )
    )
    client.initialized(types.InitializedParams())
    ready = time.perf_counter() - started
    name = result.server_info.name if result.server_info else "server"
    print(f"started {name} and initialized in {ready * 1000:.0f} ms")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        )
    )

    print(f"\n== hovers in {path.name}")
    lines = text.splitlines()
    for line, column, token in interesting_positions(text, hovers):
        t0 = time.perf_counter()
        hover = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, column))
        )
        elapsed = (time.perf_counter() - t0) * 1000
        print(f"\n{path.name}:{line + 1}: {lines[line].strip()}")
        if hover is None:
            print(f"    ({token}: no note, {elapsed:.1f} ms)")
            continue
        contents = hover.contents
        markdown = contents.value if isinstance(contents, types.MarkupContent) else str(contents)
        print(f"    hover on '{token}' ({elapsed:.1f} ms):")
        print(first_lines(markdown, 3))

    print("\n== snippet completions at the start of an empty line")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + "\npt\n")],
        )
    )
    completion = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(len(lines) + 1, 2))
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion or []
    snippets = [item for item in items if item.kind == types.CompletionItemKind.Snippet]
    for item in snippets[:8]:
        print(f"    {item.label:<16} {item.detail or ''}")
    print(f"    ... {len(snippets)} snippet completions in all")

    catalogue = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="torchNotes.listSnippets", arguments=[])
    )
    print(f"\n== torchNotes.listSnippets: {len(catalogue or [])} snippets in the catalogue")

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--hovers", type=int, default=8, help="how many calls to hover")
    args = parser.parse_args()
    return asyncio.run(session(args.file, args.lang, args.hovers))


if __name__ == "__main__":
    sys.exit(main())
