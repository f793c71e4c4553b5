// Hosts for the unit tests: Linux, macOS or Windows with the files the test names, on any machine.
import type { Host } from "../src/host";

export function fakeHost(
  platform: NodeJS.Platform,
  options: { files?: string[]; dirs?: string[]; env?: NodeJS.ProcessEnv; home?: string } = {},
): Host {
  const files = new Set(options.files ?? []);
  const dirs = new Set(options.dirs ?? []);
  const home = options.home ?? (platform === "win32" ? "C:\\Users\\Ada" : platform === "darwin" ? "/Users/ada" : "/home/ada");
  return {
    platform,
    env: options.env ?? {},
    home,
    isFile: (p) => files.has(p),
    isDirectory: (p) => dirs.has(p),
  };
}
