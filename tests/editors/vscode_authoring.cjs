// Writing a note in a real VS Code (code-server in headless Chromium): from a .py file, the
// "Write a note" code action on a name no note explains; the note filled with an example that
// fails, saved: the squiggle on the failing line; fixed, saved: the squiggle gone and the new
// note in the .py file's hover. Writes what it saw as JSON; test_vscode_authoring.py asserts.
//
//   node vscode_authoring.cjs CONFIG.json
//
// CONFIG: the shape of vscode_driver.cjs's (url, workspace, file, playwrightCore, chromium,
// artifacts, settingsPath, result, timeoutMs) plus
//   authoring: {token, symbol, noteFile, failing, fixed, failingToken, failure, title, timeoutMs}
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const {
  chromium, config, editorSquiggles, hoverUntil, log, openFromExplorer, plainText, result, save,
  screenshot, sleep, squigglesUntil, step, tokenPoint, until, visibleHoverText,
} = require("./vscode_driver.cjs");

const a = config.authoring;

/** Replaces the whole text of the active editor by pasting `text` (typing it would auto-indent
 * every line), then saves. */
async function replaceAndSave(page, text, file) {
  /* global navigator -- page.evaluate() runs in the browser */
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Control+V");
  await page.keyboard.press("Control+S");
  const saved = await until(() => fs.existsSync(file) && fs.readFileSync(file, "utf8") === text, 10000);
  if (!saved) {
    throw new Error(`${file} did not get the new text; it has ${JSON.stringify(fs.readFileSync(file, "utf8").slice(0, 400))}`);
  }
}

/** The text of the active editor's lines on screen. */
async function editorText(page) {
  const lines = page.locator(".part.editor .monaco-editor .view-lines .view-line");
  const texts = await lines.allInnerTexts().catch(() => []);
  return texts.map(plainText).join("\n");
}

/** The code lenses' text in the active editor. */
async function lensText(page) {
  return page.evaluate(() => {
    const editor = document.querySelector(".part.editor .monaco-editor");
    return editor ? [...editor.querySelectorAll(".codelens-decoration")].map((el) => el.textContent).join(" | ") : "";
  });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: config.url });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    const note = path.join(config.workspace, a.noteFile);

    await step("open", page, async () => {
      await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, { waitUntil: "domcontentloaded", timeout: 60000 });
      await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60000 });
      await openFromExplorer(page, config.file);
      // The server is up once the built-in note on the line above answers a hover.
      await hoverUntil(page, a.readyToken, a.readyText, config.timeoutMs);
      await page.mouse.move(5, 5);
      return {};
    });

    await step("write-note", page, async () => {
      const menu = page.locator(".action-widget:visible");
      const row = menu.locator(".monaco-list-row", { hasText: "Write a note for" }).first();
      const shown = await until(async () => {
        const found = await tokenPoint(page, a.token).catch(() => null);
        if (!found) {
          return false;
        }
        await page.keyboard.press("Escape");
        await page.mouse.click(found.x, found.y);
        await page.mouse.move(5, 5);
        await page.keyboard.press("Control+.");
        return row.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false);
      }, config.timeoutMs, 500);
      if (!shown) {
        throw new Error(`no "Write a note" action on ${a.token}: ${plainText(await menu.innerText().catch(() => ""))}`);
      }
      await sleep(300);
      await screenshot(page, "vscode-write-note-action");
      const items = plainText(await menu.innerText().catch(() => ""));
      await row.click();
      await page.locator(".tab.active", { hasText: path.basename(a.noteFile) }).waitFor({ state: "visible", timeout: 30000 });
      // VS Code created the file and put the note in its editor, unsaved.
      const created = await until(async () => {
        const text = await editorText(page);
        return fs.existsSync(note) && text.includes(a.symbol) ? text : "";
      }, 10000);
      await sleep(1500); // the live checks' squiggles on the empty texts
      await screenshot(page, "vscode-new-note");
      return { menu: items, created: created || "", squiggles: await editorSquiggles(page) };
    });

    await step("failing", page, async () => {
      await replaceAndSave(page, a.failing, note);
      const squiggles = await squigglesUntil(page, a.failingToken, (s) => s.includes("squiggly-error"), a.timeoutMs);
      let hover = "";
      if (squiggles.includes("squiggly-error")) {
        hover = await hoverUntil(page, a.failingToken, a.failure, 20000).catch((err) => String(err.message));
        await sleep(300);
      }
      await screenshot(page, "vscode-note-failure");
      const lenses = await lensText(page);
      await page.mouse.move(5, 5);
      return { squiggles, hover, lenses };
    });

    await step("fixed", page, async () => {
      await replaceAndSave(page, a.fixed, note);
      let all = [];
      await until(async () => {
        all = await editorSquiggles(page);
        return all.length === 0;
      }, a.timeoutMs);
      const lenses = await until(async () => {
        const text = await lensText(page);
        return text.includes("verified on torch") ? text : "";
      }, a.timeoutMs);
      await sleep(300);
      await screenshot(page, "vscode-note-fixed");
      return { squigglesAfter: all, lenses: lenses || (await lensText(page)) };
    });

    await step("preview", page, async () => {
      // The "Preview card" lens: the card rendered in VS Code's Markdown preview, beside the note.
      await page.locator(".part.editor .monaco-editor .codelens-decoration a", { hasText: "Preview card" }).first().click();
      const shown = await until(async () => {
        for (const frame of page.frames()) {
          const text = await frame.locator("body").innerText({ timeout: 1000 }).catch(() => "");
          if (text.includes(a.title) && text.includes("your environment")) {
            return text;
          }
        }
        return "";
      }, 30000, 500);
      await sleep(1500); // the webview paints a moment after its DOM is there
      await screenshot(page, "vscode-note-preview");
      return { preview: (shown || "").slice(0, 2000) };
    });

    await step("hover", page, async () => {
      await page.locator(".tab", { hasText: config.file }).first().click();
      const hover = await hoverUntil(page, a.token, a.title, config.timeoutMs);
      const verified = await until(async () => {
        const text = await visibleHoverText(page);
        return text.includes("your environment") ? text : "";
      }, 5000);
      await sleep(300);
      await screenshot(page, "vscode-note-hover");
      return { hover: verified || hover };
    });
    result.ok = true;
  } finally {
    save();
    await browser.close().catch(() => undefined);
  }
}

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
