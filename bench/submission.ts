/**
 * What `POST /v1/runs` costs before the run's Durable Object sees it, stage by stage, in Node: the same
 * functions the Worker calls (Hono's first match, `readJsonBody`, the collection limits, zod, `buildPlan`,
 * the plan's JSON for the object and its parse there) on the bench collection. A fresh isolate pays
 * every stage cold (the CLI's single submission); a warm one is what 50 concurrent submissions cost.
 *
 *   node --import tsx bench/submission.ts [--requests 40,5000] [--fresh 7] [--warm 30]
 *
 * `--fresh N` runs N child processes (one submission each, cold); `--warm N` submits N more times in
 * this process after 3 unmeasured ones. Each line: median ms per stage. A/B: run it in two worktrees.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchCollection } from "./lib/collections";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "40,5000" },
    fresh: { type: "string", default: "7" },
    warm: { type: "string", default: "30" },
    child: { type: "string" },
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

if (values.child) {
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
