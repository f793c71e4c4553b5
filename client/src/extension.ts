/**
 * VS Code extension of torch-notes: starts the bundled Python language server
 * (server.ts) and adds the palette commands (pickers.ts) and the language status
 * item (status.ts) around it.
 */
import * as vscode from "vscode";

import { Pickers } from "./pickers";
import { CLIENT_NAME, Server } from "./server";
import { readLanguage, SECTION, settingsChange } from "./settings";
import { ServerStatus } from "./status";

let server: Server | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ snapshot(): unknown }> {
  const log = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const language = () => readLanguage(vscode.workspace.getConfiguration(SECTION), vscode.env.language);
  const current = new Server(context, log);
  const status = new ServerStatus(current, log, language, "torchNotes.showLogs");
  const pickers = new Pickers(current, log, language);
  server = current;
  context.subscriptions.push(
    log,
    current,
    status,
    pickers,
    vscode.commands.registerCommand("torchNotes.pickSnippet", () => pickers.pickSnippet()),
    vscode.commands.registerCommand("torchNotes.pickNote", () => pickers.pickNote()),
    vscode.commands.registerCommand("torchNotes.restartServer", () => current.restart()),
    vscode.commands.registerCommand("torchNotes.showLogs", () => log.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      switch (settingsChange((section) => e.affectsConfiguration(section))) {
        case "restart":
          void current.restart();
          break;
        case "refresh":
          // The language client forwards the change to the server itself
          // (synchronize.configurationSection); only the status item is ours.
          status.settingsChanged();
          break;
        case "none":
          break;
      }
    }),
  );
  await current.start();
  return { snapshot: () => status.snapshot() };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
