import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  bundledDir,
  interpreterDetail,
  interpreterOrigin,
  serverLaunch,
  serverLocation,
  startFailureMessage,
} from "../src/launch";

const ext = path.join(path.sep, "ext", "torch-notes");
const libs = path.join(ext, "bundled", "libs");
const existing = (...paths: string[]) => (p: string) => paths.includes(p);

describe("serverLocation", () => {
  it("prefers the bundle inside the extension", () => {
    const loc = serverLocation(ext, existing(path.join(libs, "torch_notes"), path.join(ext, "server")));
    assert.deepEqual(loc, { bundled: true, libs, pythonPath: [libs] });
  });
  it("falls back to server/ of a source checkout", () => {
    const loc = serverLocation(ext, existing(path.join(ext, "server")));
    assert.deepEqual(loc, { bundled: false, libs, pythonPath: [path.join(ext, "server")] });
  });
  it("adds nothing when neither exists (an installed torch-notes package)", () => {
    assert.deepEqual(serverLocation(ext, existing()).pythonPath, []);
  });
});

describe("serverLaunch", () => {
  it("runs `python -m torch_notes lsp` from the bundle, never from the workspace", () => {
    const loc = serverLocation(ext, existing(path.join(libs, "torch_notes")));
    const launch = serverLaunch("/usr/bin/python3", loc, { PATH: "/bin" }, ext, "linux");
    assert.equal(launch.command, "/usr/bin/python3");
    assert.deepEqual(launch.args, ["-m", "torch_notes", "lsp"]);
    assert.equal(launch.cwd, libs);
    assert.equal(launch.env.PYTHONPATH, libs);
    assert.equal(launch.env.PYTHONNOUSERSITE, "1");
    assert.equal(launch.env.PYTHONIOENCODING, "utf-8");
  });
  it("runs in the extension's folder when there is no code of its own", () => {
    const launch = serverLaunch("python3", serverLocation(ext, existing()), {}, ext);
    assert.equal(launch.cwd, ext);
    assert.equal(launch.env.PYTHONNOUSERSITE, undefined);
  });
});

describe("on Windows", () => {
  it("finds the bundle and joins PYTHONPATH with ';'", () => {
    const winExt = "C:\\Users\\Ada\\.vscode\\extensions\\torch-notes.torch-notes-0.1.0-win32-x64";
    const winLibs = `${winExt}\\bundled\\libs`;
    const loc = serverLocation(winExt, existing(`${winLibs}\\torch_notes`), "win32");
    assert.deepEqual(loc, { bundled: true, libs: winLibs, pythonPath: [winLibs] });
    assert.equal(bundledDir(loc, "win32"), `${winExt}\\bundled`);
    const launch = serverLaunch("C:\\Python312\\python.exe", loc, { PYTHONPATH: "D:\\mine" }, winExt, "win32");
    assert.equal(launch.env.PYTHONPATH, `${winLibs};D:\\mine`);
    assert.equal(launch.cwd, winLibs);
  });
});

describe("start texts", () => {
  it("names the interpreter by version and executable", () => {
    const probe = { version: [3, 12, 1] as [number, number, number], executable: "/usr/bin/python3.12", cacheTag: "cpython-312" };
    assert.equal(interpreterDetail(probe, "python3"), "Python 3.12.1 (/usr/bin/python3.12)");
    assert.equal(interpreterDetail({ ...probe, executable: "" }, "python3"), "Python 3.12.1 (python3)");
  });
  it("says where the interpreter came from", () => {
    assert.equal(interpreterOrigin("setting"), "torchNotes.server.python");
    assert.equal(interpreterOrigin("python-extension"), "the Python extension");
    assert.equal(interpreterOrigin("default"), "PATH");
  });
  it("explains a failed start and names the setting", () => {
    const msg = startFailureMessage("Python 3.12.1 (/usr/bin/python3)", new Error("spawn EACCES"));
    assert.match(msg, /with Python 3\.12\.1 \(\/usr\/bin\/python3\): spawn EACCES\./);
    assert.match(msg, /"torchNotes\.server\.python"/);
    assert.match(startFailureMessage("Python 3.11.0 (x)", "closed"), /: closed\./);
  });
});
