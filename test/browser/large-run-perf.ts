/**
 * Measurement, not a test (no timing assertions belong in tests): streams a 5,000-request run into the
 * run page on the real stack and prints every main-thread long task (> 50 ms) Chromium reports.
 *
 *   npx tsx test/browser/large-run-perf.ts          (every assertion passes)
 *   FAIL=1 npx tsx test/browser/large-run-perf.ts   (every assertion fails: 5,000 failures at the end)
 */
import { startEchoServer } from "../echo-server";
import { API_KEY, startStack } from "./stack";

const ITERATIONS = 1000;
const ITEMS = 5;
const FAIL = process.env.FAIL === "1";
const DONE = FAIL ? `${ITERATIONS * ITEMS} failed` : `${ITERATIONS * ITEMS} passed`;

/** Collects every long task (> 50 ms on the main thread) into `window.longTasks`. */
const OBSERVE_LONG_TASKS = `(() => {
  window.longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.longTasks.push({ start: Math.round(e.startTime), ms: Math.round(e.duration) });
  }).observe({ type: "longtask", buffered: false });
})()`;

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
  const started = Date.now();
  await page.getByRole("button", { name: "Run in cloud" }).click();
  await page.getByRole("region", { name: "Summary" }).getByText(DONE).waitFor({ timeout: 600_000 });
  const wall = Date.now() - started;
  // Let the last frame and any idle work land before reading the observer.
  await page.waitForTimeout(1000);
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
  await replay.goto(`${stack.url}${link}`);
  replay.on("console", (m) => console.log("replay console:", m.type(), m.text()));
  for (let i = 0; i < 12; i++) {
    const ok = await replay
      .getByRole("region", { name: "Summary" })
      .getByText(DONE)
      .waitFor({ timeout: 10_000 })
      .then(
        () => true,
        () => false,
      );
    if (ok) break;
    console.log("replay waiting:", (await replay.locator("main").textContent())?.slice(0, 400));
    await replay.screenshot({ path: "/tmp/replay.png" });
  }
  await replay.waitForTimeout(1000);
  const rt = (await replay.evaluate("window.longTasks")) as Array<{ start: number; ms: number }>;
  console.log(
    JSON.stringify({ replay: true, longTasks: rt.length, worst: rt.reduce((m, t) => Math.max(m, t.ms), 0) }),
  );
  console.log(JSON.stringify(rt));
} finally {
  await stack.stop();
  await echo.close();
}
