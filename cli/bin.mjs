#!/usr/bin/env node
// `edgerun` command: loads the TypeScript CLI through tsx (a dependency of this repo) and exits with its code.
// Start-up matters (CI runs the CLI often): Node's on-disk compile cache is enabled.
import module from "node:module";

module.enableCompileCache?.();
// EDGERUN_DEBUG_TIMING=1: phase times on stderr (the same format as cli/timing.ts).
const mark = process.env.EDGERUN_DEBUG_TIMING
  ? (phase) => process.stderr.write(`[timing] ${performance.now().toFixed(1).padStart(7)} ms ${phase}\n`)
  : () => {};
mark("node started, bin.mjs running");
// `edgerun run … | head` closes stdout early: the rest of the output is dropped, but the run goes on to
// its end, writes its reports and exits with its own code (a CI step with `pipefail` must not pass a
// failing or unfinished suite). A full disk (ENOSPC) is treated the same way, with one line on stderr.
let stdoutGone = false;
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE" && error.code !== "ENOSPC") throw error;
  if (stdoutGone) return;
  stdoutGone = true;
  if (error.code === "ENOSPC") process.stderr.write("edgerun: stdout is full (ENOSPC): output dropped\n");
  process.stdout.write = (_chunk, encoding, done) => {
    const callback = typeof encoding === "function" ? encoding : done;
    if (typeof callback === "function") queueMicrotask(() => callback());
    return true;
  };
});
const argv = process.argv.slice(2);
const { register } = await import("tsx/esm/api");
register();
mark("tsx registered");
// An embedded run starts workerd first: its start (≈ 0.2 s) overlaps loading the CLI and reading the inputs.
const serverModule =
  argv[0] === "run" && !argv.some((a) => a === "--server" || a.startsWith("--server="))
    ? await import("./server.ts")
    : undefined;
const embedded = serverModule?.startEmbedded({ scriptBackend: serverModule.embeddedScriptBackend() });
embedded?.catch(() => {}); // main() reports a failed start where the run needs the server
// One event-loop turn: the start is synchronous up to workerd's spawn once its promise chain runs, which
// loading main.ts (module hooks) would otherwise hold back by ≈ 30 ms.
if (embedded) await new Promise((resolve) => setImmediate(resolve));
mark("embedded server starting");
const { main } = await import("./main.ts");
mark("cli/main.ts imported");
const code = await main(argv, undefined, { embedded, exiting: true });
if (process.env.EDGERUN_DEBUG_TIMING) {
  const cpu = process.cpuUsage();
  mark(`exiting (this process used ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU)`);
}
process.exit(code);
