/**
 * Script cost in workerd, QuickJS vs V8 (issue 16): the same typical test script as bench/sandbox.ts
 * (5 pm.test with chai chains over JSON) through both ScriptHosts inside one workerd (Miniflare, with a
 * Worker Loader binding). Reports per script the median wall time over batches and workerd's CPU time
 * (from /proc: time inside workerd does not advance during synchronous code), and the first script of
 * a run (QuickJS context + prelude, or V8 isolate start + prelude).
 *
 *   node --import tsx bench/cases/v8-scripts.ts [batches=20] [perBatch=25] [typical|empty|layers] [starts=40] [quickjs,v8,v8session]
 *
 * `v8` makes one invocation of the run's dynamic worker per script (production, where each has its own
 * CPU limit); `v8session` calls a slice's scripts on sessions (platform/script-session.ts), as the CLI's
 * embedded stack and `npm start` with SCRIPT_BACKEND=v8 do, local workerd enforcing no such limit.
 *
 * `empty` (a script with one empty pm.test) shows the fixed cost of a script call. The run start is
 * the CPU of `starts` fresh hosts running their first script each, in one call (/proc counts 10 ms
 * ticks, so one start alone is too short to read). `layers` splits a V8 run's start instead: `starts`
 * dynamic workers of growing code, each started and pinged (no script): an empty worker, + host.js,
 * + the prelude, + chai's module (not required).
 *
 * PLANNED=n: each fresh V8 host of the run-start column is planned with n distinct scripts (the typical
 * one and n−1 copies differing by a comment, as the benchmark collection has a distinct script per
 * request), so the first-script column shows what a run's start pays per script it might run.
 */
import { cpuMs, median, withLoaderWorker } from "../lib/loader-bench";
import { benchContext, EMPTY, TYPICAL } from "../sandbox-scripts";

const batches = Number(process.argv[2] ?? 20);
const perBatch = Number(process.argv[3] ?? 25);
const kind = process.argv[4] ?? "typical";
const starts = Number(process.argv[5] ?? 40);
const backends = (process.argv[6] ?? "quickjs,v8,v8session").split(",");

// The bench Worker: both hosts, one warm host per backend, or a fresh one per batch (`fresh`).
const WORKER = `
import "./shared/sandbox/quickjs-module.workerd";
import { QuickJSScriptHost } from "./shared/sandbox/quickjs-host";
import { V8ScriptHost } from "./platform/script-host-v8";
import { loadLibrary, preludeSource } from "./shared/sandbox/libraries";
import { workerModules } from "./shared/sandbox/v8/worker-code";
const caps = {
  sendRequest: async () => ({ error: { name: "Unsupported", message: "not in bench" } }),
  cookieJar: { getAll: () => [], set: () => undefined, unset: () => undefined, clear: () => undefined },
};
const warm = {};
let runs = 0;
const make = (backend, env, planned) =>
  backend === "v8" || backend === "v8session"
    ? new V8ScriptHost({ loader: env.LOADER, runId: "bench-" + runs++, sessions: backend === "v8session", ...(planned ? { scripts: planned } : {}) })
    : new QuickJSScriptHost({});
const plan = (source, n) => (n > 1 ? [source, ...Array.from({ length: n - 1 }, (_, i) => source + "\\n// " + i)] : undefined);
const PING = "import { WorkerEntrypoint } from 'cloudflare:workers';\\nexport class ScriptRunner extends WorkerEntrypoint { ping() { return 'ready'; } }";
async function layer(env, name, i) {
  const libraries = new Map(name === "chai" ? [["chai", await loadLibrary("chai")]] : []);
  const modules = workerModules({ prelude: await preludeSource(), libraries, scripts: new Map(), broken: new Map() });
  if (name === "bare") for (const k of Object.keys(modules)) delete modules[k];
  if (name === "bare" || name === "host") modules["main.js"] = { js: (name === "host" ? "import './host.js';\\n" : "") + PING };
  if (name === "host") delete modules["prelude.js"];
  const code = { compatibilityDate: "2026-10-20", compatibilityFlags: ["no_nodejs_compat", "no_nodejs_compat_v2"], mainModule: "main.js", modules, env: {}, globalOutbound: null };
  const answer = await env.LOADER.get("layer-" + name + "-" + i + "-" + runs++, () => code).getEntrypoint("ScriptRunner").ping();
  if (answer !== "ready") throw new Error(answer);
}
export default {
  async fetch(request, env) {
    const { backend, n, fresh, source, context, layerName, planned } = await request.json();
    if (layerName) {
      for (let i = 0; i < n; i++) await layer(env, layerName, i);
      return Response.json({ ok: true });
    }
    // fresh: n hosts (runs) with one script each; otherwise n scripts on the backend's warm host, in
    // a slice of its own (a slice's V8 sessions belong to the request that opened them).
    warm[backend]?.beginSlice();
    for (let i = 0; i < n; i++) {
      const host = fresh ? make(backend, env, plan(source, planned)) : (warm[backend] ??= make(backend, env));
      const out = await host.run({ source, location: "request:bench", context, timeoutMs: 5000 }, caps);
      if (fresh) host.dispose();
      if (out.error || out.assertions.some((a) => !a.passed)) return Response.json({ error: out }, { status: 500 });
    }
    return Response.json({ ok: true });
  },
};`;

const context = benchContext();
const planned = Number(process.env.PLANNED ?? 0);

async function main(): Promise<void> {
  await withLoaderWorker({ name: "v8-scripts", source: WORKER }, async (mf, pid) => {
    const call = async (backend: string, n: number, fresh: boolean) => {
      const cpu0 = cpuMs(pid);
      const t0 = performance.now();
      const res = await mf.dispatchFetch("http://bench/", {
        method: "POST",
        body: JSON.stringify({
          backend,
          n,
          fresh,
          source: kind === "empty" ? EMPTY : TYPICAL,
          context,
          planned: fresh ? planned : 0,
        }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${backend}: ${text.slice(0, 500)}`);
      return { wall: (performance.now() - t0) / n, cpu: (cpuMs(pid) - cpu0) / n };
    };
    if (kind === "layers") {
      for (const layerName of ["bare", "host", "prelude", "chai"]) {
        const cpu0 = cpuMs(pid);
        const res = await mf.dispatchFetch("http://bench/", {
          method: "POST",
          body: JSON.stringify({ layerName, n: starts }),
        });
        if (!res.ok) throw new Error(`${layerName}: ${(await res.text()).slice(0, 500)}`);
        const cpu = (cpuMs(pid) - cpu0) / starts;
        console.log(
          `v8 start, ${layerName.padEnd(7)}: workerd CPU ${cpu.toFixed(2)} ms per worker (${starts})`,
        );
      }
      return;
    }
    for (const backend of backends) {
      await call(backend, 2, true); // warm-up
      const first = await call(backend, starts, true);
      await call(backend, perBatch, false); // warm-up
      const rows: Array<{ wall: number; cpu: number }> = [];
      for (let b = 0; b < batches; b++) rows.push(await call(backend, perBatch, false));
      const cpu = rows.reduce((s, r) => s + r.cpu, 0) / rows.length;
      console.log(
        `${backend.padEnd(7)} ${kind} script: median wall ${median(rows.map((r) => r.wall)).toFixed(3)} ms, ` +
          `workerd CPU ${cpu.toFixed(3)} ms per script (${batches}×${perBatch}); ` +
          `first script of a run: wall ${first.wall.toFixed(1)} ms, CPU ${first.cpu.toFixed(2)} ms (${starts} runs` +
          `${planned > 1 ? `, ${planned} scripts planned` : ""})`,
      );
    }
  });
}

await main();
