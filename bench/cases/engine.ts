/**
 * Request-path cost in one Node process against the local echo target: a raw `fetch` loop, the
 * engine without scripts (`runLocal`), and the engine running the typical test script per request in
 * the QuickJS sandbox the Worker uses. The differences are the engine's and the sandbox's cost.
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { buildPlan } from "../../shared/engine/plan";
import { runLocal } from "../../shared/engine/run-local";
import { Runner } from "../../shared/engine/runner";
import { QuickJSScriptHost, setQuickJSLoader } from "../../shared/sandbox/quickjs-host";
import type { Collection } from "../../shared/schemas/collection";
import { benchCollection } from "../lib/collections";
import { round } from "../lib/proc";

// Same loader as shared/sandbox/quickjs-module.node.ts (tsx cannot resolve a `.node`-suffixed module name).
setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(releaseVariant));

export interface EngineResult {
  requests: number;
  rawMsPerRequest: number;
  engineMsPerRequest: number;
  scriptedMsPerRequest: number;
  /** What the RunCoordinator's checkpoint serialises after every request: the engine state as JSON. */
  checkpoint: { bytes: number; stringifyMs: number };
  engineOverheadMs: number;
  scriptMs: number;
  heapMiB: { before: number; after: number };
}

function planOf(url: string, count: number, scripted: boolean) {
  return buildPlan(
    {
      collection: benchCollection(count, { scripted }) as unknown as Collection,
      environment: { values: [{ key: "base", value: url }] },
      options: {},
    },
    "run_bench",
  );
}

const deps = (scripts: QuickJSScriptHost | undefined) => ({
  fetch: (r: Request) => fetch(r),
  checkTarget: () => null,
  scripts,
  now: () => Date.now(),
  random: Math.random,
});

async function engineRun(
  url: string,
  count: number,
  scripts: QuickJSScriptHost | undefined,
): Promise<number> {
  const plan = planOf(url, count, Boolean(scripts));
  const t0 = performance.now();
  await runLocal(plan, deps(scripts), { collect: false });
  return performance.now() - t0;
}

/** Steps a scripted run by hand and times `JSON.stringify(state)` after each request, as saveState does. */
async function checkpointCost(
  url: string,
  count: number,
  scripts: QuickJSScriptHost,
): Promise<EngineResult["checkpoint"]> {
  const runner = new Runner(planOf(url, count, true), deps(scripts));
  let state = runner.start("local").state;
  let bytes = 0;
  let ms = 0;
  let steps = 0;
  for (;;) {
    const step = await runner.step(state);
    state = step.state;
    const t0 = performance.now();
    bytes += JSON.stringify(state).length;
    ms += performance.now() - t0;
    steps++;
    if (step.done || step.aborted) break;
  }
  return { bytes: Math.round(bytes / steps), stringifyMs: round(ms / steps, 4) };
}

/** Runs the three loops (after a warm-up of each) and returns per-request times in ms. */
export async function engineCase(opts: { url: string; requests: number }): Promise<EngineResult> {
  const { url, requests: n } = opts;
  const host = new QuickJSScriptHost({});
  for (let i = 0; i < 200; i++) await (await fetch(`${url}/get?w=${i}`)).text();
  await engineRun(url, 100, undefined);
  await engineRun(url, 50, host);
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed / 1048576;

  const t0 = performance.now();
  for (let i = 0; i < n; i++) await (await fetch(`${url}/get?i=${i}`)).text();
  const raw = (performance.now() - t0) / n;
  const engine = (await engineRun(url, n, undefined)) / n;
  const scripted = (await engineRun(url, n, host)) / n;
  const checkpoint = await checkpointCost(url, Math.min(n, 500), host);
  host.dispose();
  globalThis.gc?.();
  return {
    requests: n,
    rawMsPerRequest: round(raw, 3),
    engineMsPerRequest: round(engine, 3),
    scriptedMsPerRequest: round(scripted, 3),
    checkpoint,
    engineOverheadMs: round(engine - raw, 3),
    scriptMs: round(scripted - engine, 3),
    heapMiB: { before: round(before), after: round(process.memoryUsage().heapUsed / 1048576) },
  };
}
