/**
 * The sandbox prelude driven directly in Node's V8 (issue 16): the built bundle evaluated in a
 * `node:vm` context with a fake `__host`, then `__edgerun_execute` called per script, so a CPU profile
 * shows the prelude's own JavaScript (under QuickJS it is one opaque wasm frame) without the hosts'
 * boundary costs. Reports the CPU per script (median of batches) for the typical and the empty script.
 *
 *   node --import tsx bench/prelude-profile.ts [scripts=2000] [typical|empty|both|file:<script.js>] [bundle.js] [v8|quickjs]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/prelude-profile.ts 5000 typical
 *
 * `bundle.js` (optional, `-` for the built one) is a prelude bundle to run instead of
 * shared/sandbox/generated/prelude.ts, to compare an old and a new prelude on the same machine state;
 * `quickjs` runs it in a bare QuickJS context instead (the same host functions, no limits); `v8main` in
 * this process's own realm (as workerd runs it: a `node:vm` context makes every global lookup go
 * through the context's interceptors, which inflates the prelude's global reads in a profile).
 * PRELUDE_BODY=inline sends the response body inside the input JSON (what a prelude before the body
 * went beside it expects); BODY_ITEMS=n grows the response body to n items (≈ 38 bytes each).
 * STARTS=n measures the first script of n fresh contexts instead (prelude evaluated, chai loaded, the
 * script run once; CPU per start, median), what a run's start costs in the prelude (not in `v8main`).
 * CHAI_BUNDLE=file serves that chai (CommonJS) instead of the built one, e.g. an unminified build for a
 * readable profile.
 */
import { readFileSync } from "node:fs";
import { createContext, runInContext, runInThisContext } from "node:vm";
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import type { PreludeHost, PreludeInput, PreludeOutput } from "../shared/sandbox/contract";
import { preludeRequest, REQUIRE_ALIASES } from "../shared/sandbox/contract";
import { LIBRARY_LOADERS } from "../shared/sandbox/generated/libs/index";
import { PRELUDE_SOURCE } from "../shared/sandbox/generated/prelude";
import { installBareHost } from "../test/quickjs-bare-host";
import { benchContext, EMPTY, TYPICAL } from "./sandbox-scripts";

const n = Number(process.argv[2] ?? 2000);
const which = process.argv[3] ?? "both";
const bundlePath = process.argv[4] ?? "-";
const bundle = bundlePath === "-" ? PRELUDE_SOURCE : readFileSync(bundlePath, "utf8");
const engine = process.argv[5] ?? "v8";
const inline = process.env.PRELUDE_BODY === "inline";
const bodyItems = Number(process.env.BODY_ITEMS ?? 0);
// Taken now: in `v8main` the prelude replaces the realm's console with each script's.
const print = console.log.bind(console);
type Execute = (inputJson: string, body?: string) => Promise<string>;

/** The bench context, its response body grown to `BODY_ITEMS` items when set. */
function context() {
  const c = benchContext();
  if (bodyItems && c.response) {
    const user = JSON.parse(c.response.body) as { items: unknown[] };
    user.items = Array.from({ length: bodyItems }, (_, i) => ({ id: i, price: i * 1.5, tags: ["x", "y"] }));
    c.response.body = JSON.stringify(user);
  }
  return c;
}

/** The libraries the benched scripts use, as the QuickJS host serves them (CommonJS source). */
async function librarySources(): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const load = LIBRARY_LOADERS.chai;
  if (process.env.CHAI_BUNDLE) sources.set("chai", readFileSync(process.env.CHAI_BUNDLE, "utf8"));
  else if (load) sources.set("chai", await load());
  return sources;
}

/** One prelude context, as QuickJSScriptHost builds it (libraries served as CommonJS source). */
async function preludeContext(main: boolean): Promise<Execute> {
  const sources = await librarySources();
  const sandbox = main ? (globalThis as unknown as Record<string, unknown>) : createContext({});
  const run = (code: string, filename: string): unknown =>
    main ? runInThisContext(code, { filename }) : runInContext(code, sandbox, { filename });
  const host: PreludeHost = {
    sendRequest: async () => JSON.stringify({ error: { name: "Unsupported", message: "not in bench" } }),
    cookieJar: () => "null",
    library: (name) => sources.get(REQUIRE_ALIASES[name] ?? name),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    compile: (params, body) => run(`(async function (${params}) {\n${body}\n})`, "script.js") as never,
  };
  sandbox.__host = host;
  run(bundle, "prelude.js");
  return sandbox.__edgerun_execute as Execute;
}

const limits: PreludeInput["limits"] = { consoleEntries: 100, consoleMessageChars: 2000, timers: 1000 };

let quickjsModule: ReturnType<typeof newQuickJSWASMModuleFromVariant> | undefined;

/** The same in a bare QuickJS context (scripts here never wait: pending jobs are run to completion). */
async function quickjsContext(): Promise<Execute> {
  const sources = await librarySources();
  quickjsModule ??= newQuickJSWASMModuleFromVariant(releaseVariant); // one module, as the host keeps
  const QuickJS = await quickjsModule;
  const runtime = QuickJS.newRuntime();
  const ctx = runtime.newContext();
  installBareHost(ctx, { library: (name) => sources.get(name), now: Date.now });
  ctx.unwrapResult(ctx.evalCode(bundle, "prelude.js")).dispose();
  const execute: Execute = async (inputJson, body) => {
    const fnH = ctx.getProp(ctx.global, "__edgerun_execute");
    const argH = ctx.newString(inputJson);
    const bodyH = body === undefined ? ctx.undefined : ctx.newString(body);
    const promiseH = ctx.unwrapResult(ctx.callFunction(fnH, ctx.undefined, argH, bodyH));
    fnH.dispose();
    argH.dispose();
    if (body !== undefined) bodyH.dispose();
    ctx.runtime.executePendingJobs();
    const state = ctx.getPromiseState(promiseH);
    promiseH.dispose();
    if (state.type !== "fulfilled") throw new Error(`script did not finish: ${state.type}`);
    const out = ctx.getString(state.value);
    state.value.dispose();
    return out;
  };
  disposeQuickJS = () => {
    ctx.dispose();
    runtime.dispose();
  };
  return execute;
}
let disposeQuickJS = () => {};

let mainExecute: Promise<Execute> | undefined;
const starts = Number(process.env.STARTS ?? 0);

/** CPU of `starts` fresh contexts each running `source` once (prelude, chai's load, first use). */
async function firstScripts(label: string, source: string): Promise<void> {
  const perStart: number[] = [];
  for (let i = 0; i < starts; i++) {
    const input: PreludeInput = { source, location: "request:bench", context: context(), limits };
    const request = preludeRequest(input);
    const cpu0 = process.cpuUsage();
    const execute = await (engine === "quickjs" ? quickjsContext() : preludeContext(false));
    await execute(request.json, request.body);
    const cpu = process.cpuUsage(cpu0);
    if (engine === "quickjs") disposeQuickJS();
    perStart.push((cpu.user + cpu.system) / 1000);
  }
  perStart.sort((a, b) => a - b);
  const median = perStart[Math.floor(perStart.length / 2)] ?? Number.NaN;
  print(
    `${engine} ${label}: CPU of a first script (fresh context), median of ${starts}: ${median.toFixed(2)} ms`,
  );
}

async function series(label: string, source: string): Promise<void> {
  if (starts) return firstScripts(label, source);
  mainExecute ??= engine === "v8main" ? preludeContext(true) : undefined; // one realm, one prelude
  const execute = await (engine === "quickjs" ? quickjsContext() : (mainExecute ?? preludeContext(false)));
  const once = async () => {
    const input: PreludeInput = { source, location: "request:bench", context: context(), limits };
    // As the hosts call it (the body beside the JSON), or with the body inside (an older prelude).
    const request = inline ? { json: JSON.stringify(input), body: undefined } : preludeRequest(input);
    const out = JSON.parse(await execute(request.json, request.body)) as PreludeOutput;
    if (out.error || out.assertions.some((a) => !a.passed)) throw new Error(JSON.stringify(out));
  };
  for (let i = 0; i < 200; i++) await once(); // warm-up: chai loaded, the prelude optimised
  const batch = 100;
  const perScript: number[] = [];
  for (let b = 0; b < Math.max(1, Math.floor(n / batch)); b++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < batch; i++) await once();
    const cpu = process.cpuUsage(cpu0);
    perScript.push((cpu.user + cpu.system) / 1000 / batch);
  }
  perScript.sort((a, b) => a - b);
  const median = perScript[Math.floor(perScript.length / 2)] ?? Number.NaN;
  print(`${engine} ${label}: CPU per script, median of ${perScript.length} batches: ${median.toFixed(3)} ms`);
}

if (which.startsWith("file:")) await series(which, readFileSync(which.slice(5), "utf8"));
else {
  if (which !== "empty") await series("typical (5 pm.test, chai over JSON)", TYPICAL);
  if (which !== "typical") await series("empty (one empty pm.test)", EMPTY);
}
