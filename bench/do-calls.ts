/**
 * What single Durable Object operations cost in local workerd, in CPU (from `/proc`, like
 * `cpu-per-request.ts`): a call to an existing object, the same with a new stub per call, a call with a
 * run summary as argument, a `fetch` through the stub, alarms, and a new object's first call with and
 * without its first SQLite tables. A tiny Worker of its own on a bare workerd (`cli/workerd.ts`), so
 * the numbers are the platform's, not edgerun's.
 *
 *   node --import tsx bench/do-calls.ts [case[:calls[:concurrency]] …]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkerd } from "../cli/workerd";

const WORKER = `
import { DurableObject } from "cloudflare:workers";
export class Target extends DurableObject {
  n = 0;
  async ping(x) { this.n++; return x; }
  async summary(s) { return { ...s, n: ++this.n }; }
  async tables(k) {
    for (let i = 0; i < k; i++) this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t" + i + " (k INTEGER PRIMARY KEY, v TEXT)");
    return k;
  }
  async write() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO t VALUES (1, 'x')");
    return 1;
  }
  async setAlarmLater() { await this.ctx.storage.setAlarm(Date.now() + 3600_000); return 1; }
  async alarmNow() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
    const fired = new Promise((resolve) => { this.fired = resolve; });
    await this.ctx.storage.setAlarm(Date.now());
    await fired;
    return 1;
  }
  async waitUntilNow() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)");
    const fired = new Promise((resolve) => { this.fired = resolve; });
    this.ctx.waitUntil(Promise.resolve().then(() => this.alarm()));
    await fired;
    return 1;
  }
  async alarm() { this.fired?.(); }
  async fetch() { return new Response("ok"); }
}
const SUMMARY = { id: "run_abcdefghijklmnopqrstuvwxyz012345", status: "completed", collection: { id: "c", name: "Collection" },
  createdAt: "2026-12-01T00:00:00.000Z", startedAt: "2026-12-01T00:00:00.000Z", finishedAt: "2026-12-01T00:00:01.000Z",
  region: { requested: "auto", actual: "local" }, monitorId: null, stats: { requests: { total: 1, failed: 0 } },
  timings: null, reason: null, lastEventId: 5, links: { self: "/v1/runs/x", events: "/v1/runs/x/events", report: "/v1/runs/x/report" } };
export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    const n = Number(url.searchParams.get("n"));
    const c = Number(url.searchParams.get("c"));
    const hot = env.TARGET.get(env.TARGET.idFromName("hot"));
    await hot.ping(0);
    const fresh = () => env.TARGET.get(env.TARGET.newUniqueId());
    const cases = {
      call: () => hot.ping(1),
      "call-new-stub": () => env.TARGET.get(env.TARGET.idFromName("hot")).ping(1),
      "call-summary": () => hot.summary(SUMMARY),
      "call-write": () => hot.write(),
      fetch: async () => (await hot.fetch("http://object/events")).text(),
      "set-alarm": () => hot.setAlarmLater(),
      "new-object-alarm": () => fresh().alarmNow(),
      "new-object-no-alarm": () => fresh().waitUntilNow(),
      "new-object": () => fresh().ping(1),
      "new-object-1-table": () => fresh().tables(1),
      "new-object-8-tables": () => fresh().tables(8),
    };
    const one = cases[url.pathname.slice(1)];
    if (!one) return new Response("unknown case", { status: 404 });
    for (let i = 0; i < n; i += c) await Promise.all(Array.from({ length: Math.min(c, n - i) }, one));
    return new Response("done");
  },
};
`;

const DEFAULTS = [
  "call:5000",
  "call-new-stub:5000",
  "call-summary:5000",
  "call-write:5000",
  "fetch:5000",
  "set-alarm:2000",
  "new-object-alarm:500",
  "new-object-no-alarm:500",
  "new-object:500",
  "new-object-1-table:500",
  "new-object-8-tables:500",
];

const dir = mkdtempSync(join(tmpdir(), "edgerun-do-calls-"));
writeFileSync(join(dir, "index.js"), WORKER);
writeFileSync(join(dir, "quickjs.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); // an empty module
const toml = readFileSync(join(import.meta.dirname, "../wrangler.toml"), "utf8");

/**
 * One case on a workerd of its own: every new object keeps its SQLite files open, so thousands of them
 * in one process make later cases dearer (and finally run out of file descriptors).
 */
async function measure(name: string, calls: number, concurrency: number): Promise<string[]> {
  const runtime = await startWorkerd({
    script: join(dir, "index.js"),
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)![1]!,
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: [{ binding: "TARGET", className: "Target" }],
    vars: {},
  });
  const cpuMs = () => {
    const f = readFileSync(`/proc/${runtime.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  const run = async (n: number) => {
    const res = await fetch(`${runtime.origin}/${name}?n=${n}&c=${concurrency}`);
    const text = await res.text();
    if (text !== "done") throw new Error(`${name}: ${res.status} ${text.slice(0, 200)}`);
  };
  try {
    await run(200); // warm-up
    const perCall: string[] = [];
    for (let r = 0; r < 3; r++) {
      const before = cpuMs();
      await run(calls);
      perCall.push(((1000 * (cpuMs() - before)) / calls).toFixed(0));
    }
    return perCall;
  } finally {
    await runtime.stop();
  }
}

try {
  for (const spec of process.argv.length > 2 ? process.argv.slice(2) : DEFAULTS) {
    const [name = "", calls = "2000", concurrency = "10"] = spec.split(":");
    const perCall = await measure(name, Number(calls), Number(concurrency));
    console.log(`${name.padEnd(20)} ${perCall.join(" / ").padStart(16)} µs of workerd CPU per call`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
