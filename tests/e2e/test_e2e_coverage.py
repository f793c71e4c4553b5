"""A hit in ``torch-notes coverage`` is a note in the editor: the real server agrees."""

from __future__ import annotations

from lsp_support import EXAMPLES, hover_at, open_document
from pytest_lsp import LanguageClient

from torch_notes.analysis.document import SourceDocument
from torch_notes.corpus.index import CorpusIndex
from torch_notes.corpus.loader import load_corpus
from torch_notes.features.coverage import ApiVocabulary, source_references

SCRIPT = (EXAMPLES / "train_cifar_like.py").read_text(encoding="utf-8") + (
    "\n# APIs no note explains\n"
    "zeta = torch.special.zeta(torch.ones(2), 1.0)\n"
    "mantissa, exponent = torch.frexp(torch.ones(2))\n"
    "scaled = torch.ldexp(torch.ones(2), torch.ones(2))\n"
)


async def test_every_reference_hovers_as_coverage_says(client: LanguageClient):
    refs = source_references(SCRIPT, CorpusIndex.build(load_corpus()), ApiVocabulary.shipped())
    assert sum(ref.hit for ref in refs) >= 20 and sum(not ref.hit for ref in refs) >= 3
    uri = "file:///workspace/coverage_agreement.py"
    open_document(client, uri, SCRIPT)
    doc = SourceDocument.parse(SCRIPT, encoding=client.encoding)  # type: ignore[attr-defined]
    for ref in refs:
        result = await hover_at(client, uri, doc.position_of((ref.row, ref.column)))
        value = "" if result is None else result.contents.value
        assert ("(torch-notes:note/" in value) == ref.hit, (ref, value[:200])
        if ref.hit:
            assert f"(torch-notes:note/{ref.notes[0]})" in value
