/**
 * Script sandbox costs (issue 4), in Node with the same QuickJS host the Worker uses:
 *  - a typical test script (5 pm.test blocks with pm.expect chains over a JSON response), per request
 *    after the first request of a run;
 *  - the first script of a run that uses chai (context creation + prelude + first chai chain);
 *  - each bundled library's first `require()` (the slowest is the one to watch).
 *
 *   node --import tsx bench/sandbox.ts [scripts=500] [quick|distinct|start]
 *     quick: typical and empty only; distinct: the same with a different text per script; start: what starting a run's sandbox costs (a new host per script,
 *     CPU of its first script: runtime, context, prelude, chai when the script uses it).
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import type { ScriptCapabilities } from "../shared/engine/types";
import { QuickJSScriptHost, setQuickJSLoader } from "../shared/sandbox/quickjs-host";
import { benchContext, EMPTY, TYPICAL } from "./sandbox-scripts";

// Same loader as shared/sandbox/quickjs-module.node.ts (tsx cannot resolve a `.node`-suffixed module name).
setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(releaseVariant));

const n = Number(process.argv[2] ?? 500);
const caps: ScriptCapabilities = {
  sendRequest: async () => ({ error: { name: "Unsupported", message: "not in bench" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};

// The same script naming a prototype: it gets the full intrinsics restore (see prelude/containment.js).
const TOUCHES_INTRINSICS = `${TYPICAL}\nconst proto = Object.getPrototypeOf(user);\n`;

const LIBRARIES = [
  "lodash",
  "crypto-js",
  "moment",
  "uuid",
  "tv4",
  "ajv",
  "xml2js",
  "cheerio",
  "csv-parse/lib/sync",
  "buffer",
  "url",
  "util",
  "events",
];

async function timeScript(host: QuickJSScriptHost, source: string): Promise<number> {
  const t0 = performance.now();
  const out = await host.run(
    { source, location: "request:bench", context: benchContext(), timeoutMs: 5000 },
    caps,
  );
  const ms = performance.now() - t0;
  if (out.error) throw new Error(`${out.error.name}: ${out.error.message}`);
  return ms;
}

/** `distinct`: every script's text differs (a trailing comment), as each request's own script does. */
async function series(label: string, source: string, distinct = false): Promise<void> {
  const host = new QuickJSScriptHost({});
  const first = await timeScript(host, source);
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) times.push(await timeScript(host, distinct ? `${source}\n// ${i}` : source));
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(`${label}: first ${first.toFixed(2)} ms`);
  console.log(
    `  after the first, ${n} runs: mean ${mean.toFixed(3)} ms, median ${times[Math.floor(n / 2)]!.toFixed(3)} ms, p95 ${times[Math.floor(n * 0.95)]!.toFixed(3)} ms`,
  );
  // CPU time is steadier than wall time on a shared, loaded machine.
  console.log(`  CPU per script: ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms`);
  host.dispose();
}

/** CPU of the first script of a new host (a run's start), averaged over `n` hosts after a warm-up. */
async function starts(label: string, source: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const warm = new QuickJSScriptHost({});
    await timeScript(warm, source);
    warm.dispose();
  }
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const host = new QuickJSScriptHost({});
    await timeScript(host, source);
    host.dispose();
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label}: CPU per run start (new host + first script), ${n} hosts: ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms`,
  );
}

async function main(): Promise<void> {
  if (process.argv[3] === "start") {
    await starts("typical test script", TYPICAL);
    await starts("empty script", EMPTY);
    return;
  }
  if (process.argv[3] === "distinct") {
    await series("typical test script, a new text each time", TYPICAL, true);
    await series("empty script, a new text each time", EMPTY, true);
    return;
  }
  if (process.argv[3] === "quick") {
    // typical and empty only (for before/after comparisons)
    await series("typical test script (5 pm.test, chai chains over JSON)", TYPICAL);
    await series("empty script (one empty pm.test)", EMPTY);
    return;
  }
  await series("typical test script (5 pm.test, chai chains over JSON)", TYPICAL);
  await series("same script naming a prototype (full intrinsics restore)", TOUCHES_INTRINSICS);
  await series("empty script (one empty pm.test)", EMPTY);

  const lib = new QuickJSScriptHost({});
  await timeScript(lib, "pm.test('warm', () => {});");
  for (const name of LIBRARIES) {
    const source = `const m = require(${JSON.stringify(name)}); pm.test('loaded', () => pm.expect(m).to.exist);`;
    const cold = await timeScript(lib, source);
    const warm = await timeScript(lib, source);
    console.log(`require('${name}'): first ${cold.toFixed(1)} ms, next script ${warm.toFixed(1)} ms`);
  }
  lib.dispose();
}

await main();
