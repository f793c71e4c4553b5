/**
 * The extension's settings (`torchNotes.*`) as the client reads them, and what a change
 * of them asks of the client. No `vscode` import: unit-tested under Node.
 *
 * The language client forwards every `torchNotes` change to the server itself
 * (`synchronize.configurationSection`); the client reads only the language (for its
 * own texts) and the interpreter that runs the server.
 */
import { effectiveLanguage, type Lang } from "./catalogue";
import { envVar, type Host, pathsOf } from "./host";

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

/**
 * Expands a configured path: `~` (and `~\` on Windows), `${userHome}`, `${workspaceFolder}`,
 * `${env:NAME}`, and on Windows `%NAME%` (`%USERPROFILE%\.venv\Scripts\python.exe`).
 * An unknown variable is left as written, so the error names it.
 */
export function expandPath(
  value: string,
  workspaceFolder: string | undefined,
  host: Pick<Host, "platform" | "env" | "home">,
): string {
  const p = pathsOf(host.platform);
  let out = value.trim();
  const homeRelative = host.platform === "win32" ? /^~(?=$|[\\/])/ : /^~(?=$|\/)/;
  if (homeRelative.test(out)) {
    out = p.join(host.home, out.slice(1));
  }
  out = out.replace(/\$\{userHome\}/g, host.home);
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  out = out.replace(/\$\{env:([^}]+)\}/g, (whole, name: string) => envVar(host.env, name, host.platform) ?? whole);
  if (host.platform === "win32") {
    out = out.replace(/%([^%\\/]+)%/g, (whole, name: string) => envVar(host.env, name, "win32") ?? whole);
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
  host: Pick<Host, "platform" | "env" | "home">,
): ClientSettings {
  return {
    language: readLanguage(config, editor.displayLanguage),
    python: expandPath(config.get<string>("server.python") ?? "", editor.workspaceFolder, host),
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
