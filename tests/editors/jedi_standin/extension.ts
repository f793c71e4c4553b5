/**
 * Test-only stand-in for the Python extension in its Jedi mode: it runs jedi-language-server
 * as the main Python language server, so that the side-car test sees torch-notes beside a
 * real main server. "Jedi Stand-in: Measure" writes a JSON report (path and positions from
 * the `jediStandIn.measurement` setting): Jedi's own hover latency, measured on its own
 * connection, and what VS Code merges from every server (hovers, completion labels, code
 * actions on an empty line).
 */
import * as fs from "node:fs";
import * as vscode from "vscode";
import { LanguageClient } from "vscode-languageclient/node";

interface Measurement {
  report: string;
  file: string;
  hover: { line: number; character: number };
  completions: { line: number; character: number }[];
  emptyLine: number;
  rounds: number;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration("jediStandIn");
  const [command, ...args] = config.get<string[]>("command") ?? [];
  client = new LanguageClient(
    "jediStandIn",
    "Jedi (stand-in)",
    { command, args },
    {
      documentSelector: [{ scheme: "file", language: "python" }],
      initializationOptions: { workspace: { environmentPath: config.get<string>("environmentPath") || undefined } },
    },
  );
  context.subscriptions.push(vscode.commands.registerCommand("jediStandIn.measure", () => measure()));
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((q / 100) * (sorted.length - 1)))];
}

async function measure(): Promise<void> {
  const spec = vscode.workspace.getConfiguration("jediStandIn").get<Measurement>("measurement");
  if (!spec?.report || !client) {
    return;
  }
  const report: Record<string, unknown> = {};
  try {
    const uri = vscode.Uri.file(spec.file);
    const document = await vscode.workspace.openTextDocument(uri);
    const at = new vscode.Position(spec.hover.line, spec.hover.character);
    const params = { textDocument: { uri: uri.toString() }, position: spec.hover };
    // Warm-up: Jedi's first answer about torch infers the whole package.
    await client.sendRequest("textDocument/hover", params);
    const jedi: number[] = [];
    const merged: number[] = [];
    for (let i = 0; i < spec.rounds; i++) {
      let start = performance.now();
      await client.sendRequest("textDocument/hover", params);
      jedi.push(performance.now() - start);
      start = performance.now();
      await vscode.commands.executeCommand("vscode.executeHoverProvider", uri, at);
      merged.push(performance.now() - start);
    }
    report.jediHoverMs = { p50: percentile(jedi, 50), p90: percentile(jedi, 90), n: jedi.length };
    report.mergedHoverMs = { p50: percentile(merged, 50), p90: percentile(merged, 90), n: merged.length };
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>("vscode.executeHoverProvider", uri, at)) ?? [];
    report.hovers = hovers.map((h) =>
      h.contents.map((c) => (typeof c === "string" ? c : "value" in c ? c.value : String(c))).join("\n"),
    );
    report.completions = [];
    for (const where of spec.completions) {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        "vscode.executeCompletionItemProvider",
        uri,
        new vscode.Position(where.line, where.character),
      );
      const labels = (list?.items ?? []).map((item) => (typeof item.label === "string" ? item.label : item.label.label));
      (report.completions as unknown[]).push({ at: where, text: document.lineAt(where.line).text, labels });
    }
    const empty = new vscode.Range(spec.emptyLine, 0, spec.emptyLine, 0);
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        "vscode.executeCodeActionProvider",
        uri,
        empty,
      )) ?? [];
    report.emptyLineActions = actions.map((a) => a.title);
  } catch (err) {
    report.error = String(err instanceof Error ? err.stack : err);
  }
  fs.writeFileSync(spec.report, JSON.stringify(report, null, 2));
}
