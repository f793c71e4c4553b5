"""The snippet-syntax parser: expansion, choices and located errors."""

from __future__ import annotations

import pytest

from torch_notes.corpus.snippet_syntax import SnippetSyntaxError, parse_snippet


@pytest.mark.parametrize(
    ("body", "expanded"),
    [
        ("plain text", "plain text"),
        ("x = $1", "x = "),
        ("x = ${1:42}", "x = 42"),
        ("x = ${1:a ${2:b} c}", "x = a b c"),
        ("${1:model}.eval()\n$1.train()$0", "model.eval()\nmodel.train()"),
        ("opt = ${1|SGD,Adam|}", "opt = SGD"),
        ("d = {'a': 1}", "d = {'a': 1}"),
        ("price = \\$5 and \\} and \\\\", "price = $5 and } and \\"),
        ("f'{x}' costs $ 3", "f'{x}' costs $ 3"),
        ("${1:f'{x}'}", "f'{x'}"),  # the first unescaped } closes the placeholder
        ("c = ${1|a\\,b,c|}", "c = a,b"),
    ],
)
def test_expand_defaults(body: str, expanded: str) -> None:
    assert parse_snippet(body).expand() == expanded


def test_choices_and_chosen_values() -> None:
    template = parse_snippet("opt = torch.optim.${1|SGD,Adam,AdamW|}(p, lr=${2:0.1})\n$0")
    assert template.choices() == {1: ("SGD", "Adam", "AdamW")}
    assert template.tabstops() == (0, 1, 2)
    assert template.expand({1: "AdamW"}) == "opt = torch.optim.AdamW(p, lr=0.1)\n"


@pytest.mark.parametrize(
    ("body", "fragment", "line", "column"),
    [
        ("a\nb = ${1:x", "unbalanced", 2, 5),
        ("x = ${1||}", "no options", 1, 5),
        ("x = ${1|a,,b|}", "empty option", 1, 5),
        ("x = ${1|a,b}", "'|}'", 1, 5),
        ("x = $TM_FILENAME", "not supported", 1, 5),
        ("x = ${CLIPBOARD}", "not supported", 1, 5),
        ("x = ${ 1}", "tabstop number", 1, 5),
        ("x = ${1/a/b/}", "unexpected", 1, 8),
        ("a = $1\nb = $3", "$2 missing", 1, 1),
        ("a = ${2:x}", "$1 missing", 1, 1),
    ],
)
def test_errors_are_located(body: str, fragment: str, line: int, column: int) -> None:
    with pytest.raises(SnippetSyntaxError) as info:
        parse_snippet(body)
    assert fragment in info.value.reason
    assert (info.value.line, info.value.column) == (line, column)
