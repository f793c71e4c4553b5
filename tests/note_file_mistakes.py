"""A note file with one mistake per note, each line marked with the kind of mistake.

Shared by the unit tests of the note-file checks and the end-to-end diagnostics test:
every kind must be reported at the marked line, and nothing else anywhere.
"""

from __future__ import annotations

from torch_notes.corpus.loader import load_corpus

_BUILTIN = load_corpus([])
BUILTIN_ID = _BUILTIN.notes[0].id
BUILTIN_PREFIX = next(note.snippet.prefix for note in _BUILTIN.notes if note.snippet)

_GOOD = """\
    symbols: [torch.zeros]
    title: {en: "Zeros", zh: "全零"}
    summary: {en: "All zeros.", zh: "全是零。"}
    body: {en: "Body.", zh: "正文。"}
    example: |
      import torch
      assert torch.zeros(2).sum() == 0
"""

LONG_SUMMARY = "x" * 161
_GOOD_TWICE = _GOOD.replace(
    '    title: {en: "Zeros", zh: "全零"}',
    '    title: {en: "Zeros", zh: "全零"}          # given-twice',
)

MISTAKES_TEXT = f"""\
topic: mistakes
notes:
  - id: m.unknown_field
    titel: {{en: "T", zh: "标题"}}              # unknown-field
    symbols: [torch.zeros]
  - id: m.missing_body                            # missing-field
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    example: |
      assert True
  - id: m.not_a_string
    symbols: [torch.zeros]
    title: {{en: 42, zh: "标题"}}                 # not-a-string
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.empty_text
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "", zh: "摘要"}}               # empty-text
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.missing_language
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B"}}                             # missing-language
    example: |
      assert True
  - id: M.Bad                                     # bad-id
{_GOOD}  - id: m.bad_symbol
    symbols: [numpy.zeros]                        # bad-symbol
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.not_a_list
    symbols: torch.zeros                          # not-a-list
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.unknown_symbol
    symbols: [torch.nn.Lineer]                    # unknown-symbol
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.twice
{_GOOD}  - id: m.twice                                   # duplicate-id
{_GOOD}  - id: {BUILTIN_ID}        # builtin-id
{_GOOD}  - id: m.prefix
{_GOOD}    snippet:
      prefix: {BUILTIN_PREFIX}                    # duplicate-prefix
      description: {{en: "D", zh: "说明"}}
      body: |
        x = 1
  - id: m.unknown_related
{_GOOD}    related: [tensor.contiguos]                   # unknown-related
  - id: m.self
{_GOOD}    related: [m.self]                             # related-self
  - id: m.example_syntax
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |
      import torch
      x = (1,   # example-syntax
  - id: m.hover_outside
    hover: |
      >>> x = 1

      hover-outside: prose between statements
{_GOOD}  - id: m.snippet_syntax
{_GOOD}    snippet:
      prefix: m-snippet
      description: {{en: "D", zh: "说明"}}
      body: |
        print(${{2:x}})                             # snippet-syntax
  - id: m.bad_tag
    requires: [tpu]                               # bad-tag
{_GOOD}  - id: m.bad_version
    since: "two"                                  # bad-version
{_GOOD}  - id: m.not_https
    docs: http://example.com/zeros                # not-https
{_GOOD}  - id: m.given_twice
    title: {{en: "T", zh: "标题"}}
{_GOOD_TWICE}  - id: m.long_summary
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "{LONG_SUMMARY}", zh: "摘要"}}   # summary-budget
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
  - id: m.long_hover
    hover: |                                      # hover-budget
{"".join("      >>> x = 1" + chr(10) for _ in range(11))}{_GOOD}  - id: m.no_assert
    symbols: [torch.zeros]
    title: {{en: "T", zh: "标题"}}
    summary: {{en: "S", zh: "摘要"}}
    body: {{en: "B", zh: "正文"}}
    example: |                                    # no-assert
      import torch
      x = torch.zeros(2)
  - id: m.alias
    symbols: [torch.zeros]
    title: &shared {{en: "T", zh: "标题"}}        # alias
    summary: *shared
    body: {{en: "B", zh: "正文"}}
    example: |
      assert True
"""

EXPECTED: dict[str, str] = {
    "unknown-field": "did you mean 'title'",
    "missing-field": "'body' is missing",
    "not-a-string": "must be a string",
    "empty-text": "must not be empty",
    "missing-language": "'body.zh' is missing",
    "bad-id": "dotted lower-case id",
    "bad-symbol": "full API name",
    "not-a-list": "must be a list of strings",
    "unknown-symbol": 'did you mean "torch.nn.Linear"',
    "duplicate-id": "duplicates the id defined at",
    "builtin-id": "duplicates the id defined at",
    "duplicate-prefix": "is already the prefix of note",
    "unknown-related": 'did you mean "tensor.contiguous"',
    "related-self": "names the note itself",
    "example-syntax": "does not compile",
    "hover-outside": "text outside a statement",
    "snippet-syntax": "tabstop",
    "bad-tag": "known tags",
    "bad-version": 'a version like "2.0"',
    "not-https": "https:// link",
    "given-twice": "is given twice",
    "summary-budget": "has 161 characters",
    "hover-budget": "has 11 lines",
    "no-assert": "asserts nothing",
    "alias": "anchors and aliases are not allowed",
}
"""Kind of mistake (the marker on its line) → a piece of the message reported there."""

INVALID_YAML_TEXT = """\
topic: broken
notes:
  - id: b.unclosed
    title: {en: "never closed"
    symbols: [torch.zeros]                        # invalid-yaml
"""
"""Invalid YAML: the loader reports where the parser found the flow mapping unclosed."""
