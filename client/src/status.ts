/**
 * The language status item (`{}` next to "Python" in the status bar): the server's
 * state, and while it runs the notes and snippets loaded, read from the server's
 * `torchNotes.serverInfo` and updated on `torchNotes/corpusChanged`.
 */
import * as vscode from "vscode";

import {
  CORPUS_CHANGED,
  type Lang,
  parseCorpusChanged,
  parseServerInfo,
  parseSnippets,
  SERVER_COMMANDS,
  type ServerInfo,
  withCorpusChange,
} from "./catalogue";
import { CLIENT_NAME, type Server, type StateChange } from "./server";
import { type ServerState, statusView } from "./statusView";

export class ServerStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private readonly disposables: vscode.Disposable[];
  private info: ServerInfo | undefined;
  private detail: string | undefined;
  private infoTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: Server,
    private readonly log: vscode.LogOutputChannel,
    private readonly language: () => Lang,
    showLogsCommand: string,
  ) {
    this.item = vscode.languages.createLanguageStatusItem("torchNotes.status", { language: "python" });
    this.item.name = CLIENT_NAME;
    this.item.command = { title: "Show Logs", command: showLogsCommand };
    this.disposables = [
      this.item,
      server.onDidChangeState((change) => this.onStateChanged(change)),
      server.onDidChangeCorpus((params) => this.onCorpusChanged(params)),
    ];
    this.render();
  }

  /** A `torchNotes` setting changed: the language may have, and the counts soon will. */
  settingsChanged(): void {
    this.render();
    this.scheduleInfoRefresh(1000);
  }

  /** For tests and other extensions: the state shown in the status item. */
  snapshot(): { state: ServerState; info: ServerInfo | undefined } {
    return { state: this.server.state, info: this.info };
  }

  dispose(): void {
    if (this.infoTimer) {
      clearTimeout(this.infoTimer);
    }
    this.disposables.forEach((d) => d.dispose());
  }

  private onStateChanged({ state, detail }: StateChange): void {
    if (state !== "running") {
      this.info = undefined;
    }
    this.detail = detail;
    this.render();
    if (state === "running") {
      this.scheduleInfoRefresh(0);
    }
  }

  private onCorpusChanged(params: unknown): void {
    const change = parseCorpusChanged(params);
    if (!change) {
      this.log.warn(`Ignoring ${CORPUS_CHANGED} without a notes count: ${JSON.stringify(params)}`);
      return;
    }
    this.log.info(
      `Notes reloaded: ${change.notes} notes` +
        (change.errors === undefined ? "" : `, ${change.errors} with errors`),
    );
    this.info = withCorpusChange(this.info, change);
    this.render();
    // The notification has no snippets count: read it from serverInfo (debounced).
    this.scheduleInfoRefresh(500);
  }

  private scheduleInfoRefresh(delayMs: number): void {
    if (this.infoTimer) {
      clearTimeout(this.infoTimer);
    }
    this.infoTimer = setTimeout(() => void this.refreshInfo(), delayMs);
  }

  private async refreshInfo(): Promise<void> {
    if (!this.server.isRunning()) {
      return;
    }
    try {
      if (this.server.hasCommand(SERVER_COMMANDS.serverInfo)) {
        this.info = parseServerInfo(await this.server.runCommand(SERVER_COMMANDS.serverInfo, []));
      } else {
        const snippets = parseSnippets(
          await this.server.runCommand(SERVER_COMMANDS.listSnippets, []),
          this.language(),
        );
        this.info = { snippets: snippets.length };
      }
    } catch (err) {
      this.log.warn(`Reading the server's status: ${(err as Error).message}`);
    }
    this.render();
  }

  private render(): void {
    const view = statusView(
      { state: this.server.state, info: this.info, interpreter: this.server.interpreterDetail, detail: this.detail },
      this.language(),
    );
    this.item.text = view.text;
    this.item.busy = view.busy;
    this.item.severity = view.error ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.item.detail = view.detail;
  }
}
