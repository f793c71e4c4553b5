// Drives a real VS Code (code-server in headless Chromium, through playwright-core) like a user:
// open a file from the Explorer, hover, run palette commands, switch a setting. Writes what it
// saw as JSON; tests/editors/test_vscode.py makes the assertions.
//
//   node vscode_driver.cjs CONFIG.json
//
// CONFIG: { url, workspace, file, playwrightCore, chromium, artifacts, settingsPath, result,
//           hover: {token, text, textZh}, snippet: {prefix}, search: {query, symbol}, timeoutMs,
//           noHover?: {timeoutMs},
//           diagnostics?: {file, timeoutMs, findings: [{token, squiggle, rule, message, fix, fixed,
//                          after, trigger: "keyboard" | "lightbulb"}]},
//           noDiagnostics?: {file, timeoutMs} }
// Settings are changed in the Settings editor (UI), which writes settings.json; VS Code did not
// pick up settings.json written from outside while it ran.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { chromium } = require(config.playwrightCore);

const result = { steps: [], screenshots: {} };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Monaco renders spaces as no-break spaces: compare text with plain ones. */
const plainText = (text) => text.replace(/\u00a0/g, " ");
const log = (...args) => process.stderr.write(`[vscode-driver ${new Date().toISOString()}] ${args.join(" ")}\n`);

function save() {
  fs.writeFileSync(config.result, JSON.stringify(result, null, 2));
}

async function screenshot(page, name) {
  const file = path.join(config.artifacts, `${name}.png`);
  await page.screenshot({ path: file });
  result.screenshots[name] = file;
  return file;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
async function until(fn, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await fn();
    if (value || Date.now() > deadline) {
      return value;
    }
    await sleep(intervalMs);
  }
}

async function visibleHoverText(page) {
  const hovers = page.locator(".monaco-hover:visible");
  const n = await hovers.count();
  const texts = [];
  for (let i = 0; i < n; i++) {
    texts.push(plainText(await hovers.nth(i).innerText().catch(() => "")));
  }
  return texts.join("\n");
}

/**
 * The screen point over the middle of the first occurrence of `token` in the editor's rendered
 * lines. Monaco splits a line into spans by syntax colour, which may or may not isolate the
 * token, so this measures a DOM Range over the text itself.
 */
async function tokenPoint(page, token) {
  await page.locator(".monaco-editor .view-lines .view-line", { hasText: token }).first().waitFor({ state: "visible", timeout: 30000 });
  const point = await page.evaluate((tok) => {
    for (const line of document.querySelectorAll(".monaco-editor .view-lines .view-line")) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let text = "";
      let node;
      while ((node = walker.nextNode())) {
        nodes.push([node, text.length]);
        text += node.data;
      }
      const index = text.indexOf(tok);
      if (index < 0) {
        continue;
      }
      const mid = index + Math.floor(tok.length / 2);
      for (const [textNode, start] of nodes) {
        if (mid >= start && mid < start + textNode.data.length) {
          const range = document.createRange();
          range.setStart(textNode, mid - start);
          range.setEnd(textNode, mid - start + 1);
          const box = range.getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
    }
    return null;
  }, token);
  if (!point) {
    throw new Error(`"${token}" is not on screen`);
  }
  return point;
}

/**
 * Hovers `token` until the hover widget shows `text`; moves the mouse away and back between
 * tries (the server may still be starting). Returns the hover's text; throws on timeout.
 */
async function hoverUntil(page, token, text, timeoutMs) {
  let last = "";
  const found = await until(async () => {
    await page.mouse.move(5, 5);
    await sleep(150);
    const point = await tokenPoint(page, token);
    await page.mouse.move(point.x, point.y, { steps: 3 });
    const seen = await until(async () => {
      last = await visibleHoverText(page);
      return last.includes(text);
    }, 2500, 200);
    return seen;
  }, timeoutMs, 500);
  if (!found) {
    throw new Error(`no hover with ${JSON.stringify(text)} on "${token}" within ${timeoutMs} ms; last hover: ${JSON.stringify(last.slice(0, 300))}`);
  }
  return last;
}

/** Opens a file of the workspace by clicking it in the Explorer. */
async function openFromExplorer(page, name) {
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ state: "visible", timeout: 60000 });
  await row.click();
  await page.locator(".tab.active", { hasText: name }).waitFor({ state: "visible", timeout: 30000 });
}

/**
 * The first occurrence of `token` in the text editor (not the panel's output editors), with the
 * squiggle decorations drawn under it: `{x, y, height, squiggles: ["squiggly-warning", ...]}`, or null
 * when the token is not on screen. Monaco draws diagnostics as `.squiggly-<severity>` boxes in
 * the editor's overlay layer.
 */
async function tokenSquiggles(page, token) {
  return page.evaluate((tok) => {
    const editor = document.querySelector(".part.editor .monaco-editor");
    if (!editor) {
      return null;
    }
    for (const line of editor.querySelectorAll(".view-lines .view-line")) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let text = "";
      let node;
      while ((node = walker.nextNode())) {
        nodes.push([node, text.length]);
        text += node.data;
      }
      const index = text.indexOf(tok);
      if (index < 0) {
        continue;
      }
      const at = (offset) => nodes.find(([n, start]) => offset >= start && offset < start + n.data.length);
      const [first, firstStart] = at(index);
      const [last, lastStart] = at(index + tok.length - 1);
      const range = document.createRange();
      range.setStart(first, index - firstStart);
      range.setEnd(last, index + tok.length - lastStart);
      const box = range.getBoundingClientRect();
      const squiggles = [];
      for (const el of editor.querySelectorAll('.view-overlays [class*="squiggly-"]')) {
        const r = el.getBoundingClientRect();
        const overlaps = r.width > 0 && r.left < box.right - 1 && r.right > box.left + 1 && r.top < box.bottom && r.bottom > box.top;
        if (overlaps) {
          squiggles.push(...[...el.classList].filter((c) => c.startsWith("squiggly-")));
        }
      }
      return { x: box.x + box.width / 2, y: box.y + box.height / 2, height: box.height, squiggles };
    }
    return null;
  }, token);
}

/** The classes of every squiggle in the text editor (a marker moved by an edit included). */
async function editorSquiggles(page) {
  return page.evaluate(() => {
    const editor = document.querySelector(".part.editor .monaco-editor");
    const found = editor ? [...editor.querySelectorAll('.view-overlays [class*="squiggly-"]')] : [];
    return found.flatMap((el) => [...el.classList].filter((c) => c.startsWith("squiggly-")));
  });
}

/** Polls the squiggles under `token` until `done(squiggles)` or `timeoutMs`; returns the last ones. */
async function squigglesUntil(page, token, done, timeoutMs) {
  let seen = [];
  await until(async () => {
    const found = await tokenSquiggles(page, token).catch(() => null);
    seen = found ? found.squiggles : [];
    return done(seen);
  }, timeoutMs, 250);
  return seen;
}

/** The Problems panel's text (it lists every diagnostic of the open files). */
async function problemsText(page) {
  await runPaletteCommand(page, "Problems: Focus on Problems View");
  const panel = page.locator(".part.panel .markers-panel");
  await panel.waitFor({ state: "visible", timeout: 10000 });
  await sleep(500);
  return plainText(await panel.innerText().catch(() => ""));
}

/**
 * What VS Code shows of the findings in the active file: the squiggles under each finding's token
 * (waiting up to `timeoutMs` for the expected one) and the Problems panel's text. The test's
 * check_diagnostic asserts on it; with no diagnostics from the server that check fails.
 */
async function observeDiagnostics(page, findings, timeoutMs) {
  const seen = [];
  const deadline = Date.now() + timeoutMs;
  for (const finding of findings) {
    const squiggles = await squigglesUntil(page, finding.token, (s) => s.includes(finding.squiggle), Math.max(0, deadline - Date.now()));
    seen.push({ rule: finding.rule, token: finding.token, squiggles });
  }
  const problems = await problemsText(page);
  await page.locator(".tab.active").first().click();
  return { findings: seen, problems: problems.slice(0, 3000) };
}

/**
 * Puts the cursor in `token`, opens the quick fixes (Ctrl+. or the light bulb) and runs the one
 * whose title contains `title`; screenshot `shot` shows the menu. Returns the menu's text.
 */
async function applyQuickFix(page, token, title, trigger, shot) {
  await page.mouse.move(5, 5);
  const found = await tokenSquiggles(page, token);
  if (!found) {
    throw new Error(`"${token}" is not on screen`);
  }
  await page.mouse.click(found.x, found.y);
  await page.mouse.move(5, 5);
  await page.keyboard.press("Escape");
  const menu = page.locator(".action-widget:visible");
  const row = menu.locator(".monaco-list-row", { hasText: title }).first();
  if (trigger === "lightbulb") {
    // The light bulb appears in the gutter once the cursor is on a fixable range (VS Code
    // 1.139: a glyph-margin widget whose codicon class names the light bulb). VS Code moves it
    // a moment after the cursor: the one of the previous position, with the previous fixes,
    // may still be drawn. Wait for one on the token's line, and try again should it show the
    // fixes of another line.
    const bulbs = page.locator('.part.editor .monaco-editor [class*="lightbulb" i]:visible');
    const onLine = async () => {
      for (let i = 0; i < (await bulbs.count()); i++) {
        const box = await bulbs.nth(i).boundingBox().catch(() => null);
        if (box && Math.abs(box.y + box.height / 2 - found.y) < found.height / 2) {
          return bulbs.nth(i);
        }
      }
      return null;
    };
    let shown = false;
    for (let attempt = 0; attempt < 3 && !shown; attempt++) {
      await sleep(500);
      const bulb = await until(onLine, 15000);
      if (!bulb) {
        throw new Error(`no light bulb on the line of "${token}"`);
      }
      log(`light bulb: ${await bulb.getAttribute("class")}`);
      await bulb.click();
      await menu.waitFor({ state: "visible", timeout: 15000 });
      shown = await row.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false);
      if (!shown) {
        log(`the light bulb offered ${JSON.stringify(plainText(await menu.innerText().catch(() => "")))}; again`);
        await page.keyboard.press("Escape");
      }
    }
  } else {
    await page.keyboard.press("Control+.");
  }
  await menu.waitFor({ state: "visible", timeout: 15000 });
  await row.waitFor({ state: "visible", timeout: 15000 });
  await sleep(200);
  await screenshot(page, shot);
  const items = plainText(await menu.innerText().catch(() => ""));
  await row.click();
  await menu.waitFor({ state: "hidden", timeout: 10000 });
  return items;
}

/** Runs a command from the palette (F1) by its full title. */
async function runPaletteCommand(page, title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget:visible input");
  await input.waitFor({ state: "visible", timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget:visible .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 10000 });
  await page.keyboard.press("Enter");
}

/**
 * The Output panel's text once it shows a line with `text`, else "". The channel is long and
 * Monaco renders only the lines on screen, so the panel's filter box narrows it to that line
 * first; the filter is cleared again.
 */
async function outputShows(page, text, timeoutMs) {
  const panel = page.locator(".part.panel");
  // The Output view shows its channel in an editor; the Problems view, which it replaces a
  // moment after the command, has a filter box too.
  await panel.locator(".monaco-editor:visible").first().waitFor({ state: "visible", timeout: 10000 });
  const filter = panel.locator(".viewpane-filter input:visible").first();
  await filter.waitFor({ state: "visible", timeout: 10000 });
  await filter.fill(text);
  const shown = await until(async () => {
    const t = plainText(await panel.innerText().catch(() => ""));
    return t.includes(text) ? t : "";
  }, timeoutMs);
  if (!shown) {
    await screenshot(page, "vscode-output-filtered");
  }
  await filter.fill("");
  return shown;
}

/** Opens the Settings editor (UI) on one setting, as a user does; returns its row. */
async function openSetting(page, key) {
  await runPaletteCommand(page, "Preferences: Open Settings (UI)");
  await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 20000 });
  await sleep(500);
  await page.keyboard.press("Control+A");
  await page.keyboard.type(key);
  const row = page.locator(`.settings-editor .setting-item-contents[data-key="${key}"]`).first();
  await row.waitFor({ state: "visible", timeout: 20000 });
  return row;
}

/** Waits until VS Code has written `key` = `value` to the user's settings.json. */
async function settingSaved(key, value) {
  const saved = await until(() => {
    try {
      return JSON.parse(fs.readFileSync(config.settingsPath, "utf8"))[key] === value;
    } catch {
      return false;
    }
  }, 10000);
  if (!saved) {
    throw new Error(`settings.json did not get ${key} = ${JSON.stringify(value)}`);
  }
}

async function backToFile(page) {
  // VS Code 1.139 opens the Settings editor as a modal over the editors: close it first.
  const modal = page.locator(".monaco-modal-editor-block");
  for (let i = 0; i < 3 && (await modal.count()) > 0 && (await modal.first().isVisible()); i++) {
    await page.keyboard.press("Escape");
    await sleep(300);
  }
  if ((await modal.count()) > 0 && (await modal.first().isVisible())) {
    await runPaletteCommand(page, "View: Close Editor");
    await modal.first().waitFor({ state: "hidden", timeout: 10000 });
  }
  await page.locator(".tab", { hasText: config.file }).first().click();
  await page.mouse.move(5, 5);
}

async function step(name, page, fn) {
  const started = Date.now();
  const record = { name, ok: false };
  result.steps.push(record);
  log(`step ${name}`);
  try {
    Object.assign(record, await fn());
    record.ok = true;
  } catch (err) {
    record.error = String(err && err.stack ? err.stack : err);
    await screenshot(page, `vscode-failed-${name}`).catch(() => undefined);
    throw err;
  } finally {
    record.ms = Date.now() - started;
    save();
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    const file = path.join(config.workspace, config.file);

    await step("open", page, async () => {
      await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, {
        waitUntil: "domcontentloaded",
        timeout: 60000,
      });
      await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60000 });
      // Open the file the way a user does: click it in the Explorer.
      const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: config.file }).first();
      await row.waitFor({ state: "visible", timeout: 60000 });
      await row.click();
      await page.locator(".tab.active", { hasText: config.file }).waitFor({ state: "visible", timeout: 30000 });
      await tokenPoint(page, config.hover.token);
      return {};
    });

    await step("hover", page, async () => {
      const text = await hoverUntil(page, config.hover.token, config.hover.text, config.timeoutMs);
      await sleep(300);
      await screenshot(page, "vscode-hover");
      return { hover: text };
    });

    await step("status", page, async () => {
      // The language status item ("{}" next to "Python" in the status bar) lists ours.
      await page.mouse.move(5, 5);
      await page.keyboard.press("Escape");
      const item = page.locator("#status\\.languageStatus");
      await item.waitFor({ state: "visible", timeout: 10000 });
      let text = "";
      const ok = await until(async () => {
        await page.mouse.move(5, 5);
        await sleep(100);
        await item.hover();
        text = await until(async () => {
          const t = await visibleHoverText(page);
          return t.includes("PyTorch") ? t : "";
        }, 2000, 200);
        return text && /\d+ PyTorch note/.test(text);
      }, 30000, 500);
      await screenshot(page, "vscode-status");
      if (!ok) {
        throw new Error(`language status without the notes count: ${JSON.stringify(text)}`);
      }
      await page.mouse.move(5, 5);
      return { status: text };
    });

    if (config.diagnostics) {
      await step("diagnostics", page, async () => {
        const { findings, timeoutMs } = config.diagnostics;
        const target = path.join(config.workspace, config.diagnostics.file);
        await openFromExplorer(page, config.diagnostics.file);
        const before = await observeDiagnostics(page, findings, timeoutMs);
        for (const [i, finding] of findings.entries()) {
          if (!before.findings[i].squiggles.includes(finding.squiggle)) {
            throw new Error(
              `no ${finding.squiggle} under "${finding.token}" (${finding.rule}) within ${timeoutMs} ms; ` +
                `Problems: ${JSON.stringify(before.problems.slice(0, 300))}`,
            );
          }
        }
        // The diagnostic's hover: message, code, and VS Code's "Quick Fix..." action.
        const first = findings[0];
        let hover = await hoverUntil(page, first.token, first.message, 15000);
        // VS Code adds "Quick Fix..." to the hover once it has the code actions of the range.
        hover = (await until(async () => {
          const t = await visibleHoverText(page);
          return t.includes("Quick Fix") ? t : "";
        }, 10000)) || hover;
        await sleep(300);
        await screenshot(page, "vscode-diagnostic-hover");
        const fixes = [];
        for (const [i, finding] of findings.entries()) {
          // The first menu, over both squiggles and the Problems panel, is the docs' picture.
          const shot = i === 0 ? "vscode-diagnostic" : `vscode-quickfix-${finding.token}`;
          const menu = await applyQuickFix(page, finding.token, finding.fix, finding.trigger, shot);
          await page.keyboard.press("Control+S");
          const text = await until(() => {
            const t = fs.readFileSync(target, "utf8");
            return t.includes(finding.fixed) ? t : "";
          }, 10000);
          // The server re-checks the changed file: the squiggle goes away (from the whole file:
          // VS Code moves a marker with the edit until the new diagnostics arrive).
          let all = [];
          await until(async () => {
            all = await editorSquiggles(page);
            return !all.includes(finding.squiggle);
          }, timeoutMs);
          const after = (await tokenSquiggles(page, finding.after))?.squiggles ?? [`"${finding.after}" not on screen`];
          if (all.includes(finding.squiggle)) {
            after.push(...all);
          }
          fixes.push({ rule: finding.rule, trigger: finding.trigger, menu, fileAfter: text, squigglesAfter: after });
        }
        await sleep(300);
        await screenshot(page, "vscode-diagnostic-fixed");
        const afterFixes = await observeDiagnostics(page, [], 0);
        await page.locator(".tab", { hasText: config.file }).first().click();
        return { before, hover, fixes, problemsAfter: afterFixes.problems, fileAfter: fs.readFileSync(target, "utf8") };
      });
    }

    await step("snippet", page, async () => {
      const before = fs.readFileSync(file, "utf8");
      // A new empty line at the end of the file, then the palette command.
      const point = await tokenPoint(page, config.hover.token);
      await page.mouse.click(point.x, point.y);
      await page.keyboard.press("Control+End");
      await page.keyboard.press("Enter");
      await runPaletteCommand(page, "PyTorch Notes: Insert Snippet…");
      const pick = page.locator(".quick-input-widget:visible");
      await pick.locator(".quick-input-title", { hasText: "Insert Snippet" }).waitFor({ state: "visible", timeout: 20000 });
      const items = await pick.locator(".monaco-list-row").count();
      await pick.locator("input").fill(config.snippet.prefix);
      await pick.locator(".monaco-list-row", { hasText: config.snippet.prefix }).first().waitFor({ state: "visible" });
      await sleep(200);
      await screenshot(page, "vscode-snippet-pick");
      await page.keyboard.press("Enter");
      await pick.waitFor({ state: "hidden", timeout: 10000 });
      await sleep(300);
      await screenshot(page, "vscode-snippet");
      await page.keyboard.press("Escape"); // leave snippet mode
      await page.keyboard.press("Control+S");
      const after = await until(() => {
        const text = fs.readFileSync(file, "utf8");
        return text !== before ? text : "";
      }, 10000);
      if (!after) {
        throw new Error("the file did not change after inserting the snippet");
      }
      return { pickItems: items, fileAfter: after };
    });

    await step("language", page, async () => {
      const row = await openSetting(page, "torchNotes.language");
      await row.locator("select").selectOption("zh");
      await settingSaved("torchNotes.language", "zh");
      await screenshot(page, "vscode-settings-zh");
      await backToFile(page);
      const text = await hoverUntil(page, config.hover.token, config.hover.textZh, config.timeoutMs);
      await sleep(300);
      await screenshot(page, "vscode-hover-zh");
      return { hover: text };
    });

    await step("search", page, async () => {
      await page.mouse.move(5, 5);
      await runPaletteCommand(page, "PyTorch Notes: Search Notes…");
      const pick = page.locator(".quick-input-widget:visible");
      await pick.locator(".quick-input-title", { hasText: "Search Notes" }).waitFor({ state: "visible", timeout: 20000 });
      await pick.locator("input").fill(config.search.query);
      const row = pick.locator(".monaco-list-row", { hasText: config.search.symbol }).first();
      await row.waitFor({ state: "visible", timeout: 20000 });
      await page.keyboard.press("Enter");
      // Rendered in the Markdown preview, a webview: look for the title in its frames.
      const shown = await until(async () => {
        for (const frame of page.frames()) {
          const text = await frame.locator("body").innerText({ timeout: 1000 }).catch(() => "");
          if (text.includes(config.hover.textZh)) {
            return text;
          }
        }
        return "";
      }, 30000, 500);
      // The webview paints a moment after its DOM is there.
      await sleep(2000);
      await screenshot(page, "vscode-note");
      if (!shown) {
        throw new Error("the note did not show in a rendered preview");
      }
      return { note: shown.slice(0, 2000) };
    });

    await step("logs", page, async () => {
      await runPaletteCommand(page, "PyTorch Notes: Show Logs");
      const text = await outputShows(page, "Starting the server", 15000);
      await screenshot(page, "vscode-logs");
      if (!text) {
        throw new Error("the PyTorch Notes log did not show");
      }
      return { logs: text.slice(0, 2000) };
    });

    await step("restart", page, async () => {
      await page.locator(".tab", { hasText: config.file }).first().click();
      await runPaletteCommand(page, "PyTorch Notes: Restart Server");
      const restarted = await outputShows(page, "Restarting the server", 15000);
      if (!restarted) {
        throw new Error("no restart in the log");
      }
      // The new server answers hovers (still in Chinese: the setting survived the restart).
      const text = await hoverUntil(page, config.hover.token, config.hover.textZh, config.timeoutMs);
      return { hover: text };
    });

    if (config.noHover) {
      await step("no-hover", page, async () => {
        // With hovers switched off the same check must fail: it can catch a silent server.
        const row = await openSetting(page, "torchNotes.hover.enable");
        await row.locator(".setting-value-checkbox").click();
        await settingSaved("torchNotes.hover.enable", false);
        await backToFile(page);
        await sleep(2000);
        try {
          await hoverUntil(page, config.hover.token, config.hover.textZh, config.noHover.timeoutMs);
        } catch (err) {
          await screenshot(page, "vscode-no-hover");
          return { hoverCheckFailed: true, error: String(err.message) };
        }
        return { hoverCheckFailed: false };
      });
    }
    if (config.noDiagnostics) {
      await step("no-diagnostics", page, async () => {
        // Diagnostics off, then a fresh copy of the same file: the same observation must not
        // satisfy the test's check_diagnostic.
        const row = await openSetting(page, "torchNotes.diagnostics.enable");
        await row.locator(".setting-value-checkbox").click();
        await settingSaved("torchNotes.diagnostics.enable", false);
        await backToFile(page);
        await sleep(1000);
        await openFromExplorer(page, config.noDiagnostics.file);
        const seen = await observeDiagnostics(page, config.diagnostics.findings, config.noDiagnostics.timeoutMs);
        await screenshot(page, "vscode-no-diagnostics");
        return { seen };
      });
    }
    result.ok = true;
  } finally {
    save();
    await browser.close().catch(() => undefined);
  }
}

// Other drivers (vscode_authoring.cjs) reuse the helpers, with a config of the same shape.
module.exports = {
  config, result, sleep, plainText, log, save, screenshot, until, visibleHoverText, tokenPoint,
  hoverUntil, openFromExplorer, tokenSquiggles, editorSquiggles, squigglesUntil, problemsText,
  runPaletteCommand, step, chromium,
};

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      result.ok = false;
      result.error = String(err && err.stack ? err.stack : err);
      save();
      log(result.error);
      process.exit(1);
    },
  );
}
