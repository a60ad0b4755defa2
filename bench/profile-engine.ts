/**
 * The scripted request path in one Node process, for `--cpu-prof` (issue 16): `runLocal` over the
 * benchmark collection (typical test script in QuickJS) against the local echo target, after a short
 * warm-up, so a profile shows the engine, masking and sandbox per request rather than start-up.
 *
 *   ./node_modules/.bin/node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-engine.ts 1500
 *   BENCH_CHECKPOINT=1 … (the same through runLocal's checkpoint mode: state via JSON every step)
 *   BENCH_UNSCRIPTED=1 … (no scripts: the engine's own per-request path, without the sandbox)
 */
import releaseVariant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { buildPlan } from "../shared/engine/plan";
import { runLocal } from "../shared/engine/run-local";
import { QuickJSScriptHost, setQuickJSLoader } from "../shared/sandbox/quickjs-host";
import type { Collection } from "../shared/schemas/collection";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";

setQuickJSLoader(() => newQuickJSWASMModuleFromVariant(releaseVariant));

const requests = Number(process.argv[2] ?? 1500);
const scripted = process.env.BENCH_UNSCRIPTED !== "1";
const echo = await startEchoServer();
const planOf = (count: number) =>
  buildPlan(
    {
      collection: benchCollection(count, { scripted }) as unknown as Collection,
      environment: { values: [{ key: "base", value: echo.url }] },
      options: {},
    },
    "run_profile",
  );
const deps = {
  fetch: (r: Request) => fetch(r),
  checkTarget: () => null,
  scripts: scripted ? new QuickJSScriptHost() : undefined,
  now: () => Date.now(),
  random: Math.random,
};
try {
  await runLocal(planOf(100), deps, { collect: false });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await runLocal(planOf(requests), deps, {
    collect: false,
    checkpoint: process.env.BENCH_CHECKPOINT === "1",
  });
  const cpu = process.cpuUsage(cpu0);
  // CPU time is the steadier figure on a shared machine: wall time includes waiting for the cores.
  const perRequest = (ms: number) => (ms / requests).toFixed(3);
  console.log(
    `${requests} ${scripted ? "scripted" : "unscripted"} requests: ${perRequest(performance.now() - t0)} ms/request wall, ${perRequest((cpu.user + cpu.system) / 1000)} ms CPU (this process, echo target included)`,
  );
} finally {
  await echo.close();
}
