// Bundles the extension into client/dist/extension.js (one CommonJS file, `vscode` external),
// or, with --tests, each client/test/*.test.ts into out/test/ for `node --test`.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const args = new Set(process.argv.slice(2));
const production = args.has("--production");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  logLevel: "warning",
};

if (args.has("--tests")) {
  const testDir = join(here, "test");
  const entryPoints = readdirSync(testDir)
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => join(testDir, name));
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: join(root, "out", "test"),
    sourcemap: "inline",
    external: ["vscode"],
  });
} else {
  const options = {
    ...common,
    entryPoints: [join(here, "src", "extension.ts")],
    outfile: join(here, "dist", "extension.js"),
    external: ["vscode"],
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    legalComments: production ? "external" : "inline",
    metafile: true,
  };
  if (args.has("--watch")) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    const result = await esbuild.build(options);
    const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
    console.log(`client/dist/extension.js: ${(bytes / 1024).toFixed(0)} KiB${production ? " (production)" : ""}`);
  }
}
