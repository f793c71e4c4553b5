import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { LatestSearch, type Timers } from "../src/search";

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fire(): void; pending(): number } {
  let next = 0;
  const due = new Map<number, () => void>();
  return {
    setTimeout: (callback) => {
      due.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => {
      due.delete(handle as number);
    },
    fire: () => {
      const callbacks = [...due.values()];
      due.clear();
      callbacks.forEach((cb) => cb());
    },
    pending: () => due.size,
  };
}

/** A search whose answers the test releases one by one, in any order. */
function recorder() {
  const answers = new Map<string, { resolve(v: string): void; reject(e: Error): void }>();
  const events: string[] = [];
  const view = {
    search: (query: string) =>
      new Promise<string>((resolve, reject) => {
        events.push(`search ${query}`);
        answers.set(query, { resolve, reject });
      }),
    show: (result: string) => events.push(`show ${result}`),
    fail: (error: Error) => events.push(`fail ${error.message}`),
    busy: (busy: boolean) => events.push(`busy ${busy}`),
  };
  return { view, events, answers };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("LatestSearch", () => {
  it("shows the answer of a search and clears busy", async () => {
    const { view, events, answers } = recorder();
    const search = new LatestSearch(view, 120, manualTimers());
    const done = search.run("view");
    answers.get("view")?.resolve("1 note");
    await done;
    assert.deepEqual(events, ["busy true", "search view", "show 1 note", "busy false"]);
  });
  it("drops an older answer that arrives after a newer search started", async () => {
    const { view, events, answers } = recorder();
    const search = new LatestSearch(view, 120, manualTimers());
    const first = search.run("tra");
    const second = search.run("transpose");
    answers.get("transpose")?.resolve("new");
    answers.get("tra")?.resolve("old");
    await Promise.all([first, second]);
    assert.ok(events.includes("show new"));
    assert.ok(!events.includes("show old"), events.join(", "));
    assert.equal(events.at(-1), "busy false");
  });
  it("debounces typing: only the last query of a burst is searched", async () => {
    const { view, events, answers } = recorder();
    const timers = manualTimers();
    const search = new LatestSearch(view, 120, timers);
    search.schedule("t");
    search.schedule("to");
    search.schedule("tor");
    assert.equal(timers.pending(), 1);
    timers.fire();
    await settle();
    answers.get("tor")?.resolve("3 notes");
    await settle();
    assert.deepEqual(events, ["busy true", "search tor", "show 3 notes", "busy false"]);
  });
  it("reports a failure of the latest search only", async () => {
    const { view, events, answers } = recorder();
    const search = new LatestSearch(view, 120, manualTimers());
    const stale = search.run("a");
    const latest = search.run("b");
    answers.get("a")?.reject(new Error("stale failure"));
    answers.get("b")?.reject(new Error("server is not running"));
    await Promise.all([stale, latest]);
    assert.ok(events.includes("fail server is not running"));
    assert.ok(!events.includes("fail stale failure"));
  });
  it("cancels a scheduled search", () => {
    const { view, events } = recorder();
    const timers = manualTimers();
    const search = new LatestSearch(view, 120, timers);
    search.schedule("x");
    search.cancel();
    assert.equal(timers.pending(), 0);
    assert.deepEqual(events, []);
  });
});
