/**
 * The extension's settings (`torchNotes.*`) as the client reads them, and what a change
 * of them asks of the client. No `vscode` import: unit-tested under Node.
 *
 * The language client forwards every `torchNotes` change to the server itself
 * (`synchronize.configurationSection`); the client reads only the language (for its
 * own texts) and the interpreter that runs the server.
 */
import * as os from "node:os";
import * as path from "node:path";

import { effectiveLanguage, type Lang } from "./catalogue";

export const SECTION = "torchNotes";
export const PYTHON_SETTING = `${SECTION}.server.python`;

/** The part of `vscode.WorkspaceConfiguration` the client uses (`getConfiguration(SECTION)`). */
export interface ConfigurationLike {
  get<T>(key: string): T | undefined;
}

export interface ClientSettings {
  /** The note language, `auto` resolved against the editor's display language. */
  language: Lang;
  /** `torchNotes.server.python`, expanded; `""` when unset. */
  python: string;
}

/** Expands `~` and `${workspaceFolder}` / `${userHome}` in a configured interpreter path. */
export function expandPath(value: string, workspaceFolder: string | undefined): string {
  let out = value.trim();
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  out = out.replace(/\$\{userHome\}/g, os.homedir());
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  return out;
}

/** The note language: `torchNotes.language`, `auto` following the editor's display language. */
export function readLanguage(config: ConfigurationLike, displayLanguage: string): Lang {
  return effectiveLanguage(config.get<string>("language"), displayLanguage);
}

/** The settings the client itself acts on. */
export function readClientSettings(
  config: ConfigurationLike,
  editor: { displayLanguage: string; workspaceFolder: string | undefined },
): ClientSettings {
  return {
    language: readLanguage(config, editor.displayLanguage),
    python: expandPath(config.get<string>("server.python") ?? "", editor.workspaceFolder),
  };
}

/**
 * What a configuration change asks of the client: `restart` when the interpreter
 * changed (the server must run under the new one), `refresh` when another
 * `torchNotes` setting changed (the status item may read differently), else `none`.
 */
export type SettingsChange = "restart" | "refresh" | "none";

export function settingsChange(affects: (section: string) => boolean): SettingsChange {
  if (affects(PYTHON_SETTING)) {
    return "restart";
  }
  return affects(SECTION) ? "refresh" : "none";
}
