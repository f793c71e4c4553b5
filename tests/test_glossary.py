"""The Chinese of every built-in note follows the glossary of ``docs/writing-notes.md``.

One term per concept: the retired variants of the glossary table are flagged in every zh text a
user reads (title, summary, body, pitfall, snippet description, deprecation message), outside
code spans. ``步长`` is the slice step or an optimizer's step size; in a sentence about a memory
or convolution stride it must be ``步幅``.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from torch_notes.corpus.loader import load_corpus
from torch_notes.corpus.model import Note, Text, display_path

RETIRED: dict[str, str] = {
    "小批量": "batch / mini-batch（保留英文）",
    "批次": "batch（保留英文）",
    "批量": "batch（保留英文）",
    "批大小": "batch 大小",
    "批归一化": "BatchNorm（不译）",
    "前向计算": "前向传播",
    "正向传播": "前向传播",
    "后向传播": "反向传播",
    "内核": "kernel（保留英文）",
    "核函数": "kernel（保留英文）",
    "悄悄": "say what happens: “不报错，但结果是错的”",
    "轮次": "epoch（保留英文）",
    "对数几率": "logits（保留英文）",
    "推断": "推理 (inference), or 推算 for a size inferred from -1",
    "就地": "原地",
    "陷阱": "易错点",
}
"""Retired variant → what the glossary writes instead."""

_FENCE = re.compile(r"```.*?```", re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_SENTENCE_END = re.compile(r"[。！？；]")
_STRIDE_CONTEXT = re.compile(
    r"stride|步幅|卷积|池化|transpose|permute|转置|contiguous|连续|内存", re.IGNORECASE
)
_SLICE_CONTEXT = re.compile(r"切片|::")

CORPUS = load_corpus([])


def zh_texts(note: Note) -> list[tuple[str, str]]:
    """(field, text) for every Chinese text of ``note`` that a user reads."""
    texts = [
        ("title", note.title.zh),
        ("summary", note.summary.zh),
        ("body", note.body.zh),
    ]
    if note.pitfall is not None:
        texts.append(("pitfall", note.pitfall.zh))
    if note.snippet is not None:
        texts.append(("snippet.description", note.snippet.description.zh))
    if note.deprecated is not None and note.deprecated.message is not None:
        texts.append(("deprecated.message", note.deprecated.message.zh))
    return texts


def prose(text: str) -> str:
    """``text`` without code: fenced blocks and inline code spans become a space."""
    return _CODE.sub(" ", _FENCE.sub(" ", text))


def sentences(text: str) -> list[str]:
    """Sentences of a zh text, with the line breaks of wrapped YAML lines removed."""
    joined = _FENCE.sub(" ", text).replace("\n", "")
    return [part for part in _SENTENCE_END.split(joined) if part.strip()]


def problems(note: Note) -> list[str]:
    """Every retired term in ``note``'s Chinese, with its field and what to write instead."""
    found = []
    for field, text in zh_texts(note):
        plain = prose(text)
        for term, instead in RETIRED.items():
            if term in plain:
                start = plain.index(term)
                context = plain[max(0, start - 12) : start + len(term) + 12].replace("\n", " ")
                found.append(f"zh {field}: '{term}' in «{context.strip()}» → write {instead}")
        for sentence in sentences(text):
            if "步长" not in prose(sentence):
                continue
            if _STRIDE_CONTEXT.search(sentence) and not _SLICE_CONTEXT.search(sentence):
                found.append(
                    f"zh {field}: '步长' in a sentence about a stride «{sentence.strip()[:60]}» "
                    "→ write 步幅 (步长 is the slice step / step size)"
                )
    return found


@pytest.mark.parametrize("note", CORPUS.notes, ids=lambda note: note.id)
def test_zh_follows_the_glossary(note: Note) -> None:
    found = problems(note)
    where = f"{display_path(note.location.path)}:{note.location.line}: note '{note.id}'"
    assert not found, where + "\n  " + "\n  ".join(found)


def test_the_checker_flags_retired_terms_outside_code_only() -> None:
    assert prose("用 `批量` 代码，其余是文字") == "用   代码，其余是文字"
    body = (
        "`x[::2]` 的步长为 2。转置只交换步长，不搬动数据，`stride()` 随之改变。"
        "`批次` 在代码里可以。"
    )
    note = replace(CORPUS.notes[0], title=Text(en="t", zh="每个批次"), body=Text(en="b", zh=body))
    messages = problems(note)
    assert any("zh title: '批次' in «每个批次»" in m for m in messages)
    assert sum("about a stride" in m for m in messages) == 1  # the slice step is fine
    assert not any(m.startswith("zh body: '批次'") for m in messages)  # inside a code span
