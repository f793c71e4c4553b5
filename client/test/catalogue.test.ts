import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  CORPUS_CHANGED,
  effectiveLanguage,
  localize,
  noteMarkdown,
  notePickItems,
  parseCorpusChanged,
  parseNotes,
  parseServerInfo,
  parseSnippets,
  snippetPickItems,
  withCorpusChange,
} from "../src/catalogue";
import { statusText } from "../src/statusView";

describe("effectiveLanguage", () => {
  it("follows the setting, else the display language", () => {
    assert.equal(effectiveLanguage("zh", "en"), "zh");
    assert.equal(effectiveLanguage("en", "zh-cn"), "en");
    assert.equal(effectiveLanguage("auto", "zh-tw"), "zh");
    assert.equal(effectiveLanguage(undefined, "de"), "en");
  });
});

describe("localize", () => {
  it("accepts plain and bilingual texts", () => {
    assert.equal(localize("x", "zh"), "x");
    assert.equal(localize({ en: "a", zh: "甲" }, "zh"), "甲");
    assert.equal(localize({ en: "a", zh: "甲" }, "en"), "a");
    assert.equal(localize({ en: "a" }, "zh"), "a");
    assert.equal(localize(undefined, "en"), "");
  });
});

describe("parseSnippets", () => {
  const flat = [
    {
      id: "train.loop",
      prefix: "tn-train",
      title: "Training loop",
      description: "zero_grad, backward, step",
      body: "for ${1:x} in ${2:loader}:\n\t$0",
    },
    { id: "broken" },
  ];
  it("reads a bare list and drops entries without a body", () => {
    const s = parseSnippets(flat, "en");
    assert.equal(s.length, 1);
    assert.equal(s[0].prefix, "tn-train");
  });
  it("reads a wrapped list with bilingual texts and nested snippet fields", () => {
    const s = parseSnippets(
      {
        snippets: [
          {
            id: "a.b",
            title: { en: "T", zh: "标题" },
            snippet: { prefix: "tn-ab", description: { en: "D", zh: "说明" }, body: "x = 1" },
          },
        ],
      },
      "zh",
    );
    assert.deepEqual(s, [{ id: "a.b", prefix: "tn-ab", title: "标题", description: "说明", body: "x = 1" }]);
  });
  it("makes QuickPick items searchable by title, prefix and description", () => {
    const [item] = snippetPickItems(parseSnippets(flat, "en"));
    assert.equal(item.label, "Training loop");
    assert.equal(item.description, "tn-train");
    assert.equal(item.detail, "zero_grad, backward, step");
  });
  it("tolerates garbage", () => {
    assert.deepEqual(parseSnippets(null, "en"), []);
    assert.deepEqual(parseSnippets({ snippets: "no" }, "en"), []);
    assert.deepEqual(parseSnippets([1, "x", null], "en"), []);
  });
});

describe("parseNotes", () => {
  it("reads search results in either shape", () => {
    const notes = parseNotes(
      { results: [{ note: { id: "tensor.contiguous", title: { en: "c", zh: "连续" }, symbols: ["torch.Tensor.contiguous"] }, score: 3 }] },
      "zh",
    );
    assert.deepEqual(notes, [{ id: "tensor.contiguous", title: "连续", summary: "", symbols: ["torch.Tensor.contiguous"] }]);
    const [item] = notePickItems(parseNotes([{ id: "x.y", title: "`x.view()`", summary: "use `reshape`" }], "en"));
    assert.deepEqual([item.label, item.description, item.detail], ["x.view()", "x.y", "use reshape"]);
  });
});

describe("noteMarkdown", () => {
  it("uses the server's rendering when there is one", () => {
    assert.equal(noteMarkdown({ markdown: "# Hi" }, "en"), "# Hi");
    assert.equal(noteMarkdown({ contents: { kind: "markdown", value: "# V" } }, "en"), "# V");
    assert.equal(noteMarkdown("# S", "en"), "# S");
  });
  it("renders a note's fields otherwise", () => {
    const md = noteMarkdown(
      {
        id: "tensor.contiguous",
        title: { en: "contiguous()", zh: "连续" },
        summary: { en: "swap strides", zh: "交换步长" },
        body: { en: "Body.", zh: "正文。" },
        pitfall: { en: "view fails", zh: "view 失败" },
        example: "import torch\n",
        docs: "https://docs.pytorch.org/x",
      },
      "zh",
    );
    assert.match(md, /^# 连续/);
    assert.match(md, /\*交换步长\*/);
    assert.match(md, /正文。/);
    assert.match(md, /陷阱/);
    assert.match(md, /```python\nimport torch\n```/);
    assert.match(md, /\[官方文档\]\(https:\/\/docs\.pytorch\.org\/x\)/);
  });
});

describe("server info and status", () => {
  it("reads the counts under several spellings", () => {
    assert.deepEqual(parseServerInfo({ notesCount: 12, snippets: 3, version: "0.1.0" }), {
      notes: 12,
      snippets: 3,
      errors: undefined,
      version: "0.1.0",
      language: undefined,
    });
    assert.equal(parseServerInfo([1]), undefined);
    // The shape torchNotes.serverInfo has: errors as a list of messages.
    const info = parseServerInfo({ name: "torch-notes", notes: 40, snippets: 12, errors: ["a.yaml:3: bad"], language: "en" });
    assert.equal(info?.errors, 1);
    assert.equal(info?.notes, 40);
  });
});

describe("torchNotes/corpusChanged", () => {
  it("is the method the server sends", () => {
    assert.equal(CORPUS_CHANGED, "torchNotes/corpusChanged");
  });
  it("reads the counts", () => {
    assert.deepEqual(parseCorpusChanged({ notes: 45, errors: 2 }), { notes: 45, errors: 2 });
    assert.deepEqual(parseCorpusChanged({ notes: 0, errors: 0 }), { notes: 0, errors: 0 });
    assert.deepEqual(parseCorpusChanged({ notes: 45 }), { notes: 45 });
    // errors as serverInfo spells them (a list of messages) are counted too.
    assert.deepEqual(parseCorpusChanged({ notes: 45, errors: ["a.yaml:3: bad"] }), { notes: 45, errors: 1 });
  });
  it("ignores params without a usable notes count", () => {
    for (const bad of [undefined, null, 3, [], {}, { notes: "45" }, { notes: -1 }, { notes: 1.5 }]) {
      assert.equal(parseCorpusChanged(bad), undefined, JSON.stringify(bad));
    }
    assert.deepEqual(parseCorpusChanged({ notes: 4, errors: "x" }), { notes: 4 });
  });
  it("refreshes the status item's count, keeping the rest of serverInfo", () => {
    const before = { notes: 40, snippets: 12, errors: 0, version: "0.1.0", language: "en" };
    const after = withCorpusChange(before, { notes: 43, errors: 1 });
    assert.deepEqual(after, { notes: 43, snippets: 12, errors: 1, version: "0.1.0", language: "en" });
    assert.match(statusText("running", after, "en"), /43 PyTorch notes/);
    assert.equal(before.notes, 40, "the previous info is not mutated");
    // Without errors in the params the previous count stays; without serverInfo yet, the count alone.
    assert.equal(withCorpusChange(after, { notes: 44 }).errors, 1);
    assert.deepEqual(withCorpusChange(undefined, { notes: 7, errors: 0 }), { notes: 7, errors: 0 });
    assert.match(statusText("running", withCorpusChange(undefined, { notes: 7 }), "zh"), /7 条 PyTorch 笔记/);
  });
});
