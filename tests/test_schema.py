"""snippets/schema.json: the editor-side rules agree with the loader's."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import REPO_ROOT
from torch_notes.corpus.model import REQUIRES_TAGS
from torch_notes.corpus.note_parser import DEPRECATED_FIELDS, NOTE_FIELDS, SNIPPET_FIELDS
from torch_notes.i18n import LANGUAGES

SCHEMA = json.loads((REPO_ROOT / "snippets" / "schema.json").read_text(encoding="utf-8"))
NOTE_FILES = sorted((REPO_ROOT / "snippets").glob("*.yaml"))


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_fields_match_loader() -> None:
    defs = SCHEMA["$defs"]
    assert set(defs["note"]["properties"]) == set(NOTE_FIELDS)
    assert set(defs["snippet"]["properties"]) == set(SNIPPET_FIELDS)
    assert set(defs["note"]["properties"]["deprecated"]["properties"]) == set(DEPRECATED_FIELDS)
    assert set(defs["text"]["required"]) == set(LANGUAGES)
    assert defs["note"]["properties"]["requires"]["items"]["enum"] == list(REQUIRES_TAGS)


@pytest.mark.parametrize("path", NOTE_FILES, ids=lambda p: p.name)
def test_builtin_file_matches_schema_and_references_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=./schema.json\n")
    jsonschema.validate(yaml.safe_load(text), SCHEMA)


def test_schema_rejects_what_loader_rejects() -> None:
    note = {
        "id": "a.b",
        "symbols": ["torch.Tensor.view"],
        "title": {"en": "T", "zh": "标题"},
        "summary": {"en": "S", "zh": "摘要"},
        "body": {"en": "B", "zh": "正文"},
        "example": "pass",
    }
    jsonschema.validate({"topic": "t", "notes": [note]}, SCHEMA)
    for bad in (
        {**note, "titel": "x"},
        {**note, "symbols": "torch.Tensor.view"},
        {**note, "title": {"en": "T"}},
        {**note, "requires": ["tpu"]},
        {**note, "since": 2.0},
        {**note, "id": "Bad Id"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"topic": "t", "notes": [bad]}, SCHEMA)
