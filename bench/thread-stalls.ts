/**
 * What holds workerd's one thread while 50 runs × 40 scripted requests stream their events: a CPU
 * profile of the concurrent case cut into stretches of consecutive JavaScript samples (one stretch ≈ one
 * synchronous task: nothing else, no other object's event, runs on the thread meanwhile), the longest
 * stretches and what they were doing, and how many of the thread's milliseconds sat in stretches of each
 * length. Late SSE events wait behind long stretches, so this is the tail's cause.
 *
 *   [SCRIPT_BACKEND=v8] node --import tsx bench/thread-stalls.ts [runs] [requests]
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEchoServer } from "../test/echo-server";
import { concurrentCase } from "./cases/stack";
import { connectInspector } from "./lib/inspector";
import { startStack } from "./lib/stack";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const runs = Number(process.argv[2] ?? 50);
const requests = Number(process.argv[3] ?? 40);
/** Samples outside JavaScript: the thread is idle or in workerd's own C++ (I/O, SQLite, streams). */
const OUTSIDE = new Set(["(idle)", "(program)", "(root)"]);
/** Frames that name what a stretch was doing (the first one found from the top of a stack wins). */
const MARKERS: Array<[string, RegExp]> = [
  ["prelude eval", /^#ensure$/],
  ["library (chai…) load", /^(loadLibrary|library|requireLibrary)$/],
  ["script call", /^#execute$/],
  ["runtime dispose", /^dispose$/],
  ["commit", /^#commit$/],
  ["engine step", /^(step|executeItem)$/],
  ["sse", /^(broadcast|write|enqueue)$/],
];

const port = 9300 + Math.floor(Math.random() * 500);
const dir = mkdtempSync(join(tmpdir(), "edgerun-stalls-"));
const echo = await startEchoServer();
const stack = await startStack(join(dir, "state"), join(dir, "wrangler.log"), { inspectorPort: port });
try {
  const inspector = await connectInspector(port);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const t0 = Date.now();
  const events: Array<{ at: number; delay: number; seq: number; type: string }> = [];
  const result = await concurrentCase(stack, {
    url: echo.url,
    runs,
    requests,
    onEvent: (e) =>
      events.push({ at: e.created - t0, delay: e.received - e.created, seq: e.seq, type: e.type }),
  });
  const { profile } = (await inspector.send("Profiler.stop")) as { profile: Profile };
  inspector.close();
  console.log(JSON.stringify(result));
  timeline(events);
  report(profile);
} finally {
  await stack.stop();
  await echo.close();
}

/** Event delays by when the event was created (500 ms buckets from the first submission). */
function timeline(events: Array<{ at: number; delay: number; seq: number; type: string }>): void {
  const pct = (a: number[], p: number) => {
    const sorted = [...a].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  };
  const all = events.map((e) => e.delay);
  const p99 = pct(all, 99);
  console.log(`events ${events.length}, delay p50 ${pct(all, 50)} p99 ${p99} ms; created at (ms) → delays:`);
  for (let from = 0; events.some((e) => e.at >= from); from += 500) {
    const inBucket = events.filter((e) => e.at >= from && e.at < from + 500).map((e) => e.delay);
    if (inBucket.length === 0) continue;
    const late = inBucket.filter((d) => d >= p99).length;
    console.log(
      `  ${String(from).padStart(6)}: n ${String(inBucket.length).padStart(4)}, p50 ${pct(inBucket, 50)}, p99 ${pct(inBucket, 99)}, max ${Math.max(...inBucket)}, ≥ p99: ${late}`,
    );
  }
  const late = events.filter((e) => e.delay >= p99);
  const firstFive = late.filter((e) => e.seq <= 5).length;
  const worst = [...events].sort((a, b) => b.delay - a.delay).slice(0, 8);
  console.log(`worst: ${worst.map((e) => `${e.type}#${e.seq} at ${e.at} +${e.delay}`).join("; ")}`);
  const types = new Map<string, number>();
  for (const e of late) types.set(e.type, (types.get(e.type) ?? 0) + 1);
  console.log(
    `events ≥ p99: ${late.length}, of them a run's first five events: ${firstFive} (${[...types].map(([k, v]) => `${k} ${v}`).join(", ")})`,
  );
}

interface Stretch {
  startUs: number;
  us: number;
  what: Map<string, number>;
  /** The task's entry: the frames just above the root of its first sample. */
  entry: string;
}

function report(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const labelCache = new Map<number, string>();
  const labelOf = (id: number): string => {
    const cached = labelCache.get(id);
    if (cached !== undefined) return cached;
    let label = "other JS";
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const name = byId.get(a)!.callFrame.functionName;
      const hit = MARKERS.find(([, re]) => re.test(name));
      if (hit) {
        label = hit[0];
        break;
      }
    }
    labelCache.set(id, label);
    return label;
  };
  const stretches: Stretch[] = [];
  let current: Stretch | undefined;
  let t = 0;
  let jsUs = 0;
  let previous = -1;
  /** Two samples belong to one synchronous task if their stacks share the frame just above the root. */
  const bottomOf = (id: number): number => {
    let a = id;
    for (let up = parent.get(a); up !== undefined && parent.get(up) !== undefined; up = parent.get(up))
      a = up;
    return a;
  };
  const entryOf = (id: number): string => {
    const chain: string[] = [];
    for (let a: number | undefined = id; a !== undefined; a = parent.get(a)) {
      const f = byId.get(a)!.callFrame;
      chain.unshift(f.functionName || "(anonymous)");
    }
    return chain.slice(1, 6).join(" > ");
  };
  const sharesTask = (a: number, b: number) => a >= 0 && bottomOf(a) === bottomOf(b);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample is this sample's
    t += profile.timeDeltas[i] ?? 0;
    const node = byId.get(profile.samples[i]!)!;
    if (OUTSIDE.has(node.callFrame.functionName)) {
      current = undefined;
      continue;
    }
    jsUs += dt;
    if (current && !sharesTask(previous, node.id)) current = undefined;
    previous = node.id;
    current ??=
      stretches[stretches.push({ startUs: t, us: 0, what: new Map(), entry: entryOf(node.id) }) - 1]!;
    current.us += dt;
    const label = labelOf(node.id);
    current.what.set(label, (current.what.get(label) ?? 0) + dt);
  }
  const totalUs = t;
  if (process.env.STALLS_WINDOW) windowReport(profile, parent, byId, process.env.STALLS_WINDOW);
  console.log(
    `profile ${(totalUs / 1000).toFixed(0)} ms, JS ${(jsUs / 1000).toFixed(0)} ms in ${stretches.length} stretches`,
  );
  const bounds = [1, 2, 5, 10, 20, 50, Number.POSITIVE_INFINITY];
  let lower = 0;
  for (const upper of bounds) {
    const inRange = stretches.filter((s) => s.us >= lower * 1000 && s.us < upper * 1000);
    const ms = inRange.reduce((sum, s) => sum + s.us, 0) / 1000;
    console.log(
      `stretches ${lower}–${upper} ms: ${String(inRange.length).padStart(6)}, ${ms.toFixed(0).padStart(6)} ms of JS`,
    );
    lower = upper;
  }
  const totals = new Map<string, number>();
  for (const s of stretches.filter((x) => x.us >= 5000))
    for (const [k, v] of s.what) totals.set(k, (totals.get(k) ?? 0) + v);
  console.log("in stretches ≥ 5 ms, by what:");
  for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(24)} ${(v / 1000).toFixed(1)} ms`);
  console.log("longest 15:");
  for (const s of [...stretches].sort((a, b) => b.us - a.us).slice(0, 15)) {
    const parts = [...s.what].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`);
    console.log(
      `  at ${(s.startUs / 1000).toFixed(0).padStart(6)} ms: ${(s.us / 1000).toFixed(1)} ms (${parts.join(", ")}) ${s.entry}`,
    );
  }
}

/** Inclusive time per function for the samples between two profile times (`STALLS_WINDOW=300-700`, ms). */
function windowReport(
  profile: Profile,
  parent: Map<number, number>,
  byId: Map<number, ProfileNode>,
  window: string,
): void {
  const [from, to] = window.split("-").map((x) => Number(x) * 1000) as [number, number];
  const inclusive = new Map<string, number>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t >= to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    total += dt;
    const seen = new Set<string>();
    for (let a: number | undefined = profile.samples[i]; a !== undefined; a = parent.get(a)) {
      const f = byId.get(a)!.callFrame;
      seen.add(`${f.functionName || "(anonymous)"}:${f.lineNumber}`);
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
  console.log(`window ${window} ms: ${(total / 1000).toFixed(0)} ms sampled; inclusive:`);
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 45))
    console.log(`  ${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`);
}
