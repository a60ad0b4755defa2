/**
 * Where a V8 script call's CPU goes in workerd (issue 16, H23): the typical (or empty) script of
 * bench/sandbox-scripts.ts, split into parts measured alone inside one workerd (Miniflare with a Worker
 * Loader binding). workerd's CPU from /proc (10 ms ticks: each part runs `n` times per sample).
 *
 *   node --import tsx bench/cases/v8-call.ts [n=2000] [typical|empty] [rounds=3] [modes=all]
 *
 * SCOPE_VARS=n adds n environment and n global variables to the script's context.
 * A mode `m:per` runs its `n` iterations in requests of `per` each (default: one request of `n`).
 * Modes (CPU per iteration, median of `rounds` samples, modes interleaved per round):
 * - `full`     V8ScriptHost.run on a warm host: what the engine pays per script (production: one
 *              invocation of the dynamic worker per script).
 * - `session`  the same on sessions (local workerd, sessions: true), one slice per request.
 * - `inloop`   `n` executions of the script inside one RPC call (the prelude's `__edgerun_execute`
 *              called in a loop in the dynamic worker): the in-isolate cost per script.
 * - `rpc`      a trivial call per iteration (`noop()`), a new entrypoint stub each time: the call alone.
 * - `rpcstub`  the same on one stub: the call without `loader.get(…).getEntrypoint(…)`.
 * - `shape`    the engine's call shape with no script work: a new stub, the request JSON and body, a
 *              `Bridge` and `sends`, and an answer as long as the prelude's output. `shapereuse`: one
 *              Bridge for all calls; `shapenobridge`: none; `shapeone`: the input and body as one string.
 * - `exec`     the engine's call without V8ScriptHost: a new stub, `ScriptRunner.execute` with a
 *              Bridge, the output parsed (what `full` adds on top is the host class's own work).
 * - `deadline` the host's wall deadline alone (setTimeout, Promise.race, clearTimeout); `timer` without race.
 * - `garbage1` / `garbageloop`: GARBAGE (2000) small objects allocated per iteration, in one call each
 *              or all in one call: whether allocating costs more spread over calls (GC between them).
 * - `none:1`   an empty request (what the `:per` requests of the other modes cost beside their work).
 * - `host`     the host side alone in the main isolate: preludeInput + preludeRequest, JSON.parse of a
 *              real output, scriptOutcome.
 * - `curve`    (alone) CPU per script by its place in a fresh run: CURVE_HOSTS (20) new V8ScriptHosts,
 *              scripts 1, 2, 3–5, … 101–200 on each. A run has its own isolate, so its scripts run in
 *              code V8 has not optimised yet: what a run of 40 requests really pays per script.
 *              CURVE_DISTINCT=1: each run planned with 200 scripts differing by a comment, run in order
 *              (as the benchmark collection's requests each have their own script, so their own module).
 */
import type { Miniflare } from "miniflare";
import { cpuMs, median, withLoaderWorker } from "../lib/loader-bench";
import { benchContext, EMPTY, TYPICAL } from "../sandbox-scripts";

const n = Number(process.argv[2] ?? 2000);
const kind = process.argv[3] ?? "typical";
const rounds = Number(process.argv[4] ?? 3);
const MODES = ["full", "exec", "inloop", "rpc", "rpcstub", "shape", "host", "none:1"];
const modes = process.argv[5] && process.argv[5] !== "all" ? process.argv[5].split(",") : MODES;

// The bench entrypoint, appended to the dynamic worker's main.js (whose `execute` and `state` it uses).
const BENCH_ENTRY = `
let benchOut;
export class Bench extends WorkerEntrypoint {
  async loop(input, body, n, chars) {
    // As ScriptRunner.execute sets it for the script's call (the bench's one script: c/0's first).
    state.current = { factory: (await import("./c/0/script.js")).default[0], chars };
    let out = "";
    for (let i = 0; i < n; i++) out = await execute(input, body);
    return out;
  }
  noop() { return "ok"; }
  garbage(n, k) {
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const list = [];
      for (let j = 0; j < k; j++) list.push({ j, s: "v" + j, a: [j] });
      kept += list.length;
    }
    return kept;
  }
  async shape(input, bridge, sends, body) {
    state.bridge = bridge;
    Object.assign(state, sends);
    state.bridge = null;
    return (benchOut ??= "x".repeat(input.length));
  }
}
`;

const WORKER = `
import { V8ScriptHost, Bridge } from "./platform/script-host-v8";
import { loadLibrary, neededLibraries, preludeSource } from "./shared/sandbox/libraries";
import { scriptBody, workerModules } from "./shared/sandbox/v8/worker-code";
import { preludeInput, preludeRequest, scriptOutcome } from "./shared/sandbox/contract";
import { V8_MAIN_SOURCE } from "./shared/sandbox/generated/v8-entry";
import { SendRequestGate } from "./shared/sandbox/send-gate";
const caps = {
  sendRequest: async () => ({ error: { name: "Unsupported", message: "not in bench" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};
const BENCH_ENTRY = ${JSON.stringify(BENCH_ENTRY)};
const GARBAGE = ${Number(process.env.GARBAGE ?? 2000)};
let host;
let sessionHost;
let code;
let output;
let curve = [];
let runs = 0;
async function benchCode(source) {
  const libraries = new Map();
  for (const lib of neededLibraries(source)) libraries.set(lib, await loadLibrary(lib));
  const modules = workerModules({ prelude: await preludeSource(), libraries, scripts: new Map([["0", source]]), broken: new Map() });
  modules["main.js"] = { js: V8_MAIN_SOURCE + BENCH_ENTRY };
  return { compatibilityDate: "2026-10-20", compatibilityFlags: ["no_nodejs_compat", "no_nodejs_compat_v2"], mainModule: "main.js", modules, env: {}, globalOutbound: null };
}
const stub = (env) => env.LOADER.get("bench-call", () => code).getEntrypoint("Bench", { limits: { cpuMs: 5000 } });
const request = (source, context) =>
  preludeRequest(preludeInput({ source, location: "request:bench", context, sugar: false }, {}));
export default {
  async fetch(req, env) {
    const { mode, n, source, context, phase, hosts, distinct } = await req.json();
    code ??= await benchCode(source);
    const r = request(source, context);
    const chars = scriptBody(source).length;
    output ??= await stub(env).loop(r.json, r.body, 1, chars);
    if (mode === "curve") {
      // Phase 0 starts "hosts" fresh runs; every phase runs n more scripts on each of them.
      // distinct: each run planned with 200 scripts differing by a comment, run in order (a module each).
      const planned = distinct ? Array.from({ length: 200 }, (_, i) => source + "\\n// " + i) : undefined;
      if (phase === 0)
        curve = Array.from({ length: hosts }, () => ({
          h: new V8ScriptHost({ loader: env.LOADER, runId: "curve-" + runs++, ...(planned ? { scripts: planned } : {}) }),
          k: 0,
        }));
      for (const c of curve)
        for (let i = 0; i < n; i++) {
          const s = planned ? planned[c.k++] : source;
          const out = await c.h.run({ source: s, location: "request:bench", context, timeoutMs: 5000 }, caps);
          if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
        }
    } else if (mode === "full" || mode === "session") {
      // session: the local path (no CPU limit per invocation): a slice's calls on sessions.
      if (mode === "session") {
        sessionHost ??= new V8ScriptHost({ loader: env.LOADER, runId: "bench-session", sessions: true });
        sessionHost.beginSlice();
      } else host ??= new V8ScriptHost({ loader: env.LOADER, runId: "bench-full" });
      const h = mode === "session" ? sessionHost : host;
      for (let i = 0; i < n; i++) {
        const out = await h.run({ source, location: "request:bench", context, timeoutMs: 5000 }, caps);
        if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
      }
    } else if (mode === "inloop") {
      const out = JSON.parse(await stub(env).loop(r.json, r.body, n, chars));
      if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
    } else if (mode === "rpc") {
      for (let i = 0; i < n; i++) await stub(env).noop();
    } else if (mode === "garbage1" || mode === "garbageloop") {
      // GARBAGE objects per iteration: in one call each (garbage1) or all in one call (garbageloop).
      if (mode === "garbageloop") await stub(env).garbage(n, GARBAGE);
      else for (let i = 0; i < n; i++) await stub(env).garbage(1, GARBAGE);
    } else if (mode === "rpcstub") {
      const s = stub(env);
      for (let i = 0; i < n; i++) await s.noop();
    } else if (mode === "shape" || mode === "shapereuse" || mode === "shapenobridge" || mode === "shapeone") {
      // shapereuse: one Bridge for every call; shapenobridge: none; shapeone: one string argument only.
      const gate = new SendRequestGate();
      const shared = new Bridge(caps, gate, () => undefined);
      for (let i = 0; i < n; i++) {
        const q = request(source, context);
        const sends = { script: 0, slice: 0, perScript: 10, perSlice: 100 };
        const bridge =
          mode === "shape" ? new Bridge(caps, gate, () => undefined) : mode === "shapereuse" ? shared : null;
        const answer =
          mode === "shapeone"
            ? await stub(env).shape(q.json + (q.body ?? ""), null, null, undefined)
            : await stub(env).shape(q.json, bridge, sends, q.body);
        if (answer.length === 0) throw new Error("no answer");
      }
    } else if (mode === "exec" || mode === "nobridge") {
      const gate = new SendRequestGate();
      for (let i = 0; i < n; i++) {
        const q = request(source, context);
        const sends = { script: 0, slice: 0, perScript: 10, perSlice: 100 };
        const s = env.LOADER.get("bench-call", () => code).getEntrypoint("ScriptRunner", { limits: { cpuMs: 5000 } });
        const bridge = mode === "exec" ? new Bridge(caps, gate, () => undefined) : null;
        const out = scriptOutcome(JSON.parse(await s.execute(q.json, bridge, sends, q.body, { id: "0", module: "c/0/script.js", index: 0, chars })), { context });
        if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
      }
    } else if (mode === "loop1") {
      for (let i = 0; i < n; i++) {
        const q = request(source, context);
        const out = scriptOutcome(JSON.parse(await stub(env).loop(q.json, q.body, 1, chars)), { context });
        if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
      }
    } else if (mode === "deadline" || mode === "timer") {
      // The host's wall deadline around a call that has already answered (setTimeout, race, clear).
      for (let i = 0; i < n; i++) {
        let timer;
        const deadline = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("late")), 35000);
        });
        if (mode === "deadline") await Promise.race([Promise.resolve("x"), deadline]);
        clearTimeout(timer);
      }
    } else if (mode === "host") {
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const q = request(source, context);
        kept += scriptOutcome(JSON.parse(output), { context }).assertions.length + q.json.length;
      }
      if (kept === 0) throw new Error("nothing");
    }
    return Response.json({ ok: true });
  },
};`;

/** The cost of a script by its place in a fresh run (one isolate per run: it never gets warm). */
async function curveCase(
  mf: Miniflare,
  pid: number,
  input: { source: string; context: unknown },
): Promise<void> {
  const hosts = Number(process.env.CURVE_HOSTS ?? 20);
  const distinct = process.env.CURVE_DISTINCT === "1";
  const bounds = [0, 1, 2, 5, 10, 20, 40, 100, 200];
  console.log(`${kind} script, workerd CPU per script by its index in a fresh run (${hosts} runs):`);
  for (let p = 0; p + 1 < bounds.length; p++) {
    const count = bounds[p + 1]! - bounds[p]!;
    const cpu0 = cpuMs(pid);
    const res = await mf.dispatchFetch("http://bench/", {
      method: "POST",
      body: JSON.stringify({ mode: "curve", n: count, ...input, phase: p, hosts, distinct }),
    });
    if (!res.ok) throw new Error(`curve: ${(await res.text()).slice(0, 500)}`);
    const per = (cpuMs(pid) - cpu0) / (count * hosts);
    console.log(
      `  scripts ${String(bounds[p]! + 1).padStart(3)}–${String(bounds[p + 1]).padEnd(3)} ${per.toFixed(3)} ms`,
    );
  }
}

async function main(): Promise<void> {
  await withLoaderWorker({ name: "v8-call", source: WORKER }, async (mf, pid) => {
    const source = kind === "empty" ? EMPTY : TYPICAL;
    const context = benchContext();
    // SCOPE_VARS=n: n more environment and n global variables (what a larger workspace sends each script).
    const vars = Number(process.env.SCOPE_VARS ?? 0);
    for (let i = 0; i < vars; i++) {
      context.scopes.environment.push({ key: `env_${i}`, value: `value-${i}-${"x".repeat(24)}` });
      context.scopes.globals.push({ key: `global_${i}`, value: `value-${i}-${"y".repeat(24)}` });
    }
    // `mode:per` spreads the `count` iterations over requests of `per` each (a request's own cost).
    const call = async (spec: string, count: number) => {
      const [mode, per] = spec.split(":");
      const size = Number(per ?? count);
      const cpu0 = cpuMs(pid);
      for (let done = 0; done < count; done += size) {
        const res = await mf.dispatchFetch("http://bench/", {
          method: "POST",
          body: JSON.stringify({ mode, n: Math.min(size, count - done), source, context }),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${mode}: ${text.slice(0, 500)}`);
      }
      return (cpuMs(pid) - cpu0) / count;
    };
    if (modes[0] === "curve") return curveCase(mf, pid, { source, context });
    const samples = new Map<string, number[]>(modes.map((m) => [m, []]));
    for (const mode of modes) await call(mode, Math.min(n, 200)); // warm-up
    for (let r = 0; r < rounds; r++) for (const mode of modes) samples.get(mode)!.push(await call(mode, n));
    console.log(`${kind} script, workerd CPU per iteration (median of ${rounds} × ${n}):`);
    for (const [mode, xs] of samples)
      console.log(
        `  ${mode.padEnd(8)} ${median(xs).toFixed(4)} ms  (${xs.map((x) => x.toFixed(4)).join(" ")})`,
      );
  });
}

await main();
