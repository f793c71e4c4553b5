import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  bundledCacheTags,
  candidates,
  describeTags,
  findPython,
  notFoundMessage,
  parseProbeOutput,
  probePython,
  type ProbeResult,
  serverEnv,
  unusableReason,
} from "../src/python";

const py = (major: number, minor: number, tag = `cpython-${major}${minor}`): ProbeResult => ({
  version: [major, minor, 0],
  executable: `/usr/bin/python${major}.${minor}`,
  cacheTag: tag,
});

describe("candidates", () => {
  it("uses only the explicit setting when there is one", () => {
    assert.deepEqual(candidates(" /opt/py/bin/python ", "/ext/python"), [
      { command: "/opt/py/bin/python", source: "setting" },
    ]);
  });
  it("prefers the Python extension's interpreter, then python3, then python", () => {
    assert.deepEqual(
      candidates("", "/venv/bin/python").map((c) => c.command),
      ["/venv/bin/python", "python3", "python"],
    );
    assert.deepEqual(
      candidates("", undefined).map((c) => c.command),
      ["python3", "python"],
    );
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
    const probe = async (cmd: string) => {
      const r = probes[cmd];
      if (r instanceof Error) {
        throw r;
      }
      return r;
    };
    const found = await findPython(candidates("", "/ext/python"), probe, new Set());
    assert.ok(found.ok);
    assert.equal(found.candidate.command, "python");
  });
  it("explains every failure and names the setting", async () => {
    const found = await findPython(candidates("", undefined), async () => {
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
});

describe("probePython", () => {
  it("reads version, executable and cache tag of a real interpreter", async () => {
    const result = await probePython("python3");
    assert.equal(result.version[0], 3);
    assert.ok(path.isAbsolute(result.executable));
    assert.match(result.cacheTag, /^cpython-3\d+$/);
  });
  it("reports a missing interpreter as 'not found'", async () => {
    await assert.rejects(probePython("/nonexistent/python3"), /not found/);
  });
  it("parses the last line of the probe's output", () => {
    assert.deepEqual(parseProbeOutput('noise\n[[3, 12, 1], "/x/python", "cpython-312"]\n'), {
      version: [3, 12, 1],
      executable: "/x/python",
      cacheTag: "cpython-312",
    });
  });
});

describe("bundledCacheTags", () => {
  it("lists the CPython versions of tree-sitter's compiled binding", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tn-libs-"));
    try {
      fs.mkdirSync(path.join(dir, "tree_sitter"));
      for (const v of ["310", "311", "314"]) {
        fs.writeFileSync(path.join(dir, "tree_sitter", `_binding.cpython-${v}-x86_64-linux-gnu.so`), "");
      }
      fs.writeFileSync(path.join(dir, "tree_sitter", "__init__.py"), "");
      const tags = bundledCacheTags(dir);
      assert.deepEqual([...tags].sort(), ["cpython-310", "cpython-311", "cpython-314"]);
      assert.equal(describeTags(tags), "3.10, 3.11, 3.14");
      assert.equal(bundledCacheTags(path.join(dir, "missing")).size, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("serverEnv", () => {
  it("puts the bundle first on PYTHONPATH and keeps user site-packages out", () => {
    const env = serverEnv({ PATH: "/bin", PYTHONPATH: "/mine" }, ["/ext/bundled/libs"], true);
    assert.equal(env.PYTHONPATH, `/ext/bundled/libs${path.delimiter}/mine`);
    assert.equal(env.PYTHONNOUSERSITE, "1");
    assert.equal(env.PATH, "/bin");
  });
  it("leaves user site-packages alone when running from a source checkout", () => {
    const env = serverEnv({}, ["/repo/server"], false);
    assert.equal(env.PYTHONPATH, "/repo/server");
    assert.equal(env.PYTHONNOUSERSITE, undefined);
  });
});
