/**
 * What `POST /v1/runs` costs before the run's Durable Object sees it, stage by stage, in Node: the same
 * functions the Worker calls (Hono's first match, `readJsonBody`, the collection limits, zod, `buildPlan`,
 * the plan's JSON for the object and its parse there) on the bench collection. A fresh isolate pays
 * every stage cold (the CLI's single submission); a warm one is what 50 concurrent submissions cost.
 *
 *   node --import tsx bench/submission.ts [--requests 40,5000] [--fresh 7] [--warm 30]
 *   node --import tsx bench/submission.ts --workerd [--requests 40,5000] [--fresh 7] [--warm 30]
 *
 * `--fresh N` runs N child processes (one submission each, cold); `--warm N` submits N more times in
 * this process after 3 unmeasured ones. Each line: median ms per stage. A/B: run it in two worktrees.
 * `--workerd` sends the real `POST /v1/runs` to the CLI's bare workerd instead and reads workerd's CPU
 * from `/proc` (10 ms ticks): one run is kept active (its one request goes to a socket that never answers) and the workspace
 * admits one (`MAX_ACTIVE_RUNS=1`), so each measured submission
 * does everything up to admission (router, body, limits, zod, buildPlan, the Workspace call) and ends
 * 429 with no run executing meanwhile; the plan's JSON for the run's object is not in it. Fresh = a new
 * workerd per sample: its first request (`GET /healthz`: the isolate and the router) and then the
 * submission; warm = N submissions on one workerd, divided by N.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchCollection } from "./lib/collections";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40,5000" },
    fresh: { type: "string", default: "7" },
    warm: { type: "string", default: "30" },
    child: { type: "string" },
    workerd: { type: "boolean", default: false },
  },
});

type Times = Record<string, number>;

/** One submission through the pipeline; answers ms per stage. */
async function submitOnce(requests: number, first: boolean): Promise<Times> {
  const times: Times = {};
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    times[name] = now - t;
    t = now;
  };
  const { createApp } = await import("../workers/app");
  const { readJsonBody } = await import("../workers/openapi/body");
  const { checkCollectionLimits } = await import("../shared/engine/limits");
  const { CreateRunBodySchema } = await import("../shared/schemas/api");
  const { buildPlan } = await import("../shared/engine/plan");
  lap("import");
  if (first) {
    const app = createApp();
    await app.request("/healthz", {}, { LOG_LEVEL: "error" });
    lap("router (first request)");
  }
  const body = {
    collection: benchCollection(requests),
    environment: { name: "bench", values: [{ key: "base", value: "http://127.0.0.1:9" }] },
    options: {},
  };
  const text = JSON.stringify(body);
  t = performance.now();
  const req = new Request("http://x/v1/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
  });
  const raw = await readJsonBody(req);
  lap("readJsonBody");
  const limits = checkCollectionLimits((raw.value as { collection: unknown }).collection);
  if (limits.length) throw new Error(limits[0]!.message);
  lap("collection limits");
  const parsed = CreateRunBodySchema.safeParse(raw.value);
  if (!parsed.success) throw parsed.error;
  lap("zod");
  const plan = buildPlan(parsed.data, "run_bench0000000");
  lap("buildPlan");
  const planJson = JSON.stringify(plan);
  lap("plan stringify");
  JSON.parse(planJson);
  lap("plan parse (DO)");
  return times;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function summarise(label: string, samples: Times[]): void {
  const stages = Object.keys(samples[0]!).filter((s) => s !== "import");
  const cells = stages.map((s) => `${s} ${median(samples.map((x) => x[s]!)).toFixed(2)}`);
  const total = median(samples.map((x) => stages.reduce((sum, s) => sum + x[s]!, 0)));
  console.log(`${label}: ${cells.join(" | ")} | total ${total.toFixed(2)} ms`);
}

const submissionBody = (requests: number) =>
  JSON.stringify({
    collection: benchCollection(requests),
    environment: { name: "bench", values: [{ key: "base", value: "http://127.0.0.1:9" }] },
    options: {},
  });

/** The CLI's bare workerd with the bench's limits lifted (as bench/cpu-per-request.ts starts it). */
async function startRuntime() {
  const { workerBundle } = await import("../cli/worker-bundle");
  const { startWorkerd } = await import("../cli/workerd");
  const toml = readFileSync("wrangler.toml", "utf8");
  const bindings = /\[\[durable_objects\.bindings\]\]\s*name\s*=\s*"([^"]+)"\s*class_name\s*=\s*"([^"]+)"/g;
  return startWorkerd({
    script: await workerBundle(),
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: [...toml.matchAll(bindings)].map((m) => ({ binding: m[1]!, className: m[2]! })),
    vars: {
      DEV_API_KEY: "bench-key",
      TARGET_POLICY: "any",
      ENVIRONMENT: "development",
      MAX_ACTIVE_RUNS: "1",
      MAX_RUNS_PER_HOUR: "1000000",
      API_RATE_LIMIT_PER_MINUTE: "1000000",
      LOG_LEVEL: "warn",
    },
  });
}

type Runtime = Awaited<ReturnType<typeof startRuntime>>;

/** workerd's CPU (ms) for `count` requests to `path`, each answered `status`. */
async function workerdCpu(runtime: Runtime, req: { path: string; body?: string; status: number }, count = 1) {
  const cpu = () => {
    const fields = readFileSync(`/proc/${runtime.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const headers = { authorization: "Bearer bench-key", "content-type": "application/json" };
  const init = req.body ? { method: "POST", headers, body: req.body } : { headers };
  const before = cpu();
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${runtime.origin}${req.path}`, init);
    const text = await res.text();
    if (res.status !== req.status) throw new Error(`${req.path} answered ${res.status}: ${text}`);
  }
  return cpu() - before;
}

/** A TCP server that accepts and never answers: the run sent there stays active without using CPU. */
async function blackhole() {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const body = JSON.stringify({
    collection: { info: { name: "hangs" }, item: [{ name: "hangs", request: `http://127.0.0.1:${port}/` }] },
    options: {},
  });
  const close = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return { body, close };
}
let hanging = "";

/** A runtime whose one admitted run is active (and stays so), so that submissions end at admission. */
async function busyRuntime(): Promise<Runtime> {
  const runtime = await startRuntime();
  await workerdCpu(runtime, { path: "/v1/runs", body: hanging, status: 201 });
  await new Promise((resolve) => setTimeout(resolve, 300)); // its slice started and waits
  return runtime;
}

async function workerdBench(): Promise<void> {
  for (const n of values.requests.split(",").map(Number)) {
    const submission = { path: "/v1/runs", body: submissionBody(n), status: 429 };
    const first: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < Number(values.fresh); i++) {
      const runtime = await startRuntime();
      try {
        first.push(await workerdCpu(runtime, { path: "/healthz", status: 200 }));
        await workerdCpu(runtime, { path: "/v1/runs", body: hanging, status: 201 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        fresh.push(await workerdCpu(runtime, submission));
      } finally {
        await runtime.stop();
      }
    }
    const runtime = await busyRuntime();
    try {
      await workerdCpu(runtime, submission, 3);
      const warm = Number(values.warm);
      const total = await workerdCpu(runtime, submission, warm);
      console.log(
        `${n} requests, workerd CPU: first request ${median(first)} ms, then the submission ${median(fresh)} ms ` +
          `(medians of ${fresh.length}: ${first.join(" ")} / ${fresh.join(" ")}); warm ${(total / warm).toFixed(1)} ms (${warm})`,
      );
    } finally {
      await runtime.stop();
    }
  }
}

if (values.workerd) {
  const target = await blackhole();
  hanging = target.body;
  try {
    await workerdBench();
  } finally {
    target.close();
  }
} else if (values.child) {
  console.log(JSON.stringify(await submitOnce(Number(values.child), true)));
} else {
  const self = fileURLToPath(import.meta.url);
  for (const n of values.requests.split(",").map(Number)) {
    const fresh: Times[] = [];
    for (let i = 0; i < Number(values.fresh); i++) {
      const out = execFileSync(process.execPath, ["--import", "tsx", self, "--child", String(n)], {
        encoding: "utf8",
      });
      fresh.push(JSON.parse(out.trim().split("\n").pop()!) as Times);
    }
    summarise(`${n} requests, fresh process (median of ${fresh.length})`, fresh);
    for (let i = 0; i < 3; i++) await submitOnce(n, i === 0);
    const warm: Times[] = [];
    for (let i = 0; i < Number(values.warm); i++) warm.push(await submitOnce(n, false));
    summarise(`${n} requests, warm (median of ${warm.length})`, warm);
  }
}
