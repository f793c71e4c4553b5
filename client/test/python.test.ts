import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  bundleCacheTags,
  type Candidate,
  candidates,
  commandLine,
  describeTags,
  findPython,
  notFoundMessage,
  parseProbeOutput,
  probePython,
  type ProbeResult,
  readBundle,
  serverEnv,
  unusableReason,
} from "../src/python";
import { fakeHost } from "./fakeHost";

const linux = fakeHost("linux");

const py = (major: number, minor: number, tag = `cpython-${major}${minor}`): ProbeResult => ({
  version: [major, minor, 0],
  executable: `/usr/bin/python${major}.${minor}`,
  cacheTag: tag,
});

describe("candidates", () => {
  it("uses only the explicit setting when there is one", () => {
    assert.deepEqual(candidates(" /opt/py/bin/python ", "/ext/python", linux), [
      { command: "/opt/py/bin/python", source: "setting" },
    ]);
  });
  it("prefers the Python extension's interpreter, then python3, then python", () => {
    assert.deepEqual(
      candidates("", "/venv/bin/python", linux).map(commandLine),
      ["/venv/bin/python", "python3", "python"],
    );
    assert.deepEqual(
      candidates("", undefined, linux).map(commandLine),
      ["python3", "python"],
    );
  });
  it("takes a venv folder in the setting to its interpreter", () => {
    const host = fakeHost("linux", { dirs: ["/w/.venv"], files: ["/w/.venv/bin/python3"] });
    assert.equal(candidates("/w/.venv", undefined, host)[0].command, "/w/.venv/bin/python3");
    // A folder without an interpreter stays as written: the probe's error names it.
    assert.equal(candidates("/w/empty", undefined, linux)[0].command, "/w/empty");
  });
});

describe("candidates on Windows", () => {
  it("tries the py launcher with -3, then python", () => {
    const host = fakeHost("win32");
    const list = candidates("", undefined, host);
    assert.deepEqual(list.slice(0, 2), [
      { command: "py", args: ["-3"], source: "default" },
      { command: "python", source: "default" },
    ]);
    assert.ok(!list.some((c) => c.command === "python3"), "python3 is the Store's alias on Windows");
  });
  it("takes a venv folder to Scripts\\python.exe and a conda folder to python.exe", () => {
    const venv = "C:\\Users\\Ada\\proj\\.venv";
    const conda = "C:\\Users\\Ada\\miniconda3\\envs\\torch";
    const host = fakeHost("win32", {
      dirs: [venv, conda],
      files: [`${venv}\\Scripts\\python.exe`, `${conda}\\python.exe`],
    });
    assert.equal(candidates(venv, undefined, host)[0].command, `${venv}\\Scripts\\python.exe`);
    assert.equal(candidates(conda, undefined, host)[0].command, `${conda}\\python.exe`);
    assert.equal(candidates("", venv, host)[0].command, `${venv}\\Scripts\\python.exe`);
  });
  it("adds python.org's installs that exist, newest first", () => {
    const local = "C:\\Users\\Ada\\AppData\\Local";
    const host = fakeHost("win32", {
      env: { LocalAppData: local, ProgramFiles: "C:\\Program Files" },
      files: [`${local}\\Programs\\Python\\Python311\\python.exe`, "C:\\Program Files\\Python313\\python.exe"],
    });
    assert.deepEqual(candidates("", undefined, host).map(commandLine), [
      "py -3",
      "python",
      "C:\\Program Files\\Python313\\python.exe",
      `${local}\\Programs\\Python\\Python311\\python.exe`,
    ]);
  });
  it("does not try the same interpreter twice, whatever its case", () => {
    const host = fakeHost("win32");
    assert.deepEqual(candidates("", "PYTHON", host).map(commandLine), ["PYTHON", "py -3"]);
  });
});

describe("candidates on macOS", () => {
  it("adds Homebrew's and python.org's framework interpreters that exist", () => {
    const host = fakeHost("darwin", {
      files: [
        "/opt/homebrew/bin/python3",
        "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3",
        "/usr/bin/python3",
      ],
    });
    assert.deepEqual(candidates("", undefined, host).map(commandLine), [
      "python3",
      "python",
      "/opt/homebrew/bin/python3",
      "/Library/Frameworks/Python.framework/Versions/3.12/bin/python3",
      "/usr/bin/python3",
    ]);
  });
  it("skips the places that do not exist", () => {
    assert.deepEqual(candidates("", undefined, fakeHost("darwin")).map(commandLine), ["python3", "python"]);
  });
});

describe("unusableReason", () => {
  const tags = new Set(["cpython-310", "cpython-311", "cpython-312", "cpython-313", "cpython-314"]);
  it("accepts Python 3.10 to 3.14 with the bundled parser", () => {
    for (const minor of [10, 11, 12, 13, 14]) {
      assert.equal(unusableReason(py(3, minor), tags), undefined);
    }
  });
  it("rejects Python older than 3.10 with the version in the reason", () => {
    assert.match(unusableReason(py(3, 9), tags) ?? "", /3\.9\.0; 3\.10 or newer/);
    assert.match(unusableReason(py(2, 7), new Set()) ?? "", /3\.10 or newer/);
  });
  it("rejects a Python the bundle has no compiled parser for", () => {
    assert.match(unusableReason(py(3, 15), tags) ?? "", /CPython 3\.10–3\.14/);
    assert.match(
      unusableReason(py(3, 11), new Set(["cpython-312", "cpython-313", "cpython-314"]), "win32-arm64") ?? "",
      /this build of the extension \(win32-arm64\) runs on CPython 3\.12–3\.14/,
    );
    assert.match(unusableReason(py(3, 11, "pypy311"), tags) ?? "", /pypy311/);
  });
  it("accepts any Python >= 3.10 without a bundle", () => {
    assert.equal(unusableReason(py(3, 15), new Set()), undefined);
  });
});

describe("findPython", () => {
  it("returns the first usable candidate", async () => {
    const probes: Record<string, ProbeResult | Error> = {
      "/ext/python": py(3, 8),
      python3: new Error("not found"),
      python: py(3, 12),
    };
    const probe = async (candidate: Candidate) => {
      const r = probes[candidate.command];
      if (r instanceof Error) {
        throw r;
      }
      return r;
    };
    const found = await findPython(candidates("", "/ext/python", linux), probe, new Set());
    assert.ok(found.ok);
    assert.equal(found.candidate.command, "python");
  });
  it("explains every failure and names the setting", async () => {
    const found = await findPython(candidates("", undefined, linux), async () => {
      throw new Error("not found");
    }, new Set());
    assert.equal(found.ok, false);
    if (!found.ok) {
      assert.match(found.message, /"python3" not found; "python" not found/);
      assert.match(found.message, /torchNotes\.server\.python/);
      assert.match(found.message, /Python 3\.10 or newer/);
    }
  });
  it("blames the setting when the configured interpreter is unusable", () => {
    const msg = notFoundMessage(
      [{ candidate: { command: "/bad", source: "setting" }, reason: "not found" }],
      new Set(["cpython-311", "cpython-312"]),
    );
    assert.match(msg, /interpreter set in "torchNotes\.server\.python": "\/bad" not found/);
    assert.match(msg, /Install Python 3\.11–3\.12/);
  });
  it("names the launcher with its argument and the build's target", () => {
    const msg = notFoundMessage(
      [{ candidate: { command: "py", args: ["-3"], source: "default" }, reason: "is Python 3.11.4; ..." }],
      new Set(["cpython-312", "cpython-313"]),
      "win32-arm64",
    );
    assert.match(msg, /"py -3" is Python 3\.11\.4/);
    assert.match(msg, /Install Python 3\.12–3\.13 \(what this build, win32-arm64, runs on\)/);
  });
});

describe("probePython", () => {
  it("reads version, executable and cache tag of a real interpreter", async () => {
    const result = await probePython({ command: "python3", source: "default" });
    assert.equal(result.version[0], 3);
    assert.ok(path.isAbsolute(result.executable));
    assert.match(result.cacheTag, /^cpython-3\d+$/);
  });
  it("reports a missing interpreter as 'not found'", async () => {
    await assert.rejects(probePython({ command: "/nonexistent/python3", source: "default" }), /not found/);
  });
  it("passes the launcher's arguments before its own", async () => {
    // `python3 -I -c ...` with `-I` first: the probe still answers.
    const result = await probePython({ command: "python3", args: ["-I"], source: "default" });
    assert.equal(result.version[0], 3);
  });
  it("parses the last line of the probe's output", () => {
    assert.deepEqual(parseProbeOutput('noise\n[[3, 12, 1], "/x/python", "cpython-312"]\n'), {
      version: [3, 12, 1],
      executable: "/x/python",
      cacheTag: "cpython-312",
    });
  });
});

describe("readBundle", () => {
  it("reads the target and CPython versions of bundled/bundle.json", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tn-bundle-"));
    try {
      fs.writeFileSync(
        path.join(dir, "bundle.json"),
        JSON.stringify({ target: "win32-arm64", version: "0.1.0", pythons: ["3.12", "3.13", "3.14"] }),
      );
      const bundle = readBundle(dir);
      assert.deepEqual(bundle, { target: "win32-arm64", pythons: ["3.12", "3.13", "3.14"] });
      const tags = bundleCacheTags(bundle);
      assert.deepEqual([...tags], ["cpython-312", "cpython-313", "cpython-314"]);
      assert.equal(describeTags(tags), "3.12–3.14");
      assert.equal(readBundle(path.join(dir, "missing")), undefined);
      assert.equal(bundleCacheTags(undefined).size, 0);
      fs.writeFileSync(path.join(dir, "bundle.json"), "{not json");
      assert.equal(readBundle(dir), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serverEnv", () => {
  it("puts the bundle first on PYTHONPATH and keeps user site-packages out", () => {
    const env = serverEnv({ PATH: "/bin", PYTHONPATH: "/mine" }, ["/ext/bundled/libs"], true, "linux");
    assert.equal(env.PYTHONPATH, "/ext/bundled/libs:/mine");
    assert.equal(env.PYTHONNOUSERSITE, "1");
    assert.equal(env.PATH, "/bin");
  });
  it("leaves user site-packages alone when running from a source checkout", () => {
    const env = serverEnv({}, ["/repo/server"], false, "linux");
    assert.equal(env.PYTHONPATH, "/repo/server");
    assert.equal(env.PYTHONNOUSERSITE, undefined);
  });
  it("joins a Windows user's PythonPath with ';' and leaves no second spelling", () => {
    const base = { Path: "C:\\Windows", PythonPath: "C:\\mine", PYTHONNOUSERSITE: "" };
    const env = serverEnv(base, ["C:\\ext\\bundled\\libs"], true, "win32");
    assert.equal(env.PYTHONPATH, "C:\\ext\\bundled\\libs;C:\\mine");
    assert.deepEqual(Object.keys(env).filter((k) => k.toUpperCase() === "PYTHONPATH"), ["PYTHONPATH"]);
    assert.equal(env.PYTHONNOUSERSITE, "1");
    assert.equal(env.Path, "C:\\Windows");
  });
});
