import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import { fakeHost } from "./fakeHost";
import {
  type ConfigurationLike,
  expandPath,
  PYTHON_SETTING,
  readClientSettings,
  readLanguage,
  SECTION,
  settingsChange,
} from "../src/settings";

const linux = fakeHost("linux", { home: os.homedir() });

/** A `torchNotes` configuration section holding `values` (keys relative to the section). */
const config = (values: Record<string, unknown>): ConfigurationLike => ({
  get: <T>(key: string) => values[key] as T | undefined,
});

describe("expandPath", () => {
  it("expands ~ and ${workspaceFolder}", () => {
    assert.equal(expandPath("~/py/bin/python", "/w", linux), path.join(os.homedir(), "py/bin/python"));
    assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", "/w", linux), "/w/.venv/bin/python");
    assert.equal(expandPath("python3", undefined, linux), "python3");
    assert.equal(expandPath("~user/python3", undefined, linux), "~user/python3");
  });
  it("expands ${userHome} and trims", () => {
    assert.equal(expandPath("  ${userHome}/bin/python3 ", undefined, linux), `${os.homedir()}/bin/python3`);
  });
  it("leaves ${workspaceFolder} alone without a folder", () => {
    assert.equal(expandPath("${workspaceFolder}/python", undefined, linux), "${workspaceFolder}/python");
  });
  it("expands ${env:NAME}, leaving an unknown one as written", () => {
    const host = fakeHost("linux", { env: { CONDA_PREFIX: "/opt/conda" } });
    assert.equal(expandPath("${env:CONDA_PREFIX}/bin/python", undefined, host), "/opt/conda/bin/python");
    assert.equal(expandPath("${env:NOPE}/python", undefined, host), "${env:NOPE}/python");
  });
});

describe("expandPath on Windows", () => {
  const win = fakeHost("win32", {
    home: "C:\\Users\\Ada",
    env: { USERPROFILE: "C:\\Users\\Ada", LocalAppData: "C:\\Users\\Ada\\AppData\\Local" },
  });
  it("expands ~\\ and ~/ to the profile folder", () => {
    assert.equal(expandPath("~\\.venv\\Scripts\\python.exe", undefined, win), "C:\\Users\\Ada\\.venv\\Scripts\\python.exe");
    assert.equal(expandPath("~/py/python.exe", undefined, win), "C:\\Users\\Ada\\py\\python.exe");
  });
  it("expands %USERPROFILE% and other variables whatever their case", () => {
    assert.equal(
      expandPath("%USERPROFILE%\\.venv\\Scripts\\python.exe", undefined, win),
      "C:\\Users\\Ada\\.venv\\Scripts\\python.exe",
    );
    assert.equal(
      expandPath("%LOCALAPPDATA%\\Programs\\Python\\Python312\\python.exe", undefined, win),
      "C:\\Users\\Ada\\AppData\\Local\\Programs\\Python\\Python312\\python.exe",
    );
    assert.equal(expandPath("${env:userprofile}\\python.exe", undefined, win), "C:\\Users\\Ada\\python.exe");
    assert.equal(expandPath("%NOPE%\\python.exe", undefined, win), "%NOPE%\\python.exe");
  });
  it("leaves % alone on Linux and macOS", () => {
    assert.equal(expandPath("/tmp/%USER%/python", undefined, fakeHost("darwin", { env: { USER: "x" } })), "/tmp/%USER%/python");
  });
});

describe("readClientSettings", () => {
  it("resolves the language and expands the interpreter", () => {
    assert.deepEqual(
      readClientSettings(
        config({ language: "auto", "server.python": "${workspaceFolder}/.venv/bin/python" }),
        { displayLanguage: "zh-cn", workspaceFolder: "/w" },
        linux,
      ),
      { language: "zh", python: "/w/.venv/bin/python" },
    );
  });
  it("reads an unset interpreter as empty", () => {
    const settings = readClientSettings(config({}), { displayLanguage: "de", workspaceFolder: undefined }, linux);
    assert.deepEqual(settings, { language: "en", python: "" });
    const blank = config({ "server.python": "   " });
    assert.equal(readClientSettings(blank, { displayLanguage: "en", workspaceFolder: undefined }, linux).python, "");
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
