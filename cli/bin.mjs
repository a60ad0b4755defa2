#!/usr/bin/env node
// `edgerun` command: loads the TypeScript CLI through tsx (a dependency of this repo) and exits with its code.
// Start-up matters (CI runs the CLI often): Node's on-disk compile cache is enabled, and for embedded
// runs wrangler's large bundle is imported before tsx's loader hooks are installed, which would
// otherwise slow every one of its module loads.
import module from "node:module";

module.enableCompileCache?.();
const argv = process.argv.slice(2);
if (argv[0] === "run" && !argv.some((a) => a === "--server" || a.startsWith("--server="))) {
  await import("wrangler");
}
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./main.ts");
const code = await main(argv);
process.exit(code);
