#!/usr/bin/env node
// Builds the web app (web/src, Preact + uPlot, TypeScript) with esbuild into public/, the Worker's static
// assets directory (wrangler.toml `[assets]`). Prints each output's size and the run page's gzip total,
// which must stay under 150 KB. Fast (well under a second), so every script that needs the assets runs it.
import { copyFile, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "public");
const RUN_PAGE_BUDGET = 150 * 1024;

// Files are overwritten in place and stale ones removed afterwards (not `rm -rf` first): a running
// `wrangler dev` serving public/ never sees it empty.
await mkdir(join(OUT, "assets"), { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { "process.env.NODE_ENV": '"production"' },
};
const app = await build({
  ...common,
  entryPoints: { app: join(ROOT, "web/src/main.tsx") },
  outdir: join(OUT, "assets"),
  format: "esm",
  splitting: true,
  chunkNames: "chunk-[hash]",
  metafile: true,
});
await build({
  ...common,
  entryPoints: { embed: join(ROOT, "web/src/embed.ts") },
  outdir: OUT,
  format: "iife",
});
await copyFile(join(ROOT, "web/index.html"), join(OUT, "index.html"));
await copyFile(join(ROOT, "web/favicon.svg"), join(OUT, "favicon.svg"));

/** Files the browser loads for `/` before any lazy chunk: the HTML, the entry, its static imports, CSS. */
function runPageFiles(meta) {
  const files = new Set(["index.html"]);
  const visit = (out) => {
    const key = relative(OUT, join(ROOT, out));
    if (files.has(key)) return;
    files.add(key);
    const info = meta.outputs[out];
    if (info.cssBundle) files.add(relative(OUT, join(ROOT, info.cssBundle)));
    for (const imp of info.imports) if (imp.kind === "import-statement") visit(imp.path);
  };
  for (const [out, info] of Object.entries(meta.outputs))
    if (info.entryPoint === "web/src/main.tsx") visit(out);
  return files;
}

const gz = async (file) => gzipSync(await readFile(join(OUT, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const built = new Set([
  "index.html",
  "favicon.svg",
  "embed.js",
  ...Object.keys(app.metafile.outputs).map((out) => relative(OUT, join(ROOT, out))),
]);
const all = [];
for (const dir of ["", "assets"]) {
  for (const name of await readdir(join(OUT, dir))) {
    const file = join(dir, name);
    if (!(await stat(join(OUT, file))).isFile()) continue;
    if (built.has(file)) all.push(file);
    else await rm(join(OUT, file), { force: true });
  }
}
const initial = runPageFiles(app.metafile);
let total = 0;
for (const file of all.sort()) {
  const size = (await stat(join(OUT, file))).size;
  const zipped = await gz(file);
  if (initial.has(file)) total += zipped;
  console.log(
    `  ${file.padEnd(32)} ${kb(size).padStart(10)} ${kb(zipped).padStart(10)} gzip${initial.has(file) ? "  (run page)" : ""}`,
  );
}
console.log(`web: run page ${kb(total)} gzip (budget ${kb(RUN_PAGE_BUDGET)}) → ${relative(ROOT, OUT)}/`);
if (total > RUN_PAGE_BUDGET) {
  console.error("web: the run page exceeds its size budget");
  process.exit(1);
}
