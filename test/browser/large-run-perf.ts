/**
 * Measurement, not a test (no timing assertions belong in tests): streams a 5,000-request run into the
 * run page on the real stack and prints every main-thread long task (> 50 ms) Chromium reports.
 *
 *   npx tsx test/browser/large-run-perf.ts          (every assertion passes)
 *   FAIL=1 npx tsx test/browser/large-run-perf.ts   (every assertion fails: 5,000 failures at the end)
 *   TRACE=1 …                                       (also a Performance trace: what each long task did)
 */
import { writeFile } from "node:fs/promises";
import { startEchoServer } from "../echo-server";
import { API_KEY, startStack } from "./stack";

const ITERATIONS = 1000;
const ITEMS = 5;
const FAIL = process.env.FAIL === "1";
const TRACE = process.env.TRACE === "1";
const DONE = FAIL ? `${ITERATIONS * ITEMS} failed` : `${ITERATIONS * ITEMS} passed`;

/**
 * Whether the summary shows the run's end. Checked once a second with one cheap query: Playwright's
 * role locators walk the whole DOM on every poll and would show up as long tasks themselves.
 */
const DONE_IN_PAGE = `document.querySelector('section[aria-label="Summary"]')?.textContent.includes(${JSON.stringify(DONE)})`;

/** Collects every long task (> 50 ms on the main thread) into `window.longTasks`. */
const OBSERVE_LONG_TASKS = `(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: "longtask", buffered: false });
})()`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The 12 functions with the most self time (ms) in a CDP CPU profile. */
function topFunctions(profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    const key = `${f?.functionName || "(anonymous)"} ${f?.url.split("/").at(-1) ?? ""}:${f?.lineNumber ?? 0}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, ms]) => `${Math.round(ms)} ms ${k}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  args?: { name?: string };
}

/**
 * The renderer main thread's top-level trace events over 50 ms (`devtools.timeline` has no RunTask
 * events, so a task is an event no other one encloses), each with its slowest kinds of nested work.
 */
function longTaskBreakdown(trace: Buffer) {
  const { traceEvents } = JSON.parse(trace.toString("utf8")) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")?.tid;
  const complete = traceEvents
    .filter((e) => e.ph === "X" && e.tid === main && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks: TraceEvent[] = [];
  let end = -1;
  for (const e of complete) {
    if (e.ts < end) continue;
    tasks.push(e);
    end = e.ts + e.dur!;
  }
  return tasks
    .filter((task) => task.dur! > 50_000)
    .map((task) => {
      const kinds = new Map<string, number>();
      for (const e of complete) {
        if (e === task || e.ts < task.ts || e.ts + e.dur! > task.ts + task.dur!) continue;
        kinds.set(e.name, (kinds.get(e.name) ?? 0) + e.dur! / 1000);
      }
      const top = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 6);
      return `${Math.round(task.dur! / 1000)} ms ${task.name}: ${top.map(([k, ms]) => `${k} ${Math.round(ms)}`).join(", ")}`;
    });
}

const echo = await startEchoServer();
const stack = await startStack();
try {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.url}/`);
  await page.evaluate(`localStorage.setItem("edgerun.apiKey", ${JSON.stringify(API_KEY)})`);
  await page.reload();
  await page.evaluate(OBSERVE_LONG_TASKS);
  const body = {
    info: { name: "Five thousand" },
    item: Array.from({ length: ITEMS }, (_, i) => ({
      name: `Request ${i + 1}`,
      request: { method: "GET", url: `${echo.url}/get?i=${i + 1}` },
      event: [
        {
          listen: "test",
          script: { exec: [`pm.test("ok", () => pm.response.to.have.status(${FAIL ? 201 : 200}));`] },
        },
      ],
    })),
  };
  await page.getByLabel("Iterations", { exact: true }).fill(String(ITERATIONS));
  await page.getByLabel("Collection", { exact: true }).fill(JSON.stringify(body));
  // A CPU profile of the page's main thread while the run streams: self time per function.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 1000 });
  await cdp.send("Profiler.start");
  if (TRACE) await stack.browser.startTracing(page, { categories: ["devtools.timeline"] });
  const started = Date.now();
  await page.getByRole("button", { name: "Run in cloud" }).click();
  await page.waitForFunction(DONE_IN_PAGE, undefined, { polling: 1000, timeout: 600_000 });
  const wall = Date.now() - started;
  // Let the last frame and any idle work land before reading the observer.
  await page.waitForTimeout(1000);
  if (TRACE) {
    const trace = await stack.browser.stopTracing();
    await writeFile("/tmp/edgerun-large-run.trace.json", trace);
    console.log(JSON.stringify(longTaskBreakdown(trace)));
  }
  const { profile } = await cdp.send("Profiler.stop");
  console.log(JSON.stringify(topFunctions(profile)));
  const tasks = (await page.evaluate("window.longTasks")) as Array<{ start: number; ms: number }>;
  const worst = tasks.reduce((m, t) => Math.max(m, t.ms), 0);
  const total = tasks.reduce((s, t) => s + t.ms, 0);
  console.log(
    JSON.stringify({ requests: ITERATIONS * ITEMS, wallMs: wall, longTasks: tasks.length, worst, total }),
  );
  console.log(JSON.stringify(tasks));
  // The same run replayed from its stored events (`/runs/{id}`): one burst of 5,000 events.
  const link = await page.getByRole("link", { name: /^\/runs\/run_/ }).getAttribute("href");
  const replay = await context.newPage();
  await replay.addInitScript(OBSERVE_LONG_TASKS);
  const cdpReplay = await context.newCDPSession(replay);
  await cdpReplay.send("Profiler.enable");
  await cdpReplay.send("Profiler.setSamplingInterval", { interval: 1000 });
  await cdpReplay.send("Profiler.start");
  await replay.goto(`${stack.url}${link}`);
  await replay.waitForFunction(DONE_IN_PAGE, undefined, { polling: 1000, timeout: 120_000 });
  await replay.waitForTimeout(1000);
  console.log(JSON.stringify(topFunctions((await cdpReplay.send("Profiler.stop")).profile)));
  const rt = (await replay.evaluate("window.longTasks")) as Array<{ start: number; ms: number }>;
  console.log(
    JSON.stringify({ replay: true, longTasks: rt.length, worst: rt.reduce((m, t) => Math.max(m, t.ms), 0) }),
  );
  console.log(JSON.stringify(rt));
} finally {
  await stack.stop();
  await echo.close();
}
