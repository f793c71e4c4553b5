// The localised texts: every message the client translates has a Chinese translation, and
// the manifest's %keys% exist in both package.nls files.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import { displayServes, format, translator } from "../src/l10n";

const root = path.resolve(__dirname, "..", "..");
const readJson = (name: string) => JSON.parse(fs.readFileSync(path.join(root, name), "utf8"));
const bundle: Record<string, string> = readJson("l10n/bundle.l10n.zh-cn.json");
const srcDir = path.join(root, "client", "src");
const source = fs
  .readdirSync(srcDir)
  .filter((name) => name.endsWith(".ts"))
  .map((name) => fs.readFileSync(path.join(srcDir, name), "utf8"))
  .join("\n");

describe("runtime texts", () => {
  it("formats placeholders like vscode.l10n.t", () => {
    assert.equal(format("{0} of {1}, {0}", [1, "two"]), "1 of two, 1");
    assert.equal(format("{2} stays", ["a"]), "{2} stays");
    assert.equal(translator(bundle)("{0} PyTorch notes", 5), "5 条 PyTorch 笔记");
    assert.equal(translator(bundle)("Not in the bundle {0}", 1), "Not in the bundle 1");
  });
  it("has a translation for every message the client translates", () => {
    const messages = new Set([...source.matchAll(/\bt\("((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]));
    assert.ok(messages.size >= 10, [...messages].join(" | "));
    for (const message of messages) {
      assert.ok(message in bundle, `no zh-cn translation for ${JSON.stringify(message)}`);
    }
    for (const [message, translated] of Object.entries(bundle)) {
      const holes = (text: string) => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
      assert.deepEqual(holes(translated), holes(message), message);
    }
  });
  it("lets VS Code translate only when its display language is the note language", () => {
    assert.ok(displayServes("zh", "zh-cn") && displayServes("en", "en") && displayServes("en", "de"));
    assert.ok(!displayServes("zh", "en") && !displayServes("en", "zh-tw"));
  });
});

describe("package.nls", () => {
  const manifest = fs.readFileSync(path.join(root, "package.json"), "utf8");
  const en: Record<string, string> = readJson("package.nls.json");
  const zh: Record<string, string> = readJson("package.nls.zh-cn.json");
  it("defines every %key% of the manifest in English and Chinese", () => {
    const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length >= 15);
    for (const key of keys) {
      assert.ok(en[key], `package.nls.json lacks ${key}`);
      assert.ok(zh[key], `package.nls.zh-cn.json lacks ${key}`);
      assert.ok(/[\u4e00-\u9fff]/.test(zh[key]), `${key} is not translated`);
    }
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
  });
  it("says PyTorch Notes, never Torch Notes", () => {
    for (const text of [manifest, JSON.stringify(en), JSON.stringify(zh), JSON.stringify(bundle)]) {
      assert.doesNotMatch(text, /(?<!Py)Torch Notes/);
    }
  });
});
