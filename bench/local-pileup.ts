/**
 * Does a long-lived local stack survive thousands of finished runs? Many short runs through the CLI's
 * stack (the Worker bundle on a bare workerd, `cli/workerd.ts`), sampling workerd's open file
 * descriptors (`/proc/<pid>/fd`), its RSS and its CPU as they pile up, until the first failure (its
 * status, body and the runtime's error lines) or the end. `--minimal` runs the platform experiment
 * instead: a tiny SQLite Durable Object created N times and left idle, then fds/RSS sampled over time —
 * does workerd evict idle objects locally at all?
 *
 *   node --import tsx bench/local-pileup.ts [--runs 5000] [--concurrency 20] [--every 500] [--idle 30]
 *        [--requests 1] [--follow sse|poll|poll-then-sse|sse-close] [--nofile 2000] [--scripted]
 *   node --import tsx bench/local-pileup.ts --minimal [--runs 3000] [--every 500] [--pause 0] [--idle 90]
 *        [--case plain|alarm|timer|stream|live|interval|cleared|beat]
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startWorkerd, type Workerd } from "../cli/workerd";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";
import { readEvents, type Stack, submitRun } from "./lib/stack";
import { stackOf, startEdgerunWorkerd } from "./lib/workerd-stack";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "20" },
    every: { type: "string", default: "500" },
    idle: { type: "string", default: "30" },
    minimal: { type: "boolean", default: false },
    pause: { type: "string", default: "0" },
    case: { type: "string", default: "plain" },
    follow: { type: "string", default: "sse" },
    requests: { type: "string", default: "1" },
    nofile: { type: "string" },
    scripted: { type: "boolean", default: false },
  },
});
const KEY = "bench-pileup-key";

/** Open fds, RSS (MiB) and CPU (ms) of workerd, from /proc. */
function sample(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return {
    fds: readdirSync(`/proc/${pid}/fd`).length,
    rssMiB: Math.round(rssKiB / 102.4) / 10,
    cpuMs: (Number(stat[11]) + Number(stat[12])) * 10,
  };
}

const MINIMAL_WORKER = `
import { DurableObject } from "cloudflare:workers";
export class Target extends DurableObject {
  touch() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO t VALUES (1, 'x')");
  }
  async plain() { this.touch(); return { ok: 1 }; }
  async alarmed() { this.touch(); await this.ctx.storage.setAlarm(Date.now()); return 1; }
  async alarm() {
    if (this.live) {
      this.live.enqueue(new TextEncoder().encode("data: x\\n\\n"));
      this.live.close();
      clearInterval(this.beat);
      this.live = undefined;
    }
    await this.ctx.storage.setAlarm(Date.now() + 3600_000);
  }
  async timer() { this.touch(); this.ctx.waitUntil(new Promise((r) => setTimeout(r, 1000))); return 1; }
  async interval() { this.touch(); setInterval(() => {}, 15_000); return 1; }
  async cleared() { this.touch(); const t = setInterval(() => {}, 15_000); setTimeout(() => clearInterval(t), 50); return 1; }
  async fetch(request) {
    this.touch();
    if (new URL(request.url).pathname === "/beat") {
      const stream = new ReadableStream({ pull: (controller) => { this.live = controller; } });
      this.beat = setInterval(() => {}, 15_000);
      await this.ctx.storage.setAlarm(Date.now() + 50);
      return new Response(stream);
    }
    if (new URL(request.url).pathname === "/live") {
      let c;
      const stream = new ReadableStream({ pull: (controller) => { c = controller; } });
      setTimeout(() => { c.enqueue(new TextEncoder().encode("data: x\\n\\n")); c.close(); }, 50);
      return new Response(stream);
    }
    const { readable, writable } = new TransformStream();
    const w = writable.getWriter();
    w.write(new TextEncoder().encode("data: x\\n\\n")).then(() => w.close());
    return new Response(readable, { headers: { "content-type": "text/event-stream" } });
  }
}
const CASES = {
  plain: (s) => s.plain(),
  alarm: (s) => s.alarmed(),
  timer: (s) => s.timer(),
  stream: async (s) => (await s.fetch("http://do/events")).text(),
  live: async (s) => (await s.fetch("http://do/live")).text(),
  beat: async (s) => (await s.fetch("http://do/beat")).text(),
  interval: (s) => s.interval(),
  cleared: (s) => s.cleared(),
};
export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const n = Number(url.searchParams.get("n"));
    const one = CASES[url.searchParams.get("case")];
    for (let i = 0; i < n; i += 20)
      await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => one(env.TARGET.get(env.TARGET.newUniqueId()))));
    return new Response("done");
  },
};`;

async function idleSamples(runtime: Workerd, seconds: number): Promise<void> {
  for (let t = 10; t <= seconds; t += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    console.log(JSON.stringify({ idleS: t, ...sample(runtime.pid) }));
  }
}

/** The platform experiment: N idle SQLite objects, nothing of edgerun's holding them. */
async function minimal(runs: number, idle: number): Promise<void> {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "pileup-"));
  writeFileSync(join(dir, "index.js"), MINIMAL_WORKER);
  writeFileSync(join(dir, "quickjs.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  const runtime = await startWorkerd({
    script: join(dir, "index.js"),
    compatibilityDate: "2025-09-01",
    compatibilityFlags: [],
    durableObjects: [{ binding: "TARGET", className: "Target" }],
    vars: {},
  });
  try {
    console.log(JSON.stringify({ objects: 0, ...sample(runtime.pid) }));
    const step = Number(values.every);
    for (let done = 0; done < runs; done += step) {
      const res = await fetch(`${runtime.origin}/?case=${values.case}&n=${Math.min(step, runs - done)}`);
      const body = await res.text();
      if (!res.ok) {
        console.log(
          JSON.stringify({ failedAt: done, status: res.status, body, errors: runtime.recentErrors() }),
        );
        break;
      }
      console.log(JSON.stringify({ objects: done + step, ...sample(runtime.pid) }));
      await new Promise((resolve) => setTimeout(resolve, Number(values.pause)));
    }
    await idleSamples(runtime, idle);
  } finally {
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function edgerunStack(): Promise<Workerd> {
  return startEdgerunWorkerd({
    DEV_API_KEY: KEY,
    TARGET_POLICY: "any",
    ENVIRONMENT: "development",
    MAX_ACTIVE_RUNS: "200",
    MAX_RUNS_PER_HOUR: "10000000",
    API_RATE_LIMIT_PER_MINUTE: "10000000",
    LOG_LEVEL: "warn",
    ...(process.env.SCRIPT_BACKEND ? { SCRIPT_BACKEND: process.env.SCRIPT_BACKEND } : {}),
  });
}

/** Polls the run's status until it ends; returns the terminal status. */
async function pollStatus(stack: Stack, id: string): Promise<string> {
  for (;;) {
    const res = await stack.api(`/v1/runs/${id}`);
    if (!res.ok) throw new Error(`GET run: ${res.status} ${await res.text()}`);
    const { status } = (await res.json()) as { status: string };
    if (status !== "queued" && status !== "running") return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One short run (unscripted unless `--scripted`), submitted and followed (over SSE or by polling) to its end; throws what failed. */
async function oneRun(stack: Stack, url: string): Promise<void> {
  const id = await submitRun(stack, {
    collection: benchCollection(Number(values.requests), { scripted: values.scripted }),
    environment: { name: "bench", values: [{ key: "base", value: url }] },
  });
  let ended = "";
  if (values.follow === "poll") ended = `run.${await pollStatus(stack, id)}`;
  if (values.follow === "poll-then-sse") await pollStatus(stack, id);
  if (values.follow === "sse-close") {
    const { get } = await import("node:http");
    const text = await new Promise<string>((resolve, reject) => {
      const req = get(
        `${stack.baseUrl}/v1/runs/${id}/events`,
        { agent: false, headers: { authorization: `Bearer ${KEY}` } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            body += d;
          });
          res.on("end", () => resolve(body));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
    });
    ended = /event: (run\.(?:completed|failed|cancelled|timed_out))/.exec(text)?.[1] ?? "";
  } else if (values.follow !== "poll")
    await readEvents(stack, id, (m) => {
      const type = (JSON.parse(m.data) as { type: string }).type;
      if (type.startsWith("run.") && type !== "run.started") ended = type;
    });
  if (ended !== "run.completed") throw new Error(`run ${id} ended ${ended || "without a terminal event"}`);
}

async function pileup(runs: number, concurrency: number, idle: number): Promise<void> {
  const runtime = await edgerunStack();
  const echo = await startEchoServer();
  const stack = stackOf(runtime, KEY);

  // A lower fd limit for workerd alone (`prlimit`), to reach its first failure in seconds.
  if (values.nofile) execFileSync("prlimit", [`--nofile=${values.nofile}`, `--pid=${runtime.pid}`]);
  const every = Number(values.every);
  let started = 0;
  let done = 0;
  let failure: string | undefined;
  let last = { ...sample(runtime.pid), at: Date.now() };
  const base = last.fds;
  console.log(JSON.stringify({ runs: 0, ...last }));
  try {
    const worker = async () => {
      while (!failure && started < runs) {
        started++;
        try {
          await oneRun(stack, echo.url);
        } catch (error) {
          failure ??= `after ${done} runs: ${String(error).slice(0, 400)}`;
        }
        done++;
        if (done % every === 0) {
          const now = { ...sample(runtime.pid), at: Date.now() };
          const cpuMsPerRun = Math.round(((now.cpuMs - last.cpuMs) / every) * 10) / 10;
          const runsPerS = Math.round((every / (now.at - last.at)) * 1000);
          // Each SQLite object open holds 3 fds (db, -wal, -shm): how many run objects are alive.
          const openObjects = Math.round((now.fds - base) / 3);
          console.log(
            JSON.stringify({
              runs: done,
              fds: now.fds,
              openObjects,
              rssMiB: now.rssMiB,
              cpuMsPerRun,
              runsPerS,
            }),
          );
          last = now;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (failure) console.log(JSON.stringify({ failure, errors: runtime.recentErrors() }));
    else console.log(JSON.stringify({ completed: done, ...sample(runtime.pid) }));
    await idleSamples(runtime, idle);
  } finally {
    await runtime.stop();
    await echo.close();
  }
}

if (values.minimal) await minimal(Number(values.runs), Number(values.idle));
else await pileup(Number(values.runs), Number(values.concurrency), Number(values.idle));
