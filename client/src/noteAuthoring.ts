/**
 * Writing notes (pure part): the default interpreter for validation on save, and the
 * server's answers to the "Write a note" and "Preview card" commands. No `vscode`
 * import: unit-tested under Node.
 */

export const NEW_NOTE_COMMAND = "torchNotes.newNote";
export const PREVIEW_COMMAND = "torchNotes.previewCard";
export const EXTRA_PATHS = "extraPaths";

/** Python code that prints torch's version: whether an interpreter can validate notes. */
export const TORCH_PROBE = "import torch; print(torch.__version__)";

/**
 * A `workspace/configuration` answer for the `torchNotes` section with
 * `validation.python` filled in with `interpreter` when the user left it empty.
 * Other sections and a set value are left as they are.
 */
export function withValidationPython(value: unknown, interpreter: string | undefined): unknown {
  if (!interpreter || typeof value !== "object" || value === null || Array.isArray(value)) {
    return value;
  }
  const section = value as Record<string, unknown>;
  const dotted = section["validation.python"];
  const nested = section.validation;
  const current =
    typeof dotted === "string"
      ? dotted
      : typeof nested === "object" && nested !== null
        ? (nested as Record<string, unknown>).python
        : undefined;
  if (typeof current === "string" && current.trim() !== "") {
    return value;
  }
  const validation = typeof nested === "object" && nested !== null ? nested : {};
  const copy: Record<string, unknown> = { ...section, validation: { ...validation, python: interpreter } };
  delete copy["validation.python"];
  return copy;
}

/** The server's answer to `torchNotes.newNote`: `needsFolder` when no notes folder is set. */
export interface NewNoteResult {
  created?: boolean;
  needsFolder?: boolean;
  symbol?: string;
  uri?: string;
}

export function needsFolder(result: unknown): boolean {
  return typeof result === "object" && result !== null && (result as NewNoteResult).needsFolder === true;
}

/** The first argument of a server command, as an object (`{}` when there is none). */
export function firstArgument(args: unknown[]): Record<string, unknown> {
  const first = args[0];
  return typeof first === "object" && first !== null && !Array.isArray(first) ? { ...(first as object) } : {};
}

/** The page (a `file:` URI) of a `torchNotes.previewCard` answer, if any. */
export function previewPage(result: unknown): string | undefined {
  if (typeof result !== "object" || result === null) {
    return undefined;
  }
  const page = (result as { page?: unknown }).page;
  return typeof page === "string" && page.startsWith("file:") ? page : undefined;
}
