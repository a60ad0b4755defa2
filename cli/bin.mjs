#!/usr/bin/env node
// `edgerun` command: loads the TypeScript CLI through tsx (a dependency of this repo) and exits with its code.
// Start-up matters (CI runs the CLI often): Node's on-disk compile cache is enabled, and for embedded
// runs Miniflare's large bundle is imported before tsx's loader hooks are installed, which would
// otherwise slow every one of its module loads.
import module from "node:module";

module.enableCompileCache?.();
// `edgerun run … | head` closes stdout early: stop quietly, as other CLIs do.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const argv = process.argv.slice(2);
if (argv[0] === "run" && !argv.some((a) => a === "--server" || a.startsWith("--server="))) {
  await import("miniflare");
}
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./main.ts");
const code = await main(argv);
process.exit(code);
