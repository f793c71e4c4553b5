/**
 * VS Code extension of torch-notes: starts the bundled Python language server
 * and adds the palette commands and the language status item around it.
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

import {
  CORPUS_CHANGED,
  effectiveLanguage,
  type Lang,
  noteMarkdown,
  notePickItems,
  parseCorpusChanged,
  parseNotes,
  parseServerInfo,
  parseSnippets,
  type ServerInfo,
  snippetPickItems,
  statusText,
  withCorpusChange,
} from "./catalogue";
import {
  bundledCacheTags,
  candidates,
  expandPath,
  findPython,
  formatVersion,
  probePython,
  PYTHON_SETTING,
  serverEnv,
} from "./python";

const CLIENT_ID = "torchNotes";
const CLIENT_NAME = "PyTorch Notes";
const NOTE_SCHEME = "torch-notes-note";

const SERVER_COMMANDS = {
  listSnippets: "torchNotes.listSnippets",
  searchNotes: "torchNotes.searchNotes",
  showNote: "torchNotes.showNote",
  serverInfo: "torchNotes.serverInfo",
} as const;

type Status = "starting" | "running" | "stopped" | "failed";

/** Virtual Markdown documents of the notes shown by "Search Notes…". */
class NoteDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(id: string, markdown: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: NOTE_SCHEME, path: `/${id}.md` });
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  dispose(): void {
    this.changed.dispose();
  }
}

class Controller implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly log: vscode.LogOutputChannel;
  private readonly status: vscode.LanguageStatusItem;
  private readonly notes = new NoteDocuments();
  private readonly disposables: vscode.Disposable[] = [];
  private state: Status = "stopped";
  private info: ServerInfo | undefined;
  private interpreterDetail = "";
  private starting: Promise<void> | undefined;
  private infoTimer: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
    this.status = vscode.languages.createLanguageStatusItem("torchNotes.status", {
      language: "python",
    });
    this.status.name = CLIENT_NAME;
    this.status.command = { title: "Show Logs", command: "torchNotes.showLogs" };
    this.disposables.push(
      this.log,
      this.status,
      this.notes,
      vscode.workspace.registerTextDocumentContentProvider(NOTE_SCHEME, this.notes),
      vscode.commands.registerCommand("torchNotes.pickSnippet", () => this.pickSnippet()),
      vscode.commands.registerCommand("torchNotes.pickNote", () => this.pickNote()),
      vscode.commands.registerCommand("torchNotes.restartServer", () => this.restart()),
      vscode.commands.registerCommand("torchNotes.showLogs", () => this.log.show(true)),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
    );
    this.watchPythonExtension();
    this.render();
  }

  // ---- server lifecycle -----------------------------------------------------

  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.setState("starting");
    const bundledLibs = this.context.asAbsolutePath(path.join("bundled", "libs"));
    const devServer = this.context.asAbsolutePath("server");
    const bundled = fs.existsSync(path.join(bundledLibs, "torch_notes"));
    const pythonPath = bundled ? [bundledLibs] : fs.existsSync(devServer) ? [devServer] : [];

    const config = vscode.workspace.getConfiguration("torchNotes");
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const setting = expandPath(config.get<string>("server.python", ""), workspaceFolder);
    const fromExtension = setting ? undefined : await pythonExtensionInterpreter();
    const found = await findPython(
      candidates(setting, fromExtension),
      (cmd) => probePython(cmd),
      bundled ? bundledCacheTags(bundledLibs) : new Set(),
    );
    if (!found.ok) {
      this.log.error(found.message);
      this.setState("failed", found.message);
      void this.showStartError(found.message);
      return;
    }
    const python = found.probe.executable || found.candidate.command;
    this.interpreterDetail = `Python ${formatVersion(found.probe.version)} (${python})`;
    this.log.info(
      `Starting the server with ${this.interpreterDetail}, from ${
        found.candidate.source === "setting"
          ? PYTHON_SETTING
          : found.candidate.source === "python-extension"
            ? "the Python extension"
            : "PATH"
      }`,
    );
    this.log.info(`PYTHONPATH: ${pythonPath.join(path.delimiter) || "(unchanged)"}`);

    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", "torch_notes", "lsp"],
      transport: TransportKind.stdio,
      options: {
        env: serverEnv(process.env, pythonPath, bundled),
        // Not the workspace: `python -m` puts the working directory on sys.path,
        // and a user's `yaml.py` or `torch_notes/` must not shadow the server's.
        cwd: pythonPath[0] ?? this.context.extensionPath,
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      synchronize: { configurationSection: "torchNotes" },
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
        this.scheduleInfoRefresh(0);
      } else if (e.newState === State.Starting) {
        this.setState("starting");
      } else if (this.state !== "failed") {
        this.setState("stopped");
      }
    });
    // After every corpus reload (e.g. the notes under torchNotes.extraPaths changed).
    client.onNotification(CORPUS_CHANGED, (params: unknown) => {
      if (client === this.client) {
        this.onCorpusChanged(params);
      }
    });
    try {
      await client.start();
    } catch (err) {
      const message =
        `PyTorch Notes could not start its language server with ${this.interpreterDetail}: ` +
        `${(err as Error).message ?? String(err)}. See "PyTorch Notes: Show Logs"; ` +
        `set "${PYTHON_SETTING}" to use another interpreter.`;
      this.log.error(message);
      this.setState("failed", message);
      void this.showStartError(message);
    }
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

  private async showStartError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Open Settings", "Show Logs");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", PYTHON_SETTING);
    } else if (choice === "Show Logs") {
      this.log.show(true);
    }
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (e.affectsConfiguration(PYTHON_SETTING)) {
      void this.restart();
    } else if (e.affectsConfiguration("torchNotes")) {
      // The language client forwards the change to the server itself
      // (synchronize.configurationSection); only the status item is ours.
      this.render();
      this.scheduleInfoRefresh(1000);
    }
  }

  private watchPythonExtension(): void {
    const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
    const event = ext?.isActive ? ext.exports?.environments?.onDidChangeActiveEnvironmentPath : undefined;
    if (event) {
      this.disposables.push(
        event(() => {
          if (!vscode.workspace.getConfiguration("torchNotes").get<string>("server.python")) {
            void this.restart();
          }
        }),
      );
    }
  }

  // ---- server commands ------------------------------------------------------

  private async runServerCommand(command: string, args: unknown[]): Promise<unknown> {
    if (this.starting) {
      await this.starting;
    }
    const client = this.client;
    if (!client || !client.isRunning()) {
      throw new Error("the PyTorch Notes server is not running");
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private serverHasCommand(command: string): boolean {
    const commands = this.client?.initializeResult?.capabilities.executeCommandProvider?.commands;
    return commands?.includes(command) ?? false;
  }

  private language(): Lang {
    return effectiveLanguage(
      vscode.workspace.getConfiguration("torchNotes").get<string>("language"),
      vscode.env.language,
    );
  }

  private async pickSnippet(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage("Open a file to insert a PyTorch snippet into.");
      return;
    }
    let snippets;
    try {
      snippets = parseSnippets(await this.runServerCommand(SERVER_COMMANDS.listSnippets, []), this.language());
    } catch (err) {
      void vscode.window.showErrorMessage(`PyTorch Notes: ${(err as Error).message}`);
      return;
    }
    if (snippets.length === 0) {
      void vscode.window.showInformationMessage("PyTorch Notes: no snippets are loaded.");
      return;
    }
    const picked = await vscode.window.showQuickPick(snippetPickItems(snippets), {
      title: "PyTorch Notes: Insert Snippet",
      placeHolder: this.language() === "zh" ? "按标题、前缀或说明搜索" : "Search by title, prefix or description",
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) {
      return;
    }
    const target = vscode.window.activeTextEditor ?? editor;
    const inserted = await target.insertSnippet(new vscode.SnippetString(picked.entry.body));
    if (!inserted) {
      this.log.warn(`Snippet ${picked.entry.id} was not inserted`);
    }
  }

  private async pickNote(): Promise<void> {
    const lang = this.language();
    const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { id?: string }>();
    quickPick.title = "PyTorch Notes: Search Notes";
    quickPick.placeholder = lang === "zh" ? "输入 API 名称或关键词（中英文均可）" : "Type an API name or words (English or Chinese)";
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    let generation = 0;
    let timer: NodeJS.Timeout | undefined;
    const search = async (query: string): Promise<void> => {
      const mine = ++generation;
      quickPick.busy = true;
      try {
        const raw = await this.runServerCommand(SERVER_COMMANDS.searchNotes, [{ query }]);
        if (mine !== generation) {
          return;
        }
        // Ranked by the server: shown as they are, not filtered again by VS Code.
        quickPick.items = notePickItems(parseNotes(raw, lang)).map((item) => ({
          label: item.label,
          description: item.description,
          detail: item.detail,
          id: item.entry.id,
          alwaysShow: true,
        }));
      } catch (err) {
        quickPick.items = [{ label: `$(error) ${(err as Error).message}` }];
      } finally {
        if (mine === generation) {
          quickPick.busy = false;
        }
      }
    };
    const disposables = [
      quickPick.onDidChangeValue((value) => {
        if (timer) {
          clearTimeout(timer);
        }
        timer = setTimeout(() => void search(value), 120);
      }),
      quickPick.onDidAccept(async () => {
        const id = quickPick.selectedItems[0]?.id;
        quickPick.hide();
        if (id) {
          await this.showNote(id);
        }
      }),
      quickPick.onDidHide(() => {
        if (timer) {
          clearTimeout(timer);
        }
        disposables.forEach((d) => d.dispose());
        quickPick.dispose();
      }),
    ];
    quickPick.show();
    await search("");
  }

  private async showNote(id: string): Promise<void> {
    let markdown: string;
    try {
      markdown = noteMarkdown(await this.runServerCommand(SERVER_COMMANDS.showNote, [{ id }]), this.language());
    } catch (err) {
      void vscode.window.showErrorMessage(`PyTorch Notes: ${(err as Error).message}`);
      return;
    }
    const uri = this.notes.set(id, markdown || `# ${id}\n`);
    try {
      await vscode.commands.executeCommand("markdown.showPreview", uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, "markdown");
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  // ---- language status ------------------------------------------------------

  private scheduleInfoRefresh(delayMs: number): void {
    if (this.infoTimer) {
      clearTimeout(this.infoTimer);
    }
    this.infoTimer = setTimeout(() => void this.refreshInfo(), delayMs);
  }

  private async refreshInfo(): Promise<void> {
    if (!this.client?.isRunning()) {
      return;
    }
    try {
      if (this.serverHasCommand(SERVER_COMMANDS.serverInfo)) {
        this.info = parseServerInfo(await this.runServerCommand(SERVER_COMMANDS.serverInfo, []));
      } else {
        const snippets = parseSnippets(
          await this.runServerCommand(SERVER_COMMANDS.listSnippets, []),
          this.language(),
        );
        this.info = { snippets: snippets.length };
      }
    } catch (err) {
      this.log.warn(`Reading the server's status: ${(err as Error).message}`);
    }
    this.render();
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

  private setState(state: Status, detail?: string): void {
    this.state = state;
    if (state !== "running") {
      this.info = undefined;
    }
    this.render(detail);
  }

  private render(detail?: string): void {
    const lang = this.language();
    this.status.text = statusText(this.state, this.info, lang);
    this.status.busy = this.state === "starting";
    this.status.severity =
      this.state === "failed" ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    const parts: string[] = [];
    if (detail) {
      parts.push(detail);
    }
    if (this.info?.snippets !== undefined) {
      parts.push(lang === "zh" ? `${this.info.snippets} 个代码片段` : `${this.info.snippets} snippets`);
    }
    if (this.info?.errors) {
      parts.push(lang === "zh" ? `${this.info.errors} 个笔记错误` : `${this.info.errors} broken notes`);
    }
    if (this.interpreterDetail && this.state !== "failed") {
      parts.push(this.interpreterDetail);
    }
    this.status.detail = parts.join(" · ");
  }

  /** For tests and other extensions: the state shown in the status item. */
  snapshot(): { state: Status; info: ServerInfo | undefined } {
    return { state: this.state, info: this.info };
  }

  dispose(): void {
    if (this.infoTimer) {
      clearTimeout(this.infoTimer);
    }
    this.disposables.forEach((d) => d.dispose());
  }
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(
      env: { path: string } | string,
    ): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined;
  };
}

/** The interpreter selected in the Python extension, when it is installed. */
async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) {
    return undefined;
  }
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const envs = api?.environments;
    if (envs) {
      const active = envs.getActiveEnvironmentPath(resource);
      if (active) {
        const resolved = await envs.resolveEnvironment(active);
        return resolved?.executable?.uri?.fsPath ?? active.path;
      }
    }
    return api?.settings?.getExecutionDetails?.(resource)?.execCommand?.[0];
  } catch {
    return undefined;
  }
}

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ snapshot(): unknown }> {
  controller = new Controller(context);
  context.subscriptions.push(controller);
  await controller.start();
  return { snapshot: () => controller?.snapshot() };
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
