import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { firstArgument, needsFolder, previewPage, withValidationPython } from "../src/noteAuthoring";

describe("withValidationPython", () => {
  it("fills an empty validation.python, nested or dotted", () => {
    assert.deepEqual(withValidationPython({ language: "en" }, "/v/bin/python"), {
      language: "en",
      validation: { python: "/v/bin/python" },
    });
    assert.deepEqual(withValidationPython({ validation: { python: "", onSave: true } }, "/p"), {
      validation: { python: "/p", onSave: true },
    });
    assert.deepEqual(withValidationPython({ "validation.python": " " }, "/p"), { validation: { python: "/p" } });
  });
  it("keeps what the user set, and anything without an interpreter to offer", () => {
    const set = { validation: { python: "/mine" } };
    assert.equal(withValidationPython(set, "/p"), set);
    assert.deepEqual(withValidationPython({ "validation.python": "/mine" }, "/p"), { "validation.python": "/mine" });
    assert.equal(withValidationPython(null, "/p"), null);
    const none = { language: "zh" };
    assert.equal(withValidationPython(none, undefined), none);
  });
});

describe("command results", () => {
  it("tells when the server needs a notes folder", () => {
    assert.ok(needsFolder({ created: false, needsFolder: true }));
    assert.ok(!needsFolder({ created: true }));
    assert.ok(!needsFolder(null));
  });
  it("reads a preview page and first arguments defensively", () => {
    assert.equal(previewPage({ page: "file:///c/p.md" }), "file:///c/p.md");
    assert.equal(previewPage({ page: "command:x" }), undefined);
    assert.equal(previewPage(undefined), undefined);
    assert.deepEqual(firstArgument([{ symbol: "torch.nn.Linear" }]), { symbol: "torch.nn.Linear" });
    assert.deepEqual(firstArgument(["x"]), {});
    assert.deepEqual(firstArgument([]), {});
  });
});
