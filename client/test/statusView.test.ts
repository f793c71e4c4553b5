import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { statusDetail, statusText, statusView } from "../src/statusView";

const PY = "Python 3.12.1 (/usr/bin/python3)";

describe("statusText", () => {
  it("shows state and the number of notes", () => {
    assert.match(statusText("running", { notes: 1 }, "en"), /1 PyTorch note$/);
    assert.match(statusText("running", { notes: 41 }, "en"), /41 PyTorch notes/);
    assert.match(statusText("running", { notes: 41 }, "zh"), /41 条 PyTorch 笔记/);
    assert.equal(statusText("running", undefined, "en"), "$(book) PyTorch Notes");
    assert.match(statusText("failed", undefined, "en"), /not running/);
    assert.match(statusText("stopped", undefined, "zh"), /已停止/);
    assert.match(statusText("starting", undefined, "en"), /sync~spin/);
  });
});

describe("statusDetail", () => {
  it("lists snippets, broken notes and the interpreter while running", () => {
    const model = { state: "running" as const, info: { notes: 40, snippets: 12, errors: 2 }, interpreter: PY };
    assert.equal(statusDetail(model, "en"), `12 snippets · 2 broken notes · ${PY}`);
    assert.equal(statusDetail(model, "zh"), `12 个代码片段 · 2 个笔记错误 · ${PY}`);
  });
  it("leaves out zero broken notes and an unknown snippet count", () => {
    assert.equal(statusDetail({ state: "running", info: { notes: 4, errors: 0 }, interpreter: PY }, "en"), PY);
  });
  it("shows the failure first and no interpreter when the server failed", () => {
    const failed = { state: "failed" as const, info: undefined, interpreter: PY, detail: "no usable Python" };
    assert.equal(statusDetail(failed, "en"), "no usable Python");
  });
});

describe("statusView", () => {
  it("is busy while starting and an error when failed", () => {
    const starting = statusView({ state: "starting", info: undefined, interpreter: "" }, "en");
    assert.deepEqual([starting.busy, starting.error], [true, false]);
    const failed = statusView({ state: "failed", info: undefined, interpreter: "", detail: "x" }, "en");
    assert.deepEqual([failed.busy, failed.error, failed.detail], [false, true, "x"]);
    const running = statusView({ state: "running", info: { notes: 3 }, interpreter: PY }, "en");
    assert.deepEqual(running, { text: "$(book) 3 PyTorch notes", busy: false, error: false, detail: PY });
  });
});
