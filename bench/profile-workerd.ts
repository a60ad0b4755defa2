/**
 * CPU profile of workerd while the local stack serves the concurrent case (50 runs × 40 scripted
 * requests): where a request's time goes inside the Worker and its Durable Objects. Writes a
 * `.cpuprofile` (open it in Chrome DevTools) and prints the top functions by self time.
 *
 *   node --import tsx bench/profile-workerd.ts [runs] [requests]
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
}
interface Profile {
  nodes: ProfileNode[];
}

const runs = Number(process.argv[2] ?? 50);
const requests = Number(process.argv[3] ?? 40);
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
  const result = await concurrentCase(stack, { url: echo.url, runs, requests });
  const { profile } = (await send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  const file = join(dir, "workerd.cpuprofile");
  writeFileSync(file, JSON.stringify(profile));
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  console.log(JSON.stringify(result));
  console.log(`profile: ${file} (${total} samples)`);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
} finally {
  await stack.stop();
  await echo.close();
}
