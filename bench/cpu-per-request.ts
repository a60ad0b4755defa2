/**
 * workerd CPU time per request: the one number that decides throughput on this machine, because local
 * workerd runs every isolate (the Worker, its Durable Objects and the V8 script isolates) on one
 * thread. Wall-clock figures move with the machine's load; CPU time read from `/proc/<pid>/stat` moves
 * far less, so A/B comparisons on a shared machine use this.
 *
 * The stack is the CLI's (the cached Worker bundle on a bare workerd, `cli/workerd.ts`), not
 * Miniflare's: no entry or outbound proxy workers in the way.
 *
 *   npm run bench:cpu -- [--runs 50] [--requests 40] [--repeats 2]
 *        [--backend quickjs|v8] [--unscripted]
 *
 * `--runs 100 --requests 1` shows what a run costs (admission, Durable Object, script host start,
 * SSE, finish); `--runs 10 --requests 200` the steady per-request path.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { workerBundle } from "../cli/worker-bundle";
import { startWorkerd } from "../cli/workerd";
import { startEchoServer } from "../test/echo-server";
import { concurrentCase } from "./cases/stack";
import type { Stack } from "./lib/stack";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "50" },
    requests: { type: "string", default: "40" },
    repeats: { type: "string", default: "2" },
    backend: { type: "string", default: process.env.SCRIPT_BACKEND ?? "quickjs" },
    unscripted: { type: "boolean", default: false },
  },
});

const KEY = "bench-cpu-key";
const toml = readFileSync("wrangler.toml", "utf8");
const durableObjects = [
  ...toml.matchAll(/\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/g),
].map((m) => ({ binding: m[1]!, className: m[2]! }));
const runtime = await startWorkerd({
  script: await workerBundle(),
  compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!,
  compatibilityFlags: ["nodejs_compat"],
  durableObjects,
  vars: {
    DEV_API_KEY: KEY,
    TARGET_POLICY: "any",
    ENVIRONMENT: "development",
    MAX_ACTIVE_RUNS: "200",
    MAX_RUNS_PER_HOUR: "1000000",
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    SCRIPT_BACKEND: values.backend,
    // A/B of the group commit's interval: `CHECKPOINT_INTERVAL_MS=25 npm run bench:cpu --`.
    ...(process.env.CHECKPOINT_INTERVAL_MS
      ? { CHECKPOINT_INTERVAL_MS: process.env.CHECKPOINT_INTERVAL_MS }
      : {}),
    ...(process.env.COMMIT_GROUP_STEPS ? { COMMIT_GROUP_STEPS: process.env.COMMIT_GROUP_STEPS } : {}),
    // What a slice's hand-over costs: `SLICE_REQUESTS=10 npm run bench:cpu --` (the CLI's runtime: 200).
    ...(process.env.SLICE_REQUESTS ? { SLICE_REQUESTS: process.env.SLICE_REQUESTS } : {}),
    // What log lines cost: `LOG_LEVEL=warn npm run bench:cpu --` (the CLI's runtime logs at warn).
    ...(process.env.LOG_LEVEL ? { LOG_LEVEL: process.env.LOG_LEVEL } : {}),
  },
});
const echo = await startEchoServer();
const stack: Stack = {
  baseUrl: runtime.origin,
  workerdPid: runtime.pid,
  stop: () => runtime.stop(),
  api: (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${KEY}`);
    if (init.body) headers.set("content-type", "application/json");
    return fetch(`${runtime.origin}${path}`, { ...init, headers });
  },
};

/** utime + stime of workerd in ms (clock ticks are 10 ms on Linux). */
function workerdCpuMs(): number {
  const fields = readFileSync(`/proc/${runtime.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** workerd's resident memory in MiB, after a wave. */
function workerdRssMiB(): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${runtime.pid}/status`, "utf8"))?.[1];
  return Math.round(Number(kb ?? 0) / 1024);
}

try {
  const runs = Number(values.runs);
  const requests = Number(values.requests);
  console.log(
    `backend ${values.backend}, ${runs} runs × ${requests} ${values.unscripted ? "unscripted" : "scripted"} requests`,
  );
  for (let i = 0; i < Number(values.repeats); i++) {
    const before = workerdCpuMs();
    const r = await concurrentCase(stack, { url: echo.url, runs, requests, scripted: !values.unscripted });
    const cpu = workerdCpuMs() - before;
    console.log(
      JSON.stringify({
        workerdCpuMsPerRequest: Math.round((cpu / r.requests) * 1000) / 1000,
        workerdCpuMsPerRun: Math.round((cpu / runs) * 10) / 10,
        // What the runs left behind (finished runs' isolates, objects): a later wave's cost may follow it.
        workerdRssMiB: workerdRssMiB(),
        requestsPerSecond: r.requestsPerSecond,
        requestMs: r.requestMs,
        sseDeliveryMs: r.sseDeliveryMs,
        liveDeliveryMs: r.liveDeliveryMs,
        errors: r.errors,
        ...(r.errors ? { errorSamples: r.errorSamples } : {}),
      }),
    );
  }
} finally {
  await runtime.stop();
  await echo.close();
}
