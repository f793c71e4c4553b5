/**
 * Finding the Python interpreter that runs the bundled language server.
 *
 * Nothing here imports `vscode`: the logic is unit-tested under plain Node.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { PYTHON_SETTING } from "./settings";

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export type CandidateSource = "setting" | "python-extension" | "default";

export interface Candidate {
  command: string;
  source: CandidateSource;
}

export interface ProbeResult {
  version: [number, number, number];
  executable: string;
  /** `sys.implementation.cache_tag`, e.g. `cpython-311`: names the compiled modules it can load. */
  cacheTag: string;
}

export type Probe = (command: string) => Promise<ProbeResult>;

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

/**
 * Interpreters to try, in order. An explicit setting is the only candidate: the
 * user asked for it, so silently running another one would hide their mistake.
 */
export function candidates(setting: string, pythonExtension: string | undefined): Candidate[] {
  if (setting.trim() !== "") {
    return [{ command: setting.trim(), source: "setting" }];
  }
  const list: Candidate[] = [];
  if (pythonExtension) {
    list.push({ command: pythonExtension, source: "python-extension" });
  }
  list.push({ command: "python3", source: "default" });
  list.push({ command: "python", source: "default" });
  return list;
}

const PROBE_CODE =
  "import json, sys; print(json.dumps([list(sys.version_info[:3]), sys.executable, sys.implementation.cache_tag]))";

/** Runs `command -c ...` to learn its version; rejects with a short reason. */
export function probePython(command: string, timeoutMs = 10_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      ["-I", "-c", PROBE_CODE],
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

/**
 * Cache tags (`cpython-310`, ...) for which the bundled libraries carry compiled
 * modules, read from the names of tree-sitter's binding files. Empty when there is
 * nothing compiled (or no bundle): then any Python ≥ 3.10 is accepted.
 */
export function bundledCacheTags(libsDir: string): Set<string> {
  const tags = new Set<string>();
  const dir = path.join(libsDir, "tree_sitter");
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return tags;
  }
  for (const name of names) {
    const m = /^_binding\.(cpython-\d+)[-.]/.exec(name);
    if (m) {
      tags.add(m[1]);
    }
  }
  return tags;
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
export function unusableReason(probe: ProbeResult, supportedTags: Set<string>): string | undefined {
  const [major, minor] = probe.version;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return `is Python ${formatVersion(probe.version)}; ${formatVersion(MIN_PYTHON)} or newer is needed`;
  }
  if (supportedTags.size > 0 && !supportedTags.has(probe.cacheTag)) {
    return (
      `is ${probe.cacheTag || "an unknown Python"} (${formatVersion(probe.version)}); ` +
      `this build of the extension bundles its parser for CPython ${describeTags(supportedTags)}`
    );
  }
  return undefined;
}

/** Tries each candidate in order; the first usable one wins. */
export async function findPython(
  list: Candidate[],
  probe: Probe,
  supportedTags: Set<string>,
): Promise<Found | NotFound> {
  const tried: NotFound["tried"] = [];
  for (const candidate of list) {
    try {
      const result = await probe(candidate.command);
      const reason = unusableReason(result, supportedTags);
      if (reason === undefined) {
        return { ok: true, candidate, probe: result };
      }
      tried.push({ candidate, reason });
    } catch (err) {
      tried.push({ candidate, reason: (err as Error).message });
    }
  }
  return { ok: false, tried, message: notFoundMessage(tried, supportedTags) };
}

export function notFoundMessage(tried: NotFound["tried"], supportedTags: Set<string>): string {
  const what = tried.map((t) => `"${t.candidate.command}" ${t.reason}`).join("; ");
  const explicit = tried.some((t) => t.candidate.source === "setting");
  const need =
    supportedTags.size > 0
      ? `Python ${describeTags(supportedTags)}`
      : `Python ${formatVersion(MIN_PYTHON)} or newer`;
  const head = explicit
    ? `PyTorch Notes cannot start its language server with the interpreter set in "${PYTHON_SETTING}": ${what}.`
    : `PyTorch Notes found no usable Python to run its language server (${what}).`;
  return `${head} Install ${need}, or set "${PYTHON_SETTING}" to the path of one.`;
}

/** Environment of the server process: the bundled libraries come first on `sys.path`. */
export function serverEnv(
  base: NodeJS.ProcessEnv,
  pythonPath: string[],
  bundled: boolean,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const existing = (base.PYTHONPATH ?? "").split(path.delimiter).filter((p) => p !== "");
  env.PYTHONPATH = [...pythonPath, ...existing].join(path.delimiter);
  env.PYTHONIOENCODING = "utf-8";
  if (bundled) {
    // Everything the server imports is in the bundle: keep the user's own
    // site-packages (another pygls, another tree-sitter) out of its way.
    env.PYTHONNOUSERSITE = "1";
  }
  return env;
}
