/**
 * The engine's side of every script (issue 16): `runLocal` over the benchmark collection with the real
 * prelude run in this process (a `node:vm` context, as bench/prelude-profile.ts) as the script host and
 * a stub fetch (no network), so the CPU per request is the engine's item path, the masker, the input
 * and output JSON of each script and the prelude's own work: everything of a script call but the
 * host's boundary (QuickJS' wasm, V8's RPC). `none` runs the same collection without scripts.
 *
 *   node --import tsx bench/script-data.ts [requests=2000] [typical|empty|none] [rounds=7] [bundle.js]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/script-data.ts 4000 typical 1
 *
 * `bundle.js` runs that prelude bundle instead of the built one (an A/B of a prelude change on the same
 * machine state); BENCH_SAME=1 gives every request one script text (compiled once, as the V8 host does
 * for every text), which leaves the data path's share. Prints the CPU per request of each round (after
 * three warm-up runs) and their median.
 */
import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import type { ItemDeps } from "../shared/engine/execute-item";
import { buildPlan } from "../shared/engine/plan";
import { runLocal } from "../shared/engine/run-local";
import type { ScriptHost } from "../shared/engine/types";
import {
  type PreludeHost,
  type PreludeOutput,
  preludeInput,
  preludeRequest,
  REQUIRE_ALIASES,
  scriptOutcome,
} from "../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../shared/sandbox/generated/libs/index";
import { PRELUDE_SOURCE } from "../shared/sandbox/generated/prelude";
import type { Collection } from "../shared/schemas/collection";
import { benchCollection } from "./lib/collections";

const requests = Number(process.argv[2] ?? 2000);
const which = process.argv[3] ?? "typical";
const rounds = Number(process.argv[4] ?? 7);
const bundle = process.argv[5] ? readFileSync(process.argv[5], "utf8") : PRELUDE_SOURCE;
if (which === "empty") process.env.BENCH_SCRIPT = "empty";

/** The prelude in its own context, driven as the hosts drive it (contract.ts). */
async function preludeHost(): Promise<ScriptHost> {
  const chai = await LIBRARY_LOADERS.chai?.();
  const sandbox = createContext({});
  const host: PreludeHost = {
    sendRequest: async () => JSON.stringify({ error: { name: "Unsupported", message: "not in bench" } }),
    cookieJar: () => "null",
    library: (name) => ((REQUIRE_ALIASES[name] ?? name) === "chai" ? chai : undefined),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    compile: (params, body) =>
      runInContext(`(async function (${params}) {\n${body}\n})`, sandbox, { filename: "script.js" }),
  };
  sandbox.__host = host;
  runInContext(bundle, sandbox, { filename: "prelude.js" });
  const execute = sandbox.__edgerun_execute as (json: string, body?: string) => Promise<string>;
  return {
    async run(input) {
      const request = preludeRequest(preludeInput({ ...input, sugar: false }, {}));
      const out = JSON.parse(await execute(request.json, request.body)) as PreludeOutput;
      return scriptOutcome(out, input);
    },
  };
}

/** An answer shaped like the echo target's `/get` (its query as `args`), without a network. */
async function stubFetch(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const body = JSON.stringify({
    args: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(request.headers),
    url: request.url,
  });
  return new Response(body, { headers: { "content-type": "application/json; charset=utf-8" } });
}

const deps: ItemDeps = {
  fetch: stubFetch,
  checkTarget: () => null,
  scripts: which === "none" ? undefined : await preludeHost(),
  now: () => Date.now(),
  random: Math.random,
};
const planOf = (count: number) =>
  buildPlan(
    {
      collection: benchCollection(count, { scripted: which !== "none" }) as unknown as Collection,
      environment: { values: [{ key: "base", value: "http://127.0.0.1:9" }] },
      options: {},
    },
    "run_script_data",
  );

let failed = 0;
const onEvent = (e: { type: string; assertions?: Array<{ passed: boolean }> }) => {
  if (e.type === "request.completed" && e.assertions?.some((a) => !a.passed)) failed++;
};
for (let w = 0; w < 3; w++) await runLocal(planOf(requests), deps, { collect: false, onEvent });
const perRequest: number[] = [];
for (let r = 0; r < rounds; r++) {
  const plan = planOf(requests);
  const cpu0 = process.cpuUsage();
  await runLocal(plan, deps, { collect: false, onEvent });
  const cpu = process.cpuUsage(cpu0);
  perRequest.push((cpu.user + cpu.system) / 1000 / requests);
}
if (failed) throw new Error(`${failed} requests had failed assertions`);
const sorted = [...perRequest].sort((a, b) => a - b);
console.log(
  `${which}: CPU per request ${perRequest.map((x) => x.toFixed(4)).join(" ")} ms, median ${sorted[Math.floor(rounds / 2)]?.toFixed(4)}, min ${sorted[0]?.toFixed(4)} ms`,
);
