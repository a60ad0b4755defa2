/**
 * Where SSE delivery latency goes under load: 50 runs × 40 scripted requests submitted at once, each
 * followed over SSE; latency (arrival − event `ts`) per event type, and when the slow ones arrive.
 *
 *   [SCRIPT_BACKEND=v8] node --import tsx bench/sse-latency.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEchoServer } from "../test/echo-server";
import { benchCollection } from "./lib/collections";
import { readEvents, startStack, submitRun } from "./lib/stack";

const dir = mkdtempSync(join(tmpdir(), "sse-probe-"));
const echo = await startEchoServer();
const stack = await startStack(join(dir, "s"), join(dir, "w.log"));
const rows: Array<{ type: string; lat: number; at: number; seq: number }> = [];
const t0 = Date.now();
await Promise.all(
  Array.from({ length: 50 }, async () => {
    const id = await submitRun(stack, {
      collection: benchCollection(40),
      environment: { name: "b", values: [{ key: "base", value: echo.url }] },
    });
    await readEvents(stack, id, (m, at) => {
      const e = JSON.parse(m.data);
      rows.push({ type: e.type, lat: at - Date.parse(e.ts), at: at - t0, seq: Number(m.id) });
    });
  }),
);
const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const by = new Map<string, number[]>();
for (const r of rows) by.set(r.type, [...(by.get(r.type) ?? []), r.lat]);
for (const [t, l] of by) console.log(t.padEnd(22), "n", l.length, "p50", pct(l, 50), "p99", pct(l, 99));
const slow = rows.filter((r) => r.lat > 200);
console.log(
  "slow >200ms:",
  slow.length,
  "of",
  rows.length,
  "first at",
  Math.min(...slow.map((r) => r.at)),
  "last at",
  Math.max(...slow.map((r) => r.at)),
  "wall",
  Date.now() - t0,
);
console.log(
  "slow seq hist",
  [1, 2, 3, 5, 10, 50].map((s) => slow.filter((r) => r.seq <= s).length),
);
await stack.stop();
await echo.close();
