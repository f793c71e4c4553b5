/**
 * VS Code extension of torch-notes: starts the bundled Python language server
 * (server.ts) and adds the palette commands (pickers.ts), the full notes (notes.ts) and
 * the language status item (status.ts) around it.
 */
import * as vscode from "vscode";

import { Notes } from "./notes";
import { Pickers } from "./pickers";
import { mainPythonServer } from "./pythonServers";
import { CLIENT_NAME, type ClientHints, Server } from "./server";
import { readLanguage, SECTION, settingsChange } from "./settings";
import { ServerStatus } from "./status";
import { textsFor } from "./texts";

let server: Server | undefined;

/** What the server is told about this editor: palette and note viewer, and the main server. */
function clientHints(): ClientHints {
  const installed = vscode.extensions.all.filter((ext) => !ext.id.startsWith("vscode.")).map((ext) => ext.id);
  const languageServer = vscode.workspace.getConfiguration("python").get<string>("languageServer");
  return { snippetCommands: true, noteViewer: true, pythonServer: mainPythonServer(installed, languageServer) };
}

export async function activate(context: vscode.ExtensionContext): Promise<{ snapshot(): unknown }> {
  const log = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const language = () => readLanguage(vscode.workspace.getConfiguration(SECTION), vscode.env.language);
  const texts = () => textsFor(language());
  const current: Server = new Server(context, log, {
    hints: clientHints,
    middleware: {
      provideHover: async (document, position, token, next): Promise<vscode.Hover | null | undefined> => {
        // `notes` is created below; hovers come only once the server runs.
        const hover = await notes.provideHover(document, position, token, next);
        if (hover) {
          current.hoverAnswered();
        }
        return hover;
      },
    },
  });
  const notes: Notes = new Notes(current, language);
  const status = new ServerStatus(current, log, language, texts, "torchNotes.showLogs");
  const pickers = new Pickers(current, notes, log, language, texts);
  server = current;
  let hints = JSON.stringify(clientHints());
  context.subscriptions.push(
    log,
    current,
    notes,
    status,
    vscode.commands.registerCommand("torchNotes.pickSnippet", () => pickers.pickSnippet()),
    vscode.commands.registerCommand("torchNotes.pickNote", () => pickers.pickNote()),
    vscode.commands.registerCommand("torchNotes.restartServer", () => current.restart()),
    vscode.commands.registerCommand("torchNotes.showLogs", () => log.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("python.languageServer")) {
        restartIfHintsChanged();
      }
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
    // Another Python server installed or removed: the server decides member completions anew.
    vscode.extensions.onDidChange(() => restartIfHintsChanged()),
  );
  function restartIfHintsChanged(): void {
    const now = JSON.stringify(clientHints());
    if (now !== hints) {
      hints = now;
      log.info(`The editor changed (${now}): restarting the server`);
      void current.restart();
    }
  }
  await current.start();
  return { snapshot: () => status.snapshot() };
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
