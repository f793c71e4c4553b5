import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { mainPythonServer } from "../src/pythonServers";

describe("mainPythonServer", () => {
  it("names the Python extension's server from python.languageServer", () => {
    const both = ["ms-python.python", "ms-python.vscode-pylance"];
    assert.equal(mainPythonServer(both, undefined), "Pylance");
    assert.equal(mainPythonServer(both, "Default"), "Pylance");
    assert.equal(mainPythonServer(both, "Jedi"), "Jedi");
    assert.equal(mainPythonServer(["ms-python.python"], "Default"), "Jedi", "Default without Pylance is Jedi");
    assert.equal(mainPythonServer(["MS-Python.Python"], "jedi"), "Jedi", "ids and values in any case");
  });
  it("has none with python.languageServer = None, unless another server is installed", () => {
    assert.equal(mainPythonServer(["ms-python.python", "ms-python.vscode-pylance"], "None"), null);
    assert.equal(mainPythonServer(["ms-python.python", "detachhead.basedpyright"], "None"), "basedpyright");
  });
  it("knows the standalone servers, and nothing else counts", () => {
    assert.equal(mainPythonServer(["detachhead.basedpyright"], undefined), "basedpyright");
    assert.equal(mainPythonServer(["ms-pyright.pyright"], undefined), "Pyright");
    assert.equal(mainPythonServer(["torch-notes.torch-notes", "charliermarsh.ruff"], undefined), null);
    assert.equal(mainPythonServer([], "Jedi"), null, "the setting alone runs nothing");
  });
});
