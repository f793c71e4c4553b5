/**
 * The palette's pickers: "Insert Snippet…" (the snippet catalogue, inserted as a
 * real snippet at the cursor) and "Search Notes…" (the server's ranked search; the
 * chosen note opens rendered in a Markdown preview).
 */
import * as vscode from "vscode";

import {
  type Lang,
  noteMarkdown,
  notePickItems,
  parseNotes,
  parseSnippets,
  SERVER_COMMANDS,
  snippetPickItems,
} from "./catalogue";
import { LatestSearch } from "./search";
import type { Server } from "./server";

const NOTE_SCHEME = "torch-notes-note";

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

type NoteItem = vscode.QuickPickItem & { id?: string };

export class Pickers implements vscode.Disposable {
  private readonly notes = new NoteDocuments();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly server: Server,
    private readonly log: vscode.LogOutputChannel,
    private readonly language: () => Lang,
  ) {
    this.disposables = [this.notes, vscode.workspace.registerTextDocumentContentProvider(NOTE_SCHEME, this.notes)];
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  /** "Insert Snippet…". */
  async pickSnippet(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage("Open a file to insert a PyTorch snippet into.");
      return;
    }
    let snippets;
    try {
      snippets = parseSnippets(await this.server.runCommand(SERVER_COMMANDS.listSnippets, []), this.language());
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

  /** "Search Notes…". */
  async pickNote(): Promise<void> {
    const lang = this.language();
    const quickPick = vscode.window.createQuickPick<NoteItem>();
    quickPick.title = "PyTorch Notes: Search Notes";
    quickPick.placeholder = lang === "zh" ? "输入 API 名称或关键词（中英文均可）" : "Type an API name or words (English or Chinese)";
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    const search = new LatestSearch<NoteItem[]>({
      search: async (query) =>
        // Ranked by the server: shown as they are, not filtered again by VS Code.
        notePickItems(parseNotes(await this.server.runCommand(SERVER_COMMANDS.searchNotes, [{ query }]), lang)).map(
          (item) => ({
            label: item.label,
            description: item.description,
            detail: item.detail,
            id: item.entry.id,
            alwaysShow: true,
          }),
        ),
      show: (items) => {
        quickPick.items = items;
      },
      fail: (err) => {
        quickPick.items = [{ label: `$(error) ${err.message}` }];
      },
      busy: (busy) => {
        quickPick.busy = busy;
      },
    });
    const disposables = [
      quickPick.onDidChangeValue((value) => search.schedule(value)),
      quickPick.onDidAccept(async () => {
        const id = quickPick.selectedItems[0]?.id;
        quickPick.hide();
        if (id) {
          await this.showNote(id);
        }
      }),
      quickPick.onDidHide(() => {
        search.cancel();
        disposables.forEach((d) => d.dispose());
        quickPick.dispose();
      }),
    ];
    quickPick.show();
    await search.run("");
  }

  private async showNote(id: string): Promise<void> {
    let markdown: string;
    try {
      markdown = noteMarkdown(await this.server.runCommand(SERVER_COMMANDS.showNote, [{ id }]), this.language());
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
}
