import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isNoteId, noteIdOfPath, notePath, openNoteLink, rewriteNoteLinks } from "../src/noteLinks";

describe("rewriteNoteLinks", () => {
  it("turns every note link into the openNote command link", () => {
    const card = "**Contiguous**\n\n[Full note](torch-notes:note/tensor.contiguous) · [View](torch-notes:note/tensor.view)";
    const { value, changed } = rewriteNoteLinks(card);
    assert.ok(changed);
    assert.ok(value.includes(`[Full note](${openNoteLink("tensor.contiguous")})`), value);
    assert.ok(value.includes(`[View](${openNoteLink("tensor.view")})`), value);
    assert.ok(!value.includes("torch-notes:"), value);
  });
  it("encodes the id as the command's JSON arguments", () => {
    assert.equal(openNoteLink("tensor.view"), "command:torchNotes.openNote?%5B%22tensor.view%22%5D");
    const args = JSON.parse(decodeURIComponent(openNoteLink("a.b").split("?")[1]));
    assert.deepEqual(args, ["a.b"]);
  });
  it("leaves other links and malformed ids alone", () => {
    const md = "[docs](https://pytorch.org) [x](torch-notes:note/a%22b) [y](command:other) [z](torch-notes:note/..%2Fetc)";
    assert.deepEqual(rewriteNoteLinks(md), { value: md, changed: false });
  });
});

describe("note documents", () => {
  it("map ids to paths and back, for note ids only", () => {
    assert.equal(noteIdOfPath(`/${notePath("tensor.contiguous")}`), "tensor.contiguous");
    assert.equal(noteIdOfPath("note/tensor.view"), "tensor.view");
    assert.equal(noteIdOfPath("/other/x.md"), undefined);
    assert.equal(noteIdOfPath("note/../x.md"), undefined);
    assert.ok(isNoteId("data.dataset_dataloader") && !isNoteId("a b") && !isNoteId(""));
  });
});
