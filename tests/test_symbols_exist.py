"""Every API name a note claims to explain exists in the installed torch/torchvision."""

from __future__ import annotations

import importlib

import pytest

from torch_notes.corpus.loader import load_corpus

torch = pytest.importorskip("torch")


def resolve(symbol: str) -> object:
    """Import the longest importable module prefix of ``symbol``, then walk attributes."""
    parts = symbol.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(symbol)


def all_symbols() -> list[tuple[str, str]]:
    return [(note.id, symbol) for note in load_corpus().notes for symbol in note.symbols]


@pytest.mark.parametrize(("note_id", "symbol"), all_symbols(), ids=lambda v: str(v))
def test_symbol_exists(note_id: str, symbol: str) -> None:
    if symbol.startswith("torchvision"):
        pytest.importorskip("torchvision")
    try:
        resolve(symbol)
    except (ImportError, AttributeError) as err:
        pytest.fail(f"note {note_id!r} names {symbol!r}, which does not exist: {err}")


def test_a_shared_symbol_has_one_primary_note() -> None:
    """A symbol may be claimed by several notes (one per distinct caveat: ``torch.load`` has
    ``weights_only`` and ``map_location``); exactly one of them lists it first, and that note is
    the hover's card, the others its "see also" links."""
    claims: dict[str, list[tuple[str, bool]]] = {}
    for note in load_corpus().notes:
        for position, symbol in enumerate(note.symbols):
            claims.setdefault(symbol, []).append((note.id, position == 0))
    problems = []
    for symbol, owners in sorted(claims.items()):
        if len(owners) < 2:
            continue
        primaries = [note_id for note_id, first in owners if first]
        if len(primaries) != 1:
            ids = ", ".join(note_id for note_id, _ in owners)
            problems.append(
                f"{symbol!r} is claimed by {ids} and listed first by "
                f"{len(primaries)} of them ({', '.join(primaries) or 'none'}): "
                "exactly one note must list it first"
            )
    assert not problems, "\n".join(problems)
