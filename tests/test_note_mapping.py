"""A hover opens the note that matches what the user is doing (issue 10, point 6).

Regression tests for the mappings that were wrong: ``torch.load`` showed a note that never
mentioned ``weights_only``, ``nn.L1Loss`` opened the L1-*regularisation* note,
``model.parameters()`` the freeze note, and ``torch.device`` had no note of its own.
"""

from __future__ import annotations

import pytest
from lsprotocol import types

from torch_notes.analysis.analysis import Analysis
from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.diagnostics.deprecations import argument_deprecation, deprecated_symbols
from torch_notes.features.hover import hover
from torch_notes.features.markdown import card_markdown

CORPUS = load_corpus([])
INDEX = CorpusIndex.build(CORPUS)
VERIFIED = {note.id: "2.14.1" for note in CORPUS.notes}


def primary(symbol: str) -> str:
    """The id of the note whose card a hover on ``symbol`` shows."""
    notes = INDEX.notes_for(symbol)
    assert notes, f"no note claims {symbol}"
    return notes[0].id


def hover_text(source: str, needle: str, lang: str = "en") -> str:
    """The hover Markdown at the first character of ``needle`` in ``source``."""
    doc = SourceDocument.parse(source)
    line = next(i for i, text in enumerate(source.splitlines()) if needle in text)
    column = source.splitlines()[line].index(needle)
    result = hover(Analysis.of(doc), types.Position(line, column), INDEX, lang, VERIFIED)
    assert result is not None, f"no hover on {needle!r}"
    return result.contents.value


def test_torch_load_card_is_the_weights_only_note() -> None:
    assert primary("torch.load") == "models.weights_only"
    assert [note.id for note in INDEX.notes_for("torch.load")] == [
        "models.weights_only",
        "models.map_location",
    ]
    text = hover_text('import torch\nstate = torch.load("model.pt")\n', "load(")
    card, _, rest = text.partition("**See also:**")
    assert "weights_only" in card and "UnpicklingError" in card
    assert "map_location" in rest  # the other caveat, linked


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_torch_load_card_mentions_weights_only_in_both_languages(lang: str) -> None:
    card = card_markdown(INDEX.by_id["models.weights_only"], lang, INDEX, VERIFIED)
    assert "weights_only" in card and "add_safe_globals" in card


def test_l1loss_is_not_the_l1_penalty_note() -> None:
    assert "torch.nn.L1Loss" not in INDEX.by_id["training.l1_penalty"].symbols
    assert all(n.id != "training.l1_penalty" for n in INDEX.notes_for("torch.nn.L1Loss"))


def test_module_parameters_is_not_the_freeze_note() -> None:
    freeze = INDEX.by_id["training.freeze_layers"]
    assert "torch.nn.Module.parameters" not in freeze.symbols
    assert "torch.nn.Module.named_parameters" not in freeze.symbols
    assert primary("torch.nn.Module.parameters") != "training.freeze_layers"
    text = hover_text(
        "from torch import nn\nm = nn.Linear(2, 2)\nps = list(m.parameters())\n", "parameters"
    )
    assert "Fine-tuning" not in text.partition("**See also:**")[0]


@pytest.mark.parametrize("symbol", ["torch.device", "torch.device.type", "torch.device.index"])
def test_torch_device_has_its_own_note(symbol: str) -> None:
    assert primary(symbol) == "models.device"
    assert all(n.id != "inspect.dtype_device" for n in INDEX.notes_for(symbol))


def test_current_accelerator_card_names_is_available() -> None:
    assert primary("torch.accelerator.current_accelerator") == "models.device"
    assert primary("torch.accelerator.is_available") == "models.device"
    text = hover_text(
        "import torch\ndevice = torch.accelerator.current_accelerator()\n", "current_accelerator"
    )
    assert "is_available()" in text.partition("**See also:**")[0]


def test_device_snippet_picks_the_accelerator_without_dataparallel() -> None:
    snippet = INDEX.snippet_note("pt-device").snippet
    assert "torch.accelerator.is_available()" in snippet.body
    assert "DataParallel" not in snippet.body


def test_only_the_pretrained_argument_is_deprecated() -> None:
    note = INDEX.by_id["models.torchvision_weights"]
    assert argument_deprecation(note)
    deprecated = deprecated_symbols(INDEX)
    for symbol in note.symbols:  # get_model, ResNet18_Weights, resnet18
        assert symbol not in deprecated
    for lang in ("en", "zh"):
        card = card_markdown(note, lang, INDEX, VERIFIED)
        assert "Deprecated since" not in card and "起弃用：请改用 `weights=...`" not in card
        assert "`pretrained=`" in card


@pytest.mark.parametrize("prefix", ["pt-train", "pt-eval", "pt-sched", "pt-amp"])
def test_loop_snippets_move_each_batch_to_the_device(prefix: str) -> None:
    body = INDEX.snippet_note(prefix).snippet.body
    assert "inputs, targets = inputs.to(device), targets.to(device)" in body


@pytest.mark.parametrize("prefix", ["pt-transforms", "pt-dataset"])
def test_transform_snippets_use_transforms_v2(prefix: str) -> None:
    body = INDEX.snippet_note(prefix).snippet.body
    assert "v2.ToImage()" in body and "v2.ToDtype(torch.float32, scale=True)" in body
    assert "ToTensor" not in body and "from torchvision import transforms" not in body
