/**
 * How the language server process is started: where the server's code is (the
 * bundle inside the extension, or `server/` of a source checkout), the command line,
 * its environment and working directory, and the texts that describe a start.
 * No `vscode` import: unit-tested under Node.
 */
import { pathsOf } from "./host";
import { type CandidateSource, formatVersion, type ProbeResult, serverEnv } from "./python";
import { PYTHON_SETTING } from "./settings";

/** Where the server's Python code comes from. */
export interface ServerLocation {
  /** The extension carries the server and its dependencies in `bundled/libs`. */
  bundled: boolean;
  /** `bundled/libs` of the extension (whether or not it exists). */
  libs: string;
  /** What goes first on the server's `PYTHONPATH`: the bundle, a checkout's `server/`, or nothing. */
  pythonPath: string[];
}

/** The server's location inside an extension installed at `extensionPath`. */
export function serverLocation(
  extensionPath: string,
  exists: (p: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): ServerLocation {
  const path = pathsOf(platform);
  const libs = path.join(extensionPath, "bundled", "libs");
  const devServer = path.join(extensionPath, "server");
  const bundled = exists(path.join(libs, "torch_notes"));
  const pythonPath = bundled ? [libs] : exists(devServer) ? [devServer] : [];
  return { bundled, libs, pythonPath };
}

export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** `python -m torch_notes lsp` over stdio with the server's code first on `sys.path`. */
export function serverLaunch(
  python: string,
  location: ServerLocation,
  baseEnv: NodeJS.ProcessEnv,
  extensionPath: string,
  platform: NodeJS.Platform = process.platform,
): Launch {
  return {
    command: python,
    args: ["-m", "torch_notes", "lsp"],
    env: serverEnv(baseEnv, location.pythonPath, location.bundled, platform),
    // Not the workspace: `python -m` puts the working directory on sys.path,
    // and a user's `yaml.py` or `torch_notes/` must not shadow the server's.
    cwd: location.pythonPath[0] ?? extensionPath,
  };
}

/** `Python 3.12.1 (/usr/bin/python3)`: the interpreter as the log and status item name it. */
export function interpreterDetail(probe: ProbeResult, command: string): string {
  return `Python ${formatVersion(probe.version)} (${probe.executable || command})`;
}

/** `bundled/` of an extension whose `bundled/libs` is `location.libs`. */
export function bundledDir(location: ServerLocation, platform: NodeJS.Platform = process.platform): string {
  return pathsOf(platform).dirname(location.libs);
}

/** Where the interpreter was found, for the log. */
export function interpreterOrigin(source: CandidateSource): string {
  switch (source) {
    case "setting":
      return PYTHON_SETTING;
    case "python-extension":
      return "the Python extension";
    case "default":
      return "PATH";
  }
}

/** The error shown when the server process could not be started or initialized. */
export function startFailureMessage(interpreter: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return (
    `PyTorch Notes could not start its language server with ${interpreter}: ` +
    `${reason}. See "PyTorch Notes: Show Logs"; ` +
    `set "${PYTHON_SETTING}" to use another interpreter.`
  );
}
