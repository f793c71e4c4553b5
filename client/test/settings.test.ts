import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  type ConfigurationLike,
  expandPath,
  PYTHON_SETTING,
  readClientSettings,
  readLanguage,
  SECTION,
  settingsChange,
} from "../src/settings";

/** A `torchNotes` configuration section holding `values` (keys relative to the section). */
const config = (values: Record<string, unknown>): ConfigurationLike => ({
  get: <T>(key: string) => values[key] as T | undefined,
});

describe("expandPath", () => {
  it("expands ~ and ${workspaceFolder}", () => {
    assert.equal(expandPath("~/py/bin/python", "/w"), path.join(os.homedir(), "py/bin/python"));
    assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", "/w"), "/w/.venv/bin/python");
    assert.equal(expandPath("python3", undefined), "python3");
  });
  it("expands ${userHome} and trims", () => {
    assert.equal(expandPath("  ${userHome}/bin/python3 ", undefined), `${os.homedir()}/bin/python3`);
  });
  it("leaves ${workspaceFolder} alone without a folder", () => {
    assert.equal(expandPath("${workspaceFolder}/python", undefined), "${workspaceFolder}/python");
  });
});

describe("readClientSettings", () => {
  it("resolves the language and expands the interpreter", () => {
    assert.deepEqual(
      readClientSettings(config({ language: "auto", "server.python": "${workspaceFolder}/.venv/bin/python" }), {
        displayLanguage: "zh-cn",
        workspaceFolder: "/w",
      }),
      { language: "zh", python: "/w/.venv/bin/python" },
    );
  });
  it("reads an unset interpreter as empty", () => {
    const settings = readClientSettings(config({}), { displayLanguage: "de", workspaceFolder: undefined });
    assert.deepEqual(settings, { language: "en", python: "" });
    assert.equal(readClientSettings(config({ "server.python": "   " }), { displayLanguage: "en", workspaceFolder: undefined }).python, "");
  });
  it("lets the setting override the display language", () => {
    assert.equal(readLanguage(config({ language: "en" }), "zh-tw"), "en");
    assert.equal(readLanguage(config({ language: "zh" }), "en"), "zh");
  });
});

describe("settingsChange", () => {
  const affecting = (...changed: string[]) => (section: string) =>
    changed.some((key) => key === section || key.startsWith(`${section}.`));
  it("restarts the server when the interpreter changes", () => {
    assert.equal(settingsChange(affecting(PYTHON_SETTING)), "restart");
  });
  it("refreshes the status item for any other torchNotes setting", () => {
    assert.equal(settingsChange(affecting(`${SECTION}.language`)), "refresh");
    assert.equal(settingsChange(affecting(`${SECTION}.extraPaths`)), "refresh");
  });
  it("ignores other extensions' settings", () => {
    assert.equal(settingsChange(affecting("python.defaultInterpreterPath", "editor.fontSize")), "none");
  });
  it("names the setting the manifest contributes", () => {
    assert.equal(PYTHON_SETTING, "torchNotes.server.python");
  });
});
