/**
 * Finding the Python interpreter that runs the bundled language server, on Linux, macOS and
 * Windows: the setting (an interpreter or an environment folder), the Python extension's
 * choice, then the usual places (`py -3` on Windows; Homebrew and python.org framework builds
 * on macOS).
 *
 * Nothing here imports `vscode`: the logic is unit-tested under plain Node, every platform on
 * any (see `host.ts`).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { envVar, type Host, pathsOf } from "./host";
import { PYTHON_SETTING } from "./settings";

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export type CandidateSource = "setting" | "python-extension" | "default";

export interface Candidate {
  command: string;
  /** Arguments before the interpreter's own (`-3` for the Windows launcher `py`). */
  args?: string[];
  source: CandidateSource;
}

export interface ProbeResult {
  version: [number, number, number];
  executable: string;
  /** `sys.implementation.cache_tag`, e.g. `cpython-311`: names the compiled modules it can load. */
  cacheTag: string;
}

export type Probe = (candidate: Candidate) => Promise<ProbeResult>;

export interface Found {
  ok: true;
  candidate: Candidate;
  probe: ProbeResult;
}

export interface NotFound {
  ok: false;
  tried: { candidate: Candidate; reason: string }[];
  message: string;
}

/** `py -3`: a candidate as the user would type it. */
export function commandLine(candidate: Candidate): string {
  return [candidate.command, ...(candidate.args ?? [])].join(" ");
}

/**
 * The interpreter inside an environment folder (a venv, a conda environment, a Python
 * installation): `Scripts\python.exe` or `python.exe` on Windows, `bin/python3` or
 * `bin/python` elsewhere. Anything else is returned as it is.
 */
export function interpreterIn(value: string, host: Host): string {
  if (!host.isDirectory(value)) {
    return value;
  }
  const p = pathsOf(host.platform);
  const inside =
    host.platform === "win32"
      ? [p.join(value, "Scripts", "python.exe"), p.join(value, "python.exe")]
      : [p.join(value, "bin", "python3"), p.join(value, "bin", "python")];
  return inside.find((file) => host.isFile(file)) ?? value;
}

/** CPython minor versions the bundle can run, newest first, for the well-known places. */
const KNOWN_MINORS = [14, 13, 12, 11, 10];

/** Where Python usually is when it is not on `PATH` (VS Code started from the Dock or Start). */
export function wellKnownInterpreters(host: Host): string[] {
  const p = pathsOf(host.platform);
  if (host.platform === "darwin") {
    return [
      "/opt/homebrew/bin/python3", // Homebrew on Apple silicon
      "/usr/local/bin/python3", // Homebrew on Intel, python.org's installer links
      ...KNOWN_MINORS.map((m) => `/Library/Frameworks/Python.framework/Versions/3.${m}/bin/python3`),
      "/usr/bin/python3", // Apple's, with the Command Line Tools (often too old)
    ];
  }
  if (host.platform === "win32") {
    const local = envVar(host.env, "LOCALAPPDATA", "win32") ?? p.join(host.home, "AppData", "Local");
    const programFiles = envVar(host.env, "ProgramFiles", "win32") ?? "C:\\Program Files";
    return KNOWN_MINORS.flatMap((m) => [
      p.join(local, "Programs", "Python", `Python3${m}`, "python.exe"), // python.org, per user
      p.join(programFiles, `Python3${m}`, "python.exe"), // python.org, all users
    ]);
  }
  return [];
}

/**
 * Interpreters to try, in order. An explicit setting is the only candidate: the
 * user asked for it, so silently running another one would hide their mistake.
 */
export function candidates(setting: string, pythonExtension: string | undefined, host: Host): Candidate[] {
  if (setting.trim() !== "") {
    return [{ command: interpreterIn(setting.trim(), host), source: "setting" }];
  }
  const list: Candidate[] = [];
  if (pythonExtension) {
    list.push({ command: interpreterIn(pythonExtension, host), source: "python-extension" });
  }
  if (host.platform === "win32") {
    // The launcher picks the newest installed CPython 3; `python3` is often only the Store's alias.
    list.push({ command: "py", args: ["-3"], source: "default" });
    list.push({ command: "python", source: "default" });
  } else {
    list.push({ command: "python3", source: "default" });
    list.push({ command: "python", source: "default" });
  }
  for (const file of wellKnownInterpreters(host)) {
    if (host.isFile(file)) {
      list.push({ command: file, source: "default" });
    }
  }
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = host.platform === "win32" ? commandLine(c).toLowerCase() : commandLine(c);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

const PROBE_CODE =
  "import json, sys; print(json.dumps([list(sys.version_info[:3]), sys.executable, sys.implementation.cache_tag]))";

/** Runs `command [args] -I -c ...` to learn its version; rejects with a short reason. */
export function probePython(candidate: Candidate, timeoutMs = 10_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      candidate.command,
      [...(candidate.args ?? []), "-I", "-c", PROBE_CODE],
      { timeout: timeoutMs, windowsHide: true, encoding: "utf8" },
      (error, stdout) => {
        if (error) {
          const err = error as NodeJS.ErrnoException & { killed?: boolean };
          if (err.code === "ENOENT") {
            reject(new Error("not found"));
          } else if (err.killed) {
            reject(new Error(`did not answer within ${timeoutMs} ms`));
          } else {
            reject(new Error(firstLine(String(error.message)) || "failed to run"));
          }
          return;
        }
        try {
          resolve(parseProbeOutput(stdout));
        } catch {
          reject(new Error(`unexpected output: ${firstLine(stdout)}`));
        }
      },
    );
  });
}

export function parseProbeOutput(stdout: string): ProbeResult {
  const lines = stdout.trim().split(/\r?\n/);
  const data = JSON.parse(lines[lines.length - 1]) as [number[], string, string | null];
  const [v, executable, cacheTag] = data;
  if (!Array.isArray(v) || v.length < 2) {
    throw new Error("bad version");
  }
  return { version: [v[0], v[1], v[2] ?? 0], executable, cacheTag: cacheTag ?? "" };
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? "";
}

/** What `bundled/bundle.json` says: the package's target and the CPython versions it runs on. */
export interface Bundle {
  target: string;
  /** `3.10`, `3.11`, ...: the versions the bundled compiled modules exist for. */
  pythons: string[];
}

/** Reads `bundle.json` in `bundledDir`; `undefined` when there is none (a source checkout). */
export function readBundle(bundledDir: string): Bundle | undefined {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(bundledDir, "bundle.json"), "utf8")) as Partial<Bundle>;
    if (typeof raw.target === "string" && Array.isArray(raw.pythons)) {
      return { target: raw.target, pythons: raw.pythons.filter((v): v is string => typeof v === "string") };
    }
  } catch {
    // No bundle (or an unreadable one): any Python >= 3.10 is tried.
  }
  return undefined;
}

/** Cache tags (`cpython-310`, ...) of the bundle's CPython versions; empty without a bundle. */
export function bundleCacheTags(bundle: Bundle | undefined): Set<string> {
  return new Set((bundle?.pythons ?? []).map((v) => `cpython-${v.replace(".", "")}`));
}

export function formatVersion(v: readonly number[]): string {
  return v.join(".");
}

/** Human list of CPython versions from cache tags: `3.10–3.14`. */
export function describeTags(tags: Set<string>): string {
  const versions = [...tags]
    .map((t) => /^cpython-3(\d+)$/.exec(t))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  if (versions.length === 0) {
    return [...tags].join(", ");
  }
  const contiguous = versions.every((v, i) => i === 0 || v === versions[i - 1] + 1);
  if (contiguous && versions.length > 1) {
    return `3.${versions[0]}–3.${versions[versions.length - 1]}`;
  }
  return versions.map((v) => `3.${v}`).join(", ");
}

/** Why `probe` cannot run the server, or `undefined` when it can. */
export function unusableReason(
  probe: ProbeResult,
  supportedTags: Set<string>,
  target?: string,
): string | undefined {
  const [major, minor] = probe.version;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return `is Python ${formatVersion(probe.version)}; ${formatVersion(MIN_PYTHON)} or newer is needed`;
  }
  if (supportedTags.size > 0 && !supportedTags.has(probe.cacheTag)) {
    return (
      `is ${probe.cacheTag || "an unknown Python"} (${formatVersion(probe.version)}); ` +
      `this build of the extension${target ? ` (${target})` : ""} runs on CPython ${describeTags(supportedTags)}`
    );
  }
  return undefined;
}

/** Tries each candidate in order; the first usable one wins. */
export async function findPython(
  list: Candidate[],
  probe: Probe,
  supportedTags: Set<string>,
  target?: string,
): Promise<Found | NotFound> {
  const tried: NotFound["tried"] = [];
  for (const candidate of list) {
    try {
      const result = await probe(candidate);
      const reason = unusableReason(result, supportedTags, target);
      if (reason === undefined) {
        return { ok: true, candidate, probe: result };
      }
      tried.push({ candidate, reason });
    } catch (err) {
      tried.push({ candidate, reason: (err as Error).message });
    }
  }
  return { ok: false, tried, message: notFoundMessage(tried, supportedTags, target) };
}

export function notFoundMessage(tried: NotFound["tried"], supportedTags: Set<string>, target?: string): string {
  const what = tried.map((t) => `"${commandLine(t.candidate)}" ${t.reason}`).join("; ");
  const explicit = tried.some((t) => t.candidate.source === "setting");
  const need =
    supportedTags.size > 0
      ? `Python ${describeTags(supportedTags)}${target ? ` (what this build, ${target}, runs on)` : ""}`
      : `Python ${formatVersion(MIN_PYTHON)} or newer`;
  const head = explicit
    ? `PyTorch Notes cannot start its language server with the interpreter set in "${PYTHON_SETTING}": ${what}.`
    : `PyTorch Notes found no usable Python to run its language server (${what}).`;
  return `${head} Install ${need}, or set "${PYTHON_SETTING}" to the path of one.`;
}

/**
 * Environment of the server process: the bundled libraries come first on `sys.path`.
 * On Windows, variable names are case-insensitive: a `PythonPath` of the user's is joined,
 * not left beside ours.
 */
export function serverEnv(
  base: NodeJS.ProcessEnv,
  pythonPath: string[],
  bundled: boolean,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const ours = new Set(["PYTHONPATH", "PYTHONIOENCODING", "PYTHONNOUSERSITE"]);
  for (const [key, value] of Object.entries(base)) {
    if (!(platform === "win32" && ours.has(key.toUpperCase()) && key !== key.toUpperCase())) {
      env[key] = value;
    }
  }
  const delimiter = pathsOf(platform).delimiter;
  const existing = (envVar(base, "PYTHONPATH", platform) ?? "").split(delimiter).filter((p) => p !== "");
  env.PYTHONPATH = [...pythonPath, ...existing].join(delimiter);
  env.PYTHONIOENCODING = "utf-8";
  if (bundled) {
    // Everything the server imports is in the bundle: keep the user's own
    // site-packages (another pygls, another tree-sitter) out of its way.
    env.PYTHONNOUSERSITE = "1";
  }
  return env;
}
