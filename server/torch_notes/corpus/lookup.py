"""Find the note a person means: by id, by API name, by a name's last part, or by search."""

from __future__ import annotations

from torch_notes.corpus.model import Corpus, Note
from torch_notes.corpus.search import search


def find_notes(corpus: Corpus, query: str) -> list[Note]:
    """Notes for ``query``, most specific match first.

    ``tensor.contiguous`` (an id), ``torch.Tensor.contiguous`` (an API name),
    ``contiguous`` or ``Tensor.contiguous`` (the end of an API name), else a search.
    """
    query = query.strip()
    if not query:
        return []
    exact = corpus.get(query)
    if exact is not None:
        return [exact]
    by_symbol = [note for note in corpus.notes if query in note.symbols]
    if by_symbol:
        return by_symbol
    suffix = "." + query.lstrip(".")
    by_tail = [note for note in corpus.notes if any(s.endswith(suffix) for s in note.symbols)]
    if by_tail:
        return by_tail
    return [hit.note for hit in search(corpus.notes, query)]
