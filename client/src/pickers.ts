/**
 * The palette's pickers: "Insert Snippet…" (the snippet catalogue; the server inserts the
 * chosen one at the cursor, its imports in the file's import block) and "Search Notes…"
 * (the server's ranked search; the chosen note opens rendered in a Markdown preview).
 * Both work in a file and in a notebook cell.
 */
import * as vscode from "vscode";

import { type Lang, notePickItems, parseNotes, parseSnippets, SERVER_COMMANDS, snippetPickItems } from "./catalogue";
import type { Translate } from "./l10n";
import type { Notes } from "./notes";
import { LatestSearch } from "./search";
import type { Server } from "./server";

type NoteItem = vscode.QuickPickItem & { id?: string };

export class Pickers {
  constructor(
    private readonly server: Server,
    private readonly notes: Notes,
    private readonly log: vscode.LogOutputChannel,
    private readonly language: () => Lang,
    private readonly texts: () => Translate,
  ) {}

  /** "Insert Snippet…". */
  async pickSnippet(): Promise<void> {
    const t = this.texts();
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(t("Open a file to insert a PyTorch snippet into."));
      return;
    }
    let snippets;
    try {
      snippets = parseSnippets(await this.server.runCommand(SERVER_COMMANDS.listSnippets, []), this.language());
    } catch (err) {
      void vscode.window.showErrorMessage(t("PyTorch Notes: {0}", (err as Error).message));
      return;
    }
    if (snippets.length === 0) {
      void vscode.window.showInformationMessage(t("PyTorch Notes: no snippets are loaded."));
      return;
    }
    const picked = await vscode.window.showQuickPick(snippetPickItems(snippets), {
      title: t("PyTorch Notes: Insert Snippet"),
      placeHolder: t("Search by title, prefix or description"),
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) {
      return;
    }
    const target = vscode.window.activeTextEditor ?? editor;
    if (await this.insertByServer(target, picked.entry.id)) {
      return;
    }
    // A document the server does not serve (not Python): the body at the cursor, as it is.
    const inserted = await target.insertSnippet(new vscode.SnippetString(picked.entry.body));
    if (!inserted) {
      this.log.warn(`Snippet ${picked.entry.id} was not inserted`);
    }
  }

  /** `torchNotes.insertSnippet`: the server's edit (body at the cursor, imports at the top). */
  private async insertByServer(editor: vscode.TextEditor, id: string): Promise<boolean> {
    if (!this.server.hasCommand(SERVER_COMMANDS.insertSnippet) || editor.document.languageId !== "python") {
      return false;
    }
    const cursor = editor.selection.active;
    try {
      const result = (await this.server.runCommand(SERVER_COMMANDS.insertSnippet, [
        {
          id,
          uri: editor.document.uri.toString(),
          position: { line: cursor.line, character: cursor.character },
        },
      ])) as { applied?: boolean } | null;
      return result?.applied === true;
    } catch (err) {
      this.log.warn(`torchNotes.insertSnippet failed (${(err as Error).message}); inserting the body at the cursor`);
      return false;
    }
  }

  /** "Search Notes…". */
  async pickNote(): Promise<void> {
    const lang = this.language();
    const t = this.texts();
    const quickPick = vscode.window.createQuickPick<NoteItem>();
    quickPick.title = t("PyTorch Notes: Search Notes");
    quickPick.placeholder = t("Type an API name or words (English or Chinese)");
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
          await this.notes.open(id);
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
}
