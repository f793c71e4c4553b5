/**
 * The machine the extension runs on, as the pure modules see it: its platform, environment,
 * home folder and a look at its file system. Passing it in lets the unit tests play Windows or
 * macOS on Linux (`path.win32` / `path.posix` follow `platform`). No `vscode` import.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Host {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  isFile(p: string): boolean;
  isDirectory(p: string): boolean;
}

function stat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** This machine. */
export function currentHost(): Host {
  return {
    platform: process.platform,
    env: process.env,
    home: os.homedir(),
    isFile: (p) => stat(p)?.isFile() ?? false,
    isDirectory: (p) => stat(p)?.isDirectory() ?? false,
  };
}

/** Path functions of `platform`: backslashes and drive letters on Windows. */
export function pathsOf(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** Environment variable `name` (case-insensitive on Windows, as Windows reads it). */
export function envVar(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== "win32") {
    return env[name];
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}
