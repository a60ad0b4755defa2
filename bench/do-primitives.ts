/**
 * What the platform calls on a run object's request path cost inside a SQLite Durable Object on the
 * CLI's bare workerd, with CPU time from `/proc` (a CDP profile overstates every call into the runtime
 * while the inspector is attached). Backs the per-call figures of bench/README.md round 7.
 *
 *   node --import tsx bench/do-primitives.ts [iterations]
 *
 * Each case runs `iterations` times in a loop inside one object; "turn" cases await a `setTimeout(0)`
 * after every iteration, so each iteration also pays an event-loop turn and, after a write, a commit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorkerd } from "../cli/workerd";

const WORKER = `
import { DurableObject } from "cloudflare:workers";
const HEADERS = [["User-Agent", "PostmanRuntime/7.43.0 edgerun/0.1"], ["Accept", "*/*"], ["Cache-Control", "no-cache"],
  ["Postman-Token", "b5f4d328-1cc2-4f84-bf78-3a18be15e3da"], ["Accept-Encoding", "gzip, deflate, br"]];
const EVENT = "\\u0001" + "e".repeat(740), STATE = "s".repeat(900), RECORD = "r".repeat(1400);
const TEXT = "x".repeat(1600), encoder = new TextEncoder();
export class P extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS run (id INTEGER PRIMARY KEY, data TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS state_chunks (owner TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (owner, idx))");
    sql.exec("INSERT OR REPLACE INTO state_chunks VALUES ('state', 0, 'x')");
    this.seq = sql.exec("SELECT MAX(seq) AS m FROM events").one().m ?? 0;
  }
  op(name, i) {
    const sql = this.ctx.storage.sql, storage = this.ctx.storage;
    const insert = () => sql.exec("INSERT INTO events (seq, type, data) VALUES (?, ?, ?)", ++this.seq, "request.completed", EVENT);
    const state = () => sql.exec("UPDATE state_chunks SET data = ? WHERE owner = 'state' AND idx = 0", STATE + i);
    const record = () => sql.exec("INSERT OR REPLACE INTO run (id, data) VALUES (1, ?)", RECORD + i);
    switch (name) {
      case "timer": clearTimeout(setTimeout(() => {}, 30000)); return;
      case "abort-link": { const parent = this.parent ??= new AbortController();
        const c = new AbortController(), l = () => c.abort(); parent.signal.addEventListener("abort", l, { once: true });
        parent.signal.removeEventListener("abort", l); return; }
      case "request-headers": { const h = new Headers(); for (const [k, v] of HEADERS) h.append(k, v);
        new Request("http://127.0.0.1:1/get?i=" + i, { headers: h, redirect: "manual" }); return; }
      case "request-pairs": new Request("http://127.0.0.1:1/get?i=" + i, { headers: HEADERS.map(([k, v]) => [k, v]), redirect: "manual" }); return;
      case "encode-1.6k": encoder.encode(TEXT); return;
      case "sql-insert-event": insert(); return;
      case "sql-update-state": state(); return;
      case "sql-replace-record": record(); return;
      case "transaction-empty": storage.transactionSync(() => {}); return;
      case "turn": case "turn+commit": if (name === "turn+commit") storage.transactionSync(() => { insert(); state(); record(); }); return;
    }
  }
  async fetch(request) {
    const { name, n } = await request.json();
    for (let i = 0; i < n; i++) {
      this.op(name, i);
      if (name.startsWith("turn")) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return new Response("ok");
  }
}
export default { fetch: (request, env) => env.P.get(env.P.idFromName(new URL(request.url).pathname)).fetch(request) };
`;

const CASES = [
  "timer",
  "abort-link",
  "request-headers",
  "request-pairs",
  "encode-1.6k",
  "sql-insert-event",
  "sql-update-state",
  "sql-replace-record",
  "transaction-empty",
  "turn",
  "turn+commit",
];
const iterations = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "edgerun-do-primitives-"));
writeFileSync(join(dir, "index.js"), WORKER);
// The runtime's config embeds quickjs.wasm beside the script: an empty module will do here.
writeFileSync(join(dir, "quickjs.wasm"), new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
const runtime = await startWorkerd({
  script: join(dir, "index.js"),
  compatibilityDate: "2026-10-20",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: [{ binding: "P", className: "P" }],
  vars: {},
});
const cpuMs = () => {
  const fields = readFileSync(`/proc/${runtime.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
try {
  for (const name of CASES) {
    const samples: number[] = [];
    for (let round = 0; round < 3; round++) {
      // Turns cost ≈ 100 µs each: fewer of them keep the case short.
      const n = name.startsWith("turn") ? Math.ceil(iterations / 4) : iterations;
      const before = cpuMs();
      await (
        await fetch(`${runtime.origin}/${name}`, { method: "POST", body: JSON.stringify({ name, n }) })
      ).text();
      samples.push(((cpuMs() - before) / n) * 1000);
    }
    console.log(`${name.padEnd(20)} ${samples.map((s) => s.toFixed(2)).join(" / ")} µs CPU per iteration`);
  }
} finally {
  await runtime.stop();
  rmSync(dir, { recursive: true, force: true });
}
