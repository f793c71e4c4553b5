/**
 * The shapes the server's `torchNotes.*` commands return, read tolerantly, and
 * what the pickers show of them. No `vscode` import: unit-tested under Node.
 */

export type Lang = "en" | "zh";

/** The server's `workspace/executeCommand` commands the client calls. */
export const SERVER_COMMANDS = {
  listSnippets: "torchNotes.listSnippets",
  searchNotes: "torchNotes.searchNotes",
  showNote: "torchNotes.showNote",
  serverInfo: "torchNotes.serverInfo",
} as const;

/** A text the server sent either already localised or as `{en, zh}`. */
export type MaybeLocalized = string | { en?: string; zh?: string } | null | undefined;

export interface SnippetEntry {
  id: string;
  prefix: string;
  title: string;
  description: string;
  body: string;
}

export interface NoteEntry {
  id: string;
  title: string;
  summary: string;
  symbols: string[];
}

export interface ServerInfo {
  notes?: number;
  snippets?: number;
  version?: string;
  language?: string;
  errors?: number;
}

/** `auto` follows the editor's display language: `zh-cn`, `zh-tw`, ... → Chinese. */
export function effectiveLanguage(setting: string | undefined, displayLanguage: string): Lang {
  if (setting === "en" || setting === "zh") {
    return setting;
  }
  return displayLanguage.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function localize(text: MaybeLocalized, lang: Lang): string {
  if (text === null || text === undefined) {
    return "";
  }
  if (typeof text === "string") {
    return text;
  }
  return (lang === "zh" ? text.zh ?? text.en : text.en ?? text.zh) ?? "";
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A list either bare or wrapped as `{snippets: [...]}` / `{notes: [...]}` / `{results: [...]}`. */
function listOf(value: unknown, keys: string[]): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  const rec = asRecord(value);
  if (rec) {
    for (const key of keys) {
      if (Array.isArray(rec[key])) {
        return rec[key] as unknown[];
      }
    }
  }
  return [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

export function parseSnippets(value: unknown, lang: Lang): SnippetEntry[] {
  const out: SnippetEntry[] = [];
  for (const item of listOf(value, ["snippets", "items", "results"])) {
    const rec = asRecord(item);
    if (!rec) {
      continue;
    }
    // The snippet's own fields may sit at top level or under `snippet`.
    const inner = asRecord(rec.snippet) ?? {};
    const body = str(rec.body) || str(inner.body);
    const id = str(rec.id);
    if (!id || !body) {
      continue;
    }
    out.push({
      id,
      prefix: str(rec.prefix) || str(inner.prefix),
      title: localize((rec.title ?? inner.title) as MaybeLocalized, lang) || id,
      description: localize((rec.description ?? inner.description) as MaybeLocalized, lang),
      body,
    });
  }
  return out;
}

export function parseNotes(value: unknown, lang: Lang): NoteEntry[] {
  const out: NoteEntry[] = [];
  for (const item of listOf(value, ["notes", "results", "items"])) {
    const rec = asRecord(item);
    if (!rec) {
      continue;
    }
    const note = asRecord(rec.note) ?? rec;
    const id = str(note.id);
    if (!id) {
      continue;
    }
    out.push({
      id,
      title: localize(note.title as MaybeLocalized, lang) || id,
      summary: localize(note.summary as MaybeLocalized, lang),
      symbols: Array.isArray(note.symbols) ? note.symbols.map(str).filter((s) => s !== "") : [],
    });
  }
  return out;
}

export function parseServerInfo(value: unknown): ServerInfo | undefined {
  const rec = asRecord(value);
  if (!rec) {
    return undefined;
  }
  const num = (...keys: string[]): number | undefined => {
    for (const key of keys) {
      if (typeof rec[key] === "number") {
        return rec[key] as number;
      }
    }
    return undefined;
  };
  return {
    notes: num("notes", "notesCount", "noteCount", "notes_count"),
    snippets: num("snippets", "snippetsCount", "snippetCount", "snippets_count"),
    errors: Array.isArray(rec.errors) ? rec.errors.length : num("errors", "errorCount", "errors_count"),
    version: str(rec.version) || undefined,
    language: str(rec.language) || undefined,
  };
}

/** The server's notification after every corpus reload (built-in notes, `torchNotes.extraPaths`). */
export const CORPUS_CHANGED = "torchNotes/corpusChanged";

/** Params of {@link CORPUS_CHANGED}: the notes loaded and the note files that failed. */
export interface CorpusChanged {
  notes: number;
  errors?: number;
}

/** {@link CORPUS_CHANGED}'s params, or `undefined` when they carry no usable notes count. */
export function parseCorpusChanged(value: unknown): CorpusChanged | undefined {
  const rec = asRecord(value);
  const count = (v: unknown): number | undefined =>
    typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
  const notes = count(rec?.notes);
  if (!rec || notes === undefined) {
    return undefined;
  }
  const errors = Array.isArray(rec.errors) ? rec.errors.length : count(rec.errors);
  return errors === undefined ? { notes } : { notes, errors };
}

/** What the status item shows after a reload: the new counts over the last `serverInfo`. */
export function withCorpusChange(info: ServerInfo | undefined, change: CorpusChanged): ServerInfo {
  return { ...info, notes: change.notes, ...(change.errors === undefined ? {} : { errors: change.errors }) };
}

/** Inline Markdown code marks dropped: QuickPick labels show text as it is. */
export function plain(text: string): string {
  return text.replace(/`([^`]*)`/g, "$1");
}

/** Items of the "Insert Snippet…" QuickPick: searchable by title, prefix and description. */
export function snippetPickItems(snippets: SnippetEntry[]): {
  label: string;
  description: string;
  detail: string;
  entry: SnippetEntry;
}[] {
  return snippets.map((entry) => ({
    label: plain(entry.title),
    description: entry.prefix,
    detail: plain(entry.description),
    entry,
  }));
}

export function notePickItems(notes: NoteEntry[]): {
  label: string;
  description: string;
  detail: string;
  entry: NoteEntry;
}[] {
  return notes.map((entry) => ({
    label: plain(entry.title),
    description: entry.symbols.join(", ") || entry.id,
    detail: plain(entry.summary),
    entry,
  }));
}

/**
 * Markdown of a note as `torchNotes.showNote` returned it: the server's own
 * rendering when it sent one (`markdown`, `contents` or a MarkupContent), else
 * built from the note's fields.
 */
export function noteMarkdown(value: unknown, lang: Lang): string {
  if (typeof value === "string") {
    return value;
  }
  const rec = asRecord(value);
  if (!rec) {
    return "";
  }
  for (const key of ["markdown", "contents", "content"]) {
    const v = rec[key];
    if (typeof v === "string" && v.trim() !== "") {
      return v;
    }
    const markup = asRecord(v);
    if (markup && typeof markup.value === "string") {
      return markup.value;
    }
  }
  if (typeof rec.value === "string" && rec.kind === "markdown") {
    return rec.value;
  }
  const note = asRecord(rec.note) ?? rec;
  const parts: string[] = [];
  const title = localize(note.title as MaybeLocalized, lang) || str(note.id);
  parts.push(`# ${title}`);
  const summary = localize(note.summary as MaybeLocalized, lang);
  if (summary) {
    parts.push(`*${summary}*`);
  }
  const body = localize(note.body as MaybeLocalized, lang);
  if (body) {
    parts.push(body.trim());
  }
  const pitfall = localize(note.pitfall as MaybeLocalized, lang);
  if (pitfall) {
    parts.push(`> **${lang === "zh" ? "陷阱" : "Pitfall"}:** ${pitfall}`);
  }
  const example = str(note.example);
  if (example) {
    parts.push("```python\n" + example.replace(/\s+$/, "") + "\n```");
  }
  const docs = str(note.docs);
  if (docs) {
    parts.push(`[${lang === "zh" ? "官方文档" : "Official docs"}](${docs})`);
  }
  return parts.join("\n\n") + "\n";
}
