/**
 * Full notes in VS Code: the virtual Markdown documents (`torch-notes:note/<id>.md`, read
 * from the server's `torchNotes.showNote`), shown in the Markdown preview, and the hover
 * middleware that turns the card's "Full note" links into a trusted command link to
 * `torchNotes.openNote`, the only command a hover may run.
 */
import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";

import { type Lang, noteMarkdown, SERVER_COMMANDS } from "./catalogue";
import { NOTE_SCHEME, noteIdOfPath, notePath, OPEN_NOTE_COMMAND, rewriteNoteLinks } from "./noteLinks";
import type { Server } from "./server";

export class Notes implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[];
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly server: Server,
    private readonly language: () => Lang,
  ) {
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(NOTE_SCHEME, this),
      vscode.commands.registerCommand(OPEN_NOTE_COMMAND, (id: unknown) => this.open(String(id ?? ""))),
    ];
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  /** The document of a note: `torch-notes:note/<id>.md`. */
  uri(id: string): vscode.Uri {
    return vscode.Uri.from({ scheme: NOTE_SCHEME, path: notePath(id) });
  }

  /** The note rendered by the server, in the note language (read anew each time). */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = noteIdOfPath(uri.path);
    if (id === undefined) {
      return "";
    }
    const markdown = noteMarkdown(await this.server.runCommand(SERVER_COMMANDS.showNote, [{ id }]), this.language());
    return markdown || `# ${id}\n`;
  }

  /** Shows the note rendered in the Markdown preview (a text editor where there is none). */
  async open(id: string): Promise<void> {
    if (noteIdOfPath(notePath(id)) === undefined) {
      return;
    }
    const uri = this.uri(id);
    this.changed.fire(uri); // the language may have changed since it was last shown
    try {
      await vscode.commands.executeCommand("markdown.showPreview", uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, "markdown");
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  /** The language client's hover middleware: hover cards with working "Full note" links. */
  provideHover: NonNullable<Middleware["provideHover"]> = async (document, position, token, next) => {
    const hover = await next(document, position, token);
    return hover ? withNoteLinks(hover) : hover;
  };
}

/** The hover with its note links turned into `command:torchNotes.openNote` links; a part
 * with such a link may run that command and no other. */
export function withNoteLinks(hover: vscode.Hover): vscode.Hover {
  let changed = false;
  const contents = hover.contents.map((part) => {
    if (!(part instanceof vscode.MarkdownString)) {
      return part;
    }
    const rewritten = rewriteNoteLinks(part.value);
    if (!rewritten.changed) {
      return part;
    }
    changed = true;
    const trusted = new vscode.MarkdownString(rewritten.value, part.supportThemeIcons);
    trusted.isTrusted = { enabledCommands: [OPEN_NOTE_COMMAND] };
    trusted.supportHtml = false;
    trusted.baseUri = part.baseUri;
    return trusted;
  });
  return changed ? new vscode.Hover(contents, hover.range) : hover;
}
