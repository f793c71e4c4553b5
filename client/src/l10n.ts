/**
 * The client's own texts in the note language. VS Code translates `vscode.l10n.t`
 * messages into its display language only; the notes follow `torchNotes.language`, which
 * may differ (a Chinese note language in an English VS Code), so the client looks its texts
 * up itself in the same bundle (`l10n/bundle.l10n.zh-cn.json`) when they differ.
 * No `vscode` import: unit-tested under Node.
 */
import type { Lang } from "./catalogue";

/** A message (its English text) with `{0}`, `{1}` … filled in, translated. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

/** `{0}`, `{1}` … replaced by `args`, as `vscode.l10n.t` does. */
export function format(message: string, args: readonly (string | number)[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
}

/** Translations from a bundle (English message → translation); unknown messages stay English. */
export function translator(bundle: Readonly<Record<string, string>>): Translate {
  return (message, ...args) => format(bundle[message] ?? message, args);
}

/** English, untranslated. */
export const english: Translate = (message, ...args) => format(message, args);

/** Whether VS Code's display language is the note language (then `vscode.l10n.t` serves it). */
export function displayServes(lang: Lang, displayLanguage: string): boolean {
  return (lang === "zh") === displayLanguage.toLowerCase().startsWith("zh");
}
