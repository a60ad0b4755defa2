/**
 * CPU profile of workerd while the local stack serves the concurrent case (50 runs × 40 scripted
 * requests): where a request's time goes inside the Worker and its Durable Objects. Writes a
 * `.cpuprofile` (open it in Chrome DevTools) and prints the top functions by self time.
 *
 *   node --import tsx bench/profile-workerd.ts [runs] [requests] [unscripted]
 *
 * `unscripted` (or BENCH_UNSCRIPTED=1) runs the collection without scripts: the steady path that is the
 * engine's and the Durable Object's alone. Besides self time it prints inclusive time (a function and
 * everything it called, each stack counted once) for the functions that take most of it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEchoServer } from "../test/echo-server";
import { concurrentCase } from "./cases/stack";
import { connectInspector } from "./lib/inspector";
import { startStack } from "./lib/stack";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
}

const runs = Number(process.argv[2] ?? 50);
const requests = Number(process.argv[3] ?? 40);
const scripted = process.argv[4] !== "unscripted" && process.env.BENCH_UNSCRIPTED !== "1";
const port = 9300 + Math.floor(Math.random() * 500);
const dir = mkdtempSync(join(tmpdir(), "edgerun-prof-"));
const echo = await startEchoServer();
const stack = await startStack(join(dir, "state"), join(dir, "wrangler.log"), { inspectorPort: port });
try {
  const inspector = await connectInspector(port);
  const send = inspector.send;
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  const result = await concurrentCase(stack, { url: echo.url, runs, requests, scripted });
  const { profile } = (await send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  const file = join(dir, "workerd.cpuprofile");
  writeFileSync(file, JSON.stringify(profile));
  const { self, inclusive, total } = tally(profile);
  console.log(JSON.stringify(result));
  console.log(`profile: ${file} (${total} samples)`);
  const top = (m: Map<string, number>, n: number) => {
    for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  console.log("self time:");
  top(self, 40);
  console.log("inclusive time:");
  top(inclusive, 60);
} finally {
  await stack.stop();
  await echo.close();
}

/** Self and inclusive hits per function (inclusive: each sampled stack counts a function once). */
function tally(profile: Profile): {
  self: Map<string, number>;
  inclusive: Map<string, number>;
  total: number;
} {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const keyOf = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    total += hits;
    self.set(keyOf(n), (self.get(keyOf(n)) ?? 0) + hits);
    const seen = new Set<string>();
    for (let a: ProfileNode | undefined = n; a; a = parent.get(a.id)) seen.add(keyOf(a));
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + hits);
  }
  return { self, inclusive, total };
}
