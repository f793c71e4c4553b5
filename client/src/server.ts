/**
 * The language server's lifecycle: finding the interpreter, starting the bundled
 * server under it, restarting, stopping, and sending it `workspace/executeCommand`.
 * Its state and the server's `torchNotes/corpusChanged` notifications are events.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { authoringMiddleware } from "./authoring";
import { CORPUS_CHANGED } from "./catalogue";
import { currentHost } from "./host";
import {
  bundledDir,
  interpreterDetail,
  interpreterOrigin,
  serverLaunch,
  serverLocation,
  startFailureMessage,
} from "./launch";
import { bundleCacheTags, candidates, findPython, probePython, readBundle } from "./python";
import { onPythonInterpreterChanged, pythonExtensionInterpreter } from "./pythonExtension";
import { PYTHON_SETTING, readClientSettings, SECTION } from "./settings";
import type { ServerState } from "./statusView";

const CLIENT_ID = "torchNotes";
export const CLIENT_NAME = "PyTorch Notes";

export interface StateChange {
  state: ServerState;
  /** Why the server is not running, for a failure. */
  detail?: string;
}

export class Server implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private current: ServerState = "stopped";
  private interpreter = "";
  private readonly stateChanged = new vscode.EventEmitter<StateChange>();
  private readonly corpusChanged = new vscode.EventEmitter<unknown>();
  private readonly disposables: vscode.Disposable[] = [this.stateChanged, this.corpusChanged];

  /** Fires on every change of {@link state}. */
  readonly onDidChangeState = this.stateChanged.event;
  /** Fires with the params of each `torchNotes/corpusChanged` from the running server. */
  readonly onDidChangeCorpus = this.corpusChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A new interpreter selected in the Python extension: run under it, unless the setting names one.
    const watch = onPythonInterpreterChanged(() => {
      if (!this.settings().python) {
        void this.restart();
      }
    });
    if (watch) {
      this.disposables.push(watch);
    }
  }

  get state(): ServerState {
    return this.current;
  }

  /** `Python 3.12.1 (/usr/bin/python3)` once an interpreter was chosen, else `""`. */
  get interpreterDetail(): string {
    return this.interpreter;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.log.warn(`Stopping the server: ${String(err)}`);
      }
    }
    this.setState("stopped");
  }

  async restart(): Promise<void> {
    if (this.starting) {
      await this.starting;
    }
    this.log.info("Restarting the server");
    await this.stop();
    await this.start();
  }

  isRunning(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Whether the running server announced `command` in its `executeCommandProvider`. */
  hasCommand(command: string): boolean {
    const commands = this.client?.initializeResult?.capabilities.executeCommandProvider?.commands;
    return commands?.includes(command) ?? false;
  }

  /** `workspace/executeCommand`, once a start in progress has finished. */
  async runCommand(command: string, args: unknown[]): Promise<unknown> {
    if (this.starting) {
      await this.starting;
    }
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error("the PyTorch Notes server is not running");
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private settings() {
    return readClientSettings(
      vscode.workspace.getConfiguration(SECTION),
      {
        displayLanguage: vscode.env.language,
        workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      },
      currentHost(),
    );
  }

  private setState(state: ServerState, detail?: string): void {
    this.current = state;
    this.stateChanged.fire({ state, detail });
  }

  private async doStart(): Promise<void> {
    this.setState("starting");
    const host = currentHost();
    const location = serverLocation(this.context.extensionPath, fs.existsSync);
    const bundle = location.bundled ? readBundle(bundledDir(location)) : undefined;
    if (bundle) {
      this.log.info(`Bundle for ${bundle.target}: CPython ${bundle.pythons.join(", ")}`);
    }
    const setting = this.settings().python;
    const fromExtension = setting ? undefined : await pythonExtensionInterpreter();
    const found = await findPython(
      candidates(setting, fromExtension, host),
      (candidate) => probePython(candidate),
      bundleCacheTags(bundle),
      bundle?.target,
    );
    if (!found.ok) {
      this.fail(found.message);
      return;
    }
    const python = found.probe.executable || found.candidate.command;
    this.interpreter = interpreterDetail(found.probe, found.candidate.command);
    this.log.info(`Starting the server with ${this.interpreter}, from ${interpreterOrigin(found.candidate.source)}`);
    this.log.info(`PYTHONPATH: ${location.pythonPath.join(path.delimiter) || "(unchanged)"}`);

    const launch = serverLaunch(python, location, process.env, this.context.extensionPath);
    const serverOptions: ServerOptions = {
      command: launch.command,
      args: launch.args,
      transport: TransportKind.stdio,
      options: { env: launch.env, cwd: launch.cwd },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
        { scheme: "file", language: "yaml" }, // note files (the server ignores other YAML)
      ],
      middleware: authoringMiddleware(this.log, () => this.client),
      synchronize: { configurationSection: SECTION },
      outputChannel: this.log,
      traceOutputChannel: this.log,
      initializationFailedHandler: (error) => {
        this.log.error(`Initialization failed: ${String(error)}`);
        return false;
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((e) => {
      if (client !== this.client) {
        return;
      }
      if (e.newState === State.Running) {
        this.setState("running");
      } else if (e.newState === State.Starting) {
        this.setState("starting");
      } else if (this.current !== "failed") {
        this.setState("stopped");
      }
    });
    // After every corpus reload (e.g. the notes under torchNotes.extraPaths changed).
    client.onNotification(CORPUS_CHANGED, (params: unknown) => {
      if (client === this.client) {
        this.corpusChanged.fire(params);
      }
    });
    try {
      await client.start();
    } catch (err) {
      this.fail(startFailureMessage(this.interpreter, err));
    }
  }

  private fail(message: string): void {
    this.log.error(message);
    this.setState("failed", message);
    void this.showStartError(message);
  }

  private async showStartError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Logs");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", PYTHON_SETTING);
    } else if (choice === "Show Logs") {
      this.log.show(true);
    }
  }
}
