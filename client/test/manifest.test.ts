// The manifest (package.json) against the extension's code: every contributed
// command is registered, every setting the code reads is contributed.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const srcDir = path.join(root, "client", "src");
const read = (name: string) => fs.readFileSync(path.join(srcDir, name), "utf8");
/** Every module of the client, one after the other. */
const source = fs
  .readdirSync(srcDir)
  .filter((name) => name.endsWith(".ts"))
  .sort()
  .map(read)
  .join("\n");

describe("package.json", () => {
  it("registers every contributed command, all under 'PyTorch Notes'", () => {
    const commands: { command: string; title: string; category: string }[] = manifest.contributes.commands;
    assert.deepEqual(
      commands.map((c) => `${c.category}: ${c.title}`).sort(),
      [
        "PyTorch Notes: Insert Snippet…",
        "PyTorch Notes: Restart Server",
        "PyTorch Notes: Search Notes…",
        "PyTorch Notes: Show Logs",
      ],
    );
    for (const { command } of commands) {
      assert.ok(source.includes(`registerCommand("${command}"`), `${command} is not registered`);
    }
  });
  it("does not contribute a command id that the server registers itself", () => {
    const ids: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    for (const serverCommand of ["torchNotes.listSnippets", "torchNotes.insertSnippet", "torchNotes.searchNotes", "torchNotes.showNote", "torchNotes.serverInfo"]) {
      assert.ok(!ids.includes(serverCommand), serverCommand);
    }
  });
  it("contributes settings under torchNotes.*, each with a default and a description", () => {
    // tests/editors/test_extension_package.py compares the keys and defaults with the server's.
    const props: Record<string, { default?: unknown; description?: string; markdownDescription?: string }> =
      manifest.contributes.configuration.properties;
    assert.ok("torchNotes.server.python" in props);
    assert.ok("torchNotes.trace.server" in props);
    for (const [key, spec] of Object.entries(props)) {
      assert.match(key, /^torchNotes\./);
      assert.ok("default" in spec, `${key} has no default`);
      assert.ok(spec.description || spec.markdownDescription, `${key} has no description`);
    }
  });
  it("listens for the server's torchNotes/corpusChanged before starting the client", () => {
    const server = read("server.ts");
    const listen = server.indexOf("client.onNotification(CORPUS_CHANGED");
    assert.ok(listen > 0, "no handler for torchNotes/corpusChanged");
    assert.ok(listen < server.indexOf("await client.start()"), "registered after start: the first reload could be missed");
  });
  it("keeps the pure modules free of vscode, so that they run under plain Node", () => {
    for (const name of ["catalogue.ts", "host.ts", "launch.ts", "python.ts", "search.ts", "settings.ts", "statusView.ts"]) {
      assert.doesNotMatch(read(name), /from "vscode"|require\("vscode"\)|from "vscode-languageclient/, name);
    }
  });
  it("bundles one file as main and targets the language client's VS Code", () => {
    assert.equal(manifest.main, "./client/dist/extension.js");
    const lc = JSON.parse(
      fs.readFileSync(path.join(root, "node_modules", "vscode-languageclient", "package.json"), "utf8"),
    );
    assert.equal(manifest.engines.vscode, lc.engines.vscode);
    assert.ok(manifest.activationEvents.includes("onLanguage:python"));
  });
  it("keeps its version in step with the Python package", () => {
    const init = fs.readFileSync(path.join(root, "server", "torch_notes", "__init__.py"), "utf8");
    assert.match(init, new RegExp(`__version__ = "${manifest.version.replace(/\./g, "\\.")}"`));
  });
});
