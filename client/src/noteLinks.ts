/**
 * The hover card's "Full note" links (`torch-notes:note/<id>`) and the virtual documents
 * that show a note. A hover's links become `command:` links to one command, the only one
 * the hover is trusted to run. No `vscode` import: unit-tested under Node.
 */

/** The server's link prefix of a full note (`features/markdown.py`, `NOTE_LINK_PREFIX`). */
export const NOTE_LINK_PREFIX = "torch-notes:note/";
/** Scheme of the virtual Markdown documents of the notes. */
export const NOTE_SCHEME = "torch-notes";
/** The client's command that opens a note (its only argument: the note id). */
export const OPEN_NOTE_COMMAND = "torchNotes.openNote";

/** Note ids are dotted lower-case words (`tensor.contiguous`); nothing else is linked. */
const NOTE_ID = /^[a-z0-9_]+(?:[.-][a-z0-9_]+)*$/i;

export function isNoteId(id: string): boolean {
  return id.length <= 200 && NOTE_ID.test(id);
}

/** `command:torchNotes.openNote?["<id>"]`, arguments encoded as VS Code expects. */
export function openNoteLink(id: string): string {
  return `command:${OPEN_NOTE_COMMAND}?${encodeURIComponent(JSON.stringify([id]))}`;
}

/**
 * Markdown with every `](torch-notes:note/<id>)` link target replaced by the command link;
 * `changed` tells whether there was one. Other links, and malformed ids, are left alone.
 */
export function rewriteNoteLinks(markdown: string): { value: string; changed: boolean } {
  let changed = false;
  const value = markdown.replace(/\]\(torch-notes:note\/([^)\s]+)\)/g, (whole, id: string) => {
    const decoded = safeDecode(id);
    if (decoded === undefined || !isNoteId(decoded)) {
      return whole;
    }
    changed = true;
    return `](${openNoteLink(decoded)})`;
  });
  return { value, changed };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The path of a note's virtual document: `note/<id>.md` (a `.md` name for the preview). */
export function notePath(id: string): string {
  return `note/${id}.md`;
}

/** The note id of a virtual document's path (`note/<id>.md`, or `note/<id>` as a related
 * note's link in a note page names it), or `undefined` for any other path. */
export function noteIdOfPath(path: string): string | undefined {
  const match = /^\/?note\/(.+?)(?:\.md)?$/.exec(path);
  return match && isNoteId(match[1]) ? match[1] : undefined;
}
