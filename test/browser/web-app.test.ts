/**
 * The web app end to end (issue 14): real Chromium against the real stack (wrangler dev serving the
 * built assets and the API) and the local echo target. Screenshots go to test-results/browser/.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  collection,
  open,
  recordErrors,
  rows,
  SHOTS,
  session,
  signIn,
  startRun,
  summary,
  useSession,
} from "./session";
import { API_KEY } from "./stack";

useSession();
const stack = () => session.stack;
const context = () => session.context;
const target = () => session.target;

/** Creates a paused monitor through the API, or null when this build has no monitors API yet. */
async function createMonitor(name: string): Promise<{ id: string } | null> {
  const created = await stack().api("/v1/monitors", {
    method: "POST",
    body: JSON.stringify({
      name,
      collection: collection(name, 2, 0),
      schedule: { intervalSeconds: 3600 },
      active: false,
    }),
  });
  if (created.status === 404) return null;
  expect(created.status).toBe(201);
  return (await created.json()) as { id: string };
}

const NO_MONITORS = "POST /v1/monitors answers 404: the monitors API is not in this build yet";

describe("web app", () => {
  it("asks for the API key once, then streams a 5-request run row by row into a matching summary", async () => {
    await context().clearCookies();
    const { page, errors } = await open("/", { signIn: false });
    await page.evaluate("localStorage.clear()");
    await page.reload();
    await signIn(page);
    expect(await page.content()).not.toContain(API_KEY);
    expect(await page.evaluate('localStorage.getItem("edgerun.apiKey")')).toBe(API_KEY);
    // Record the row count at every DOM change: rows must appear one by one, not all at the end.
    await page.evaluate(`(() => {
      const seen = (window.rowCounts = []);
      new MutationObserver(() => {
        const n = document.querySelectorAll('table[aria-label="Requests"] tbody > tr').length;
        if (seen.at(-1) !== n) seen.push(n);
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    await startRun(page, collection("Five requests", 5, 300));
    await expect.poll(() => summary(page).textContent(), { timeout: 30_000 }).toContain("Completed");
    expect(await rows(page).count()).toBe(5);
    const counts = (await page.evaluate("window.rowCounts")) as number[];
    // Requests are ≥ 300 ms apart, so rows arrive separately; a starved browser may merge two frames, so
    // the check is "grows in several steps, never shrinks, ends at 5" rather than exactly 1,2,3,4,5.
    const steps = counts.filter((n) => n > 0);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps.at(-1)).toBe(5);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const text = await summary(page).textContent();
    expect(text).toContain("5 passed");
    expect(text).toContain("0 failed");
    expect(await rows(page).nth(0).textContent()).toContain("Request 1");
    // Expanding a row shows the request, response and assertion without adding rows.
    await rows(page).nth(2).getByText("Request 3").click();
    await expect.poll(() => rows(page).nth(2).textContent()).toContain("status is 200");
    expect(await rows(page).count()).toBe(5);
    await page.screenshot({ path: join(SHOTS, "run-completed.png"), fullPage: true });
    // The shareable link replays the finished run.
    await page.getByRole("link", { name: /^\/runs\/run_/ }).click();
    await vi.waitFor(() => expect(page.url()).toMatch(/\/runs\/run_/));
    await page.reload();
    await expect.poll(() => summary(page).textContent(), { timeout: 15_000 }).toContain("5 passed");
    expect(await rows(page).count()).toBe(5);
    // Reports download with the Authorization header.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "JUnit XML" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^run_.*\.xml$/);
    // The summary's numbers are the Newman report's.
    const [newman] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Newman JSON" }).click(),
    ]);
    const report = JSON.parse(await readFile(await newman.path(), "utf8")) as {
      run: { stats: { requests: { total: number }; assertions: { total: number; failed: number } } };
    };
    expect(report.run.stats.requests.total).toBe(5);
    expect(report.run.stats.assertions).toMatchObject({ total: 5, failed: 0 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("cancels a running run", async () => {
    const { page, errors } = await open("/");
    await startRun(page, collection("Long run", 30, 400));
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => summary(page).textContent(), { timeout: 30_000 }).toContain("Cancelled");
    expect(await rows(page).count()).toBeLessThan(30);
    await page.screenshot({ path: join(SHOTS, "run-cancelled.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("reconnects with Last-Event-ID after the stream is cut and shows no duplicate rows", async () => {
    const { page, errors } = await open("/");
    stack().cutter.arm(4); // run.started, iteration.started, two requests — then the connection drops
    await startRun(page, collection("Flaky network", 6, 250));
    await expect.poll(() => summary(page).textContent(), { timeout: 30_000 }).toContain("Completed");
    expect(stack().cutter.cuts).toBe(1);
    expect(stack().cutter.eventRequests.at(-1)).toMatch(/^\d+$/);
    const names = await rows(page).locator("td.name .item-name").allTextContents();
    expect(names).toEqual([1, 2, 3, 4, 5, 6].map((i) => `Request ${i}`));
    expect(await summary(page).textContent()).toContain("6 passed");
    // The only console noise allowed is the browser reporting the connection the test cut.
    expect(errors.filter((e) => !/net::ERR_|Failed to load resource/.test(e))).toEqual([]);
    await page.close();
  });

  it("pages a 520-request run by 500 rows, every request reachable and counted", async () => {
    const { page, errors } = await open("/");
    await page.getByLabel("Iterations", { exact: true }).fill("104");
    await startRun(page, collection("Many requests", 5, 0));
    await expect.poll(() => summary(page).textContent(), { timeout: 40_000 }).toContain("520 passed");
    const pager = page.getByRole("navigation", { name: "Request pages" });
    expect(await pager.textContent()).toContain("Requests 501–520 of 520");
    expect(await rows(page).count()).toBe(20);
    await pager.getByRole("button", { name: "First" }).click();
    await expect.poll(() => rows(page).count()).toBe(500);
    expect(await rows(page).first().locator(".item-name").textContent()).toBe("Request 1");
    expect(await rows(page).first().locator("td.num").textContent()).toBe("1");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs a stored collection picked from the list", async (ctx) => {
    const stored = await stack().api("/v1/collections", {
      method: "POST",
      body: JSON.stringify(collection("Stored smoke", 3, 0)),
    });
    if (stored.status === 404) {
      ctx.skip(true, "POST /v1/collections answers 404: stored collections are not in this build yet");
      return;
    }
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    const { page, errors } = await open("/");
    const picker = page.getByLabel("Stored collection");
    await expect.poll(() => picker.locator("option").allTextContents()).toContain("Stored smoke (v1)");
    await picker.selectOption(id);
    expect(await page.getByLabel("Collection", { exact: true }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Run in cloud" }).click();
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("3 passed");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs one iteration per row of a CSV data file", async () => {
    const { page, errors } = await open("/");
    const body = {
      info: { name: "Data driven" },
      item: [
        {
          name: "Echo {{user}}",
          request: { method: "GET", url: `${target()}/get?user={{user}}` },
          event: [
            {
              listen: "test",
              script: {
                exec: [
                  "pm.test('echoes the user', () => pm.expect(pm.response.json().args.user).to.eql(data.user));",
                ],
              },
            },
          ],
        },
      ],
    };
    await page.getByText("Environment and data file").click();
    await page.getByLabel("Data file (CSV or JSON)").setInputFiles({
      name: "users.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("user\nada\nbob\ncy\n"),
    });
    await startRun(page, body);
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("3 passed");
    expect(await rows(page).locator(".item-name").allTextContents()).toEqual([
      "Echo {{user}}",
      "Echo {{user}}",
      "Echo {{user}}",
    ]);
    expect(await rows(page).nth(1).locator("td.name").textContent()).not.toContain("bob"); // details stay closed
    await rows(page).nth(1).locator(".item-name").click();
    await expect.poll(() => rows(page).nth(1).textContent()).toContain("user=bob");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works on a 375 px wide screen without horizontal scrolling", async () => {
    const { page, errors } = await open("/", { width: 375 });
    await expect.poll(() => page.getByRole("button", { name: "Run in cloud" }).isVisible()).toBe(true);
    expect(
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Monitors" }).count(),
    ).toBe(1);
    // Keyboard: the first Tab reaches "Skip to content" with a visible focus ring.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Skip to content");
    expect(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")).not.toBe("none");
    const overflow = (await page.evaluate(
      "document.documentElement.scrollWidth - window.innerWidth",
    )) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, "run-page-375.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists a monitor created through the API on /monitors", async (ctx) => {
    const monitor = await createMonitor("Checkout smoke");
    if (!monitor) {
      ctx.skip(true, NO_MONITORS);
      return;
    }
    const { page, errors } = await open("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Monitors" }).click();
    await expect
      .poll(() => page.getByRole("link", { name: "Checkout smoke" }).count(), { timeout: 15_000 })
      .toBe(1);
    await page.screenshot({ path: join(SHOTS, "monitors.png"), fullPage: true });
    await page.getByRole("link", { name: "Checkout smoke" }).click();
    await vi.waitFor(() => expect(page.url()).toContain(`/monitors/${monitor.id}`));
    await expect
      .poll(() => page.getByRole("heading", { level: 1 }).textContent(), { timeout: 15_000 })
      .toContain("Checkout smoke");
    await page.screenshot({ path: join(SHOTS, "monitor-detail.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("runs a monitor now, and pauses and resumes it, from its page", async (ctx) => {
    const monitor = await createMonitor("Nightly API");
    if (!monitor) {
      ctx.skip(true, NO_MONITORS);
      return;
    }
    const { page, errors } = await open(`/monitors/${monitor.id}`);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Pause" }).count()).toBe(1);
    await page.getByRole("button", { name: "Pause" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Resume" }).count()).toBe(1);
    await page.getByRole("button", { name: "Run now" }).click();
    await vi.waitFor(() => expect(page.url()).toMatch(/\/runs\/run_/), { timeout: 10_000 });
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("2 passed");
    // Back on the monitor's page: the run is in the history (a link to its page) and in the chart.
    await page.goto(`${stack().url}/monitors/${monitor.id}`);
    // The monitor records the finished run asynchronously: reload until it shows in history and chart.
    const history = page.getByRole("table", { name: "Run history" });
    const chart = page.locator(".chart canvas");
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator("dl.stats").waitFor();
          await page.getByRole("heading", { name: "Run history" }).waitFor();
          await expect.poll(() => page.getByText("Loading…").count()).toBe(0);
          return (await history.locator("tbody > tr").count()) === 1 && (await chart.count()) === 1;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(SHOTS, "monitor-with-run.png"), fullPage: true });
    await history.locator("tbody > tr").first().getByRole("link").click();
    await vi.waitFor(() => expect(page.url()).toMatch(/\/runs\/run_/));
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("shows one 'run not found' message, with a way back, and no run view for an unknown run id", async () => {
    const { page, errors } = await open("/runs/run_doesnotexist");
    await page.getByRole("heading", { name: "Run not found" }).waitFor();
    expect(await page.getByRole("alert").count()).toBe(1);
    expect(await page.getByRole("alert").textContent()).toContain("run_doesnotexist");
    expect(await summary(page).count()).toBe(0);
    expect(await page.getByRole("table", { name: "Requests" }).count()).toBe(0);
    for (const name of ["Cancel", "Newman JSON", "JUnit XML"])
      expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await page.getByText("requests").count()).toBe(0);
    await page.getByRole("alert").getByRole("link", { name: "Run a collection" }).click();
    await vi.waitFor(() => expect(new URL(page.url()).pathname).toBe("/"));
    await page.getByRole("button", { name: "Run in cloud" }).waitFor();
    // The only console noise is the browser reporting the one 404 answer.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(1);
    await page.close();
  });

  it("shows a finished run of an empty collection as finished, not as waiting", async () => {
    const { page, errors } = await open("/");
    await startRun(page, { info: { name: "Nothing inside" }, item: [] });
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("Completed");
    const progress = page.locator(".progress");
    await expect.poll(() => progress.textContent()).toContain("0 requests");
    expect(await progress.textContent()).not.toContain("?");
    expect(await page.getByText("Waiting for the first request").count()).toBe(0);
    expect(await page.getByText("This run sent no requests.").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("clears the 'Unauthorized' banner once a valid key replaces the rejected one", async () => {
    const { page, errors } = await open("/");
    await page.getByRole("button", { name: "Run in cloud" }).waitFor();
    // The stored key goes bad behind the app's back (as a revoked key does): the next request meets a 401.
    await page.evaluate('localStorage.setItem("edgerun.apiKey", "er_not-a-valid-key")');
    try {
      const dialog = page.getByRole("dialog", { name: "API key" });
      await startRun(page, collection("Key swap", 1, 0));
      const banner = page.locator(".run-form").getByRole("alert");
      await expect.poll(() => banner.textContent()).toContain("Unauthorized");
      await expect.poll(() => dialog.isVisible()).toBe(true);
      expect(await dialog.textContent()).toContain("rejected the stored API key");
      await signIn(page);
      await expect.poll(() => banner.count()).toBe(0);
      await page.getByRole("button", { name: "Run in cloud" }).click();
      await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("1 passed");
      expect(await banner.count()).toBe(0);
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      // Later tests of this file share the context's storage: they need the valid key back.
      await page.evaluate(`localStorage.setItem("edgerun.apiKey", ${JSON.stringify(API_KEY)})`);
      await page.close();
    }
  });

  it("Run now on a monitor with several regions stays on its page and links each region's run", async (ctx) => {
    const created = await stack().api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "Two regions",
        collection: collection("Two regions", 1, 0),
        schedule: { intervalSeconds: 3600 },
        regions: ["weur", "enam"],
        active: false,
      }),
    });
    if (created.status === 404) {
      ctx.skip(true, NO_MONITORS);
      return;
    }
    const monitor = (await created.json()) as { id: string };
    const { page, errors } = await open(`/monitors/${monitor.id}`);
    await page.getByRole("button", { name: "Run now" }).click();
    const result = page.getByRole("status", { name: "Run now" });
    await expect.poll(() => result.getByRole("link").count(), { timeout: 10_000 }).toBe(2);
    expect(await result.textContent()).toContain("Started 2 runs");
    expect(await result.getByRole("listitem").allTextContents()).toEqual([
      expect.stringMatching(/^weur: run_/),
      expect.stringMatching(/^enam: run_/),
    ]);
    expect(new URL(page.url()).pathname).toBe(`/monitors/${monitor.id}`);
    const href = await result.getByRole("link").nth(1).getAttribute("href");
    expect(href).toMatch(/^\/runs\/run_/);
    await result.getByRole("link").nth(1).click();
    await vi.waitFor(() => expect(new URL(page.url()).pathname).toBe(href));
    await expect.poll(() => summary(page).textContent(), { timeout: 20_000 }).toContain("1 passed");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Run now whose run the service refused says why instead of opening a run page", async (ctx) => {
    const stored = await stack().api("/v1/collections", {
      method: "POST",
      body: JSON.stringify(collection("Soon gone", 1, 0)),
    });
    if (stored.status === 404) {
      ctx.skip(true, "POST /v1/collections answers 404: stored collections are not in this build yet");
      return;
    }
    const { id: collectionId } = (await stored.json()) as { id: string };
    const created = await stack().api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "Refused run",
        collectionId,
        schedule: { intervalSeconds: 3600 },
        active: false,
      }),
    });
    expect(created.status).toBe(201);
    const monitor = (await created.json()) as { id: string };
    // The collection a monitor runs cannot be deleted any more (409), so a refusal comes from a quota:
    // one the shared stack cannot reach without starving the other tests. The answer below is the
    // API's own shape for a refused run (MonitorRunNowSchema), served in place of the real one.
    expect((await stack().api(`/v1/collections/${collectionId}`, { method: "DELETE" })).status).toBe(409);
    const reason = "run refused (429): Run Quota Exceeded — This workspace already has 100 active runs.";
    const { page, errors } = await open(`/monitors/${monitor.id}`);
    await page.route(`**/v1/monitors/${monitor.id}/run`, (route) =>
      route.fulfill({
        status: 202,
        contentType: "application/json",
        body: JSON.stringify({
          runs: [
            {
              id: "rej_0_auto_0",
              status: "failed",
              region: "auto",
              links: { self: `/v1/monitors/${monitor.id}/runs` },
              reason,
            },
          ],
        }),
      }),
    );
    await page.getByRole("button", { name: "Run now" }).click();
    const result = page.getByRole("status", { name: "Run now" });
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toContain("refused");
    expect(await result.textContent()).toContain("No run started; 1 refused.");
    expect(await result.textContent()).toContain("Run Quota Exceeded");
    expect(await result.getByRole("link").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe(`/monitors/${monitor.id}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the embed snippet in docs/web-app.md, pasted as written, opens the app with the collection loaded", async () => {
    // The snippet exactly as documented; only the placeholder host becomes this stack's origin.
    const doc = await readFile(join(import.meta.dirname, "..", "..", "docs", "web-app.md"), "utf8");
    const snippet = /## The embeddable button[\s\S]*?```html\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toContain("<edgerun-run");
    const html = snippet!.replaceAll("https://YOUR-EDGERUN-HOST", stack().url);
    const collectionPath = /collection-url="([^"]+)"/.exec(html)?.[1];
    expect(collectionPath).toMatch(/^\//);
    const third = createServer((req, res) => {
      if (req.url === collectionPath) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(collection("Embedded smoke", 2, 0)));
        return;
      }
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>Docs</title><h1>Our API</h1>\n${html}`);
    });
    await new Promise<void>((r) => third.listen(0, "127.0.0.1", r));
    const { port } = third.address() as AddressInfo;
    try {
      const { page, errors } = await open(`http://127.0.0.1:${port}/`);
      const [popup] = await Promise.all([
        context().waitForEvent("page"),
        page.getByRole("button", { name: "Run in cloud" }).click(),
      ]);
      recordErrors(popup, errors);
      const textarea = popup.getByLabel("Collection", { exact: true });
      await expect.poll(() => textarea.inputValue(), { timeout: 15_000 }).toContain("Embedded smoke");
      if (await popup.getByRole("dialog", { name: "API key" }).isVisible()) await signIn(popup);
      expect(new URL(popup.url()).search).toBe("");
      await popup.getByRole("button", { name: "Run in cloud" }).click();
      await expect.poll(() => summary(popup).textContent(), { timeout: 20_000 }).toContain("2 passed");
      await popup.screenshot({ path: join(SHOTS, "embed-popup.png"), fullPage: true });
      expect(errors).toEqual([]);
      await popup.close();
      await page.close();
    } finally {
      third.close();
    }
  });
});
