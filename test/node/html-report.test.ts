/**
 * The HTML report as users get it: `edgerun run -r html` (a real CLI process, the embedded stack, the
 * echo target) writes one file, which headless Chromium opens from disk. It must load with no console
 * errors and no network request, show every request and every failure, and filter; a synthetic
 * 5,000-request stream must stream out in bounded chunks and render one page of rows, not 5,000.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { htmlReport } from "../../shared/reporters/html";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";

const ROOT = join(import.meta.dirname, "..", "..");
let dir: string;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgerun-html-"));
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

function edgerun(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "cli/bin.mjs"), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** Opens a report from disk, recording console errors, page errors and every network request. */
async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  return { page, errors, requests };
}

/** Every row name and failure text, page by page, through the pager's Next button. */
async function collectPages(page: Page, selector: string, next: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    out.push(...(await page.locator(selector).allTextContents()));
    if (await page.locator(next).isDisabled()) return out;
    await page.click(next);
  }
}

const script = (listen: string, ...exec: string[]) => ({ listen, script: { exec } });

const COLLECTION = {
  info: { name: "HTML report <check>", _postman_id: "html-report-test" },
  item: [
    {
      name: "Get",
      request: { url: "{{base}}/get?q=1" },
      event: [
        script(
          "test",
          "console.log('hello from', pm.info.requestName);",
          "pm.test('ok', () => pm.response.to.have.status(200));",
        ),
      ],
    },
    {
      name: "Users",
      item: [
        {
          name: "Create",
          request: { method: "POST", url: "{{base}}/post", body: { mode: "raw", raw: '{"a":1}' } },
          event: [script("test", "pm.test('created', () => pm.response.to.have.status(201));")],
        },
        { name: "Unreachable", request: { url: "http://127.0.0.1:1/nothing" } },
      ],
    },
    { name: "Broken script", request: { url: "{{base}}/get" }, event: [script("test", "nope();")] },
  ],
};

describe("edgerun run -r html", () => {
  it("writes one offline file showing every request and failure, with working filters", async () => {
    await writeFile(join(dir, "c.json"), JSON.stringify(COLLECTION));
    const report = join(dir, "report.html");
    const json = join(dir, "report.json");
    const res = await edgerun([
      "run",
      join(dir, "c.json"),
      "-n",
      "2",
      "--env-var",
      `base=${inject("targetUrl")}`,
      "-r",
      "html,json",
      "--reporter-html-export",
      report,
      "--reporter-json-export",
      json,
    ]);
    expect(res.code, res.stderr).toBe(1);
    const newman = JSON.parse(await readFile(json, "utf8")) as {
      run: { failures: Array<{ error: { message: string } }>; executions: unknown[] };
    };
    const { page, errors, requests } = await open(report);
    try {
      expect(await page.title()).toBe("HTML report <check> — edgerun run report");
      // A run with failures opens on the failures tab: every failure of the run is listed.
      const failures = await collectPages(page, ".er-failure pre", "#er-fail-next");
      expect(failures).toEqual(newman.run.failures.map((f) => f.error.message));
      expect(failures.length).toBeGreaterThanOrEqual(6);

      // "Show request" on a failure opens the requests tab on that request.
      await page.click(".er-failure >> nth=0 >> .er-show");
      expect(await page.locator("details.er-row .name").allTextContents()).toEqual([
        "Users / Create",
        "Users / Create",
      ]);
      await page.fill("#er-search", "");

      await page.click("#tab-summary");
      await expect.poll(() => page.locator("#er-cards").textContent()).toContain("8requests");

      await page.click("#tab-requests");
      const names = await collectPages(page, "details.er-row .name", "#er-req-next");
      const once = ["Get", "Users / Create", "Users / Unreachable", "Broken script"];
      expect(names).toEqual([...once, ...once]);
      expect(await page.locator("h3.iter").allTextContents()).toEqual(["Iteration 1", "Iteration 2"]);

      await page.click("details.er-row >> nth=0");
      // The row's details are built when it opens (the toggle event): wait for them.
      const first = page.locator("details.er-row >> nth=0 >> .er-body");
      await expect.poll(() => first.textContent()).toContain("[log] hello from Get");
      expect(await first.textContent()).toContain("✓ ok");

      await page.check("#er-failed-only");
      const failedRows = await page.locator("details.er-row .name").allTextContents();
      expect(failedRows).toEqual([
        "Users / Create",
        "Users / Unreachable",
        "Broken script",
        "Users / Create",
        "Users / Unreachable",
        "Broken script",
      ]);
      expect(await page.locator("details.er-row:not(.failed)").count()).toBe(0);

      await page.uncheck("#er-failed-only");
      await page.selectOption("#er-folder", "Users");
      expect(await page.locator("details.er-row .name").allTextContents()).toEqual([
        "Users / Create",
        "Users / Unreachable",
        "Users / Create",
        "Users / Unreachable",
      ]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([`file://${report}`]);
    } finally {
      await page.close();
    }
  }, 90_000);
});

function synthetic(count: number): AsyncGenerator<RunEvent> {
  const base = { v: 1 as const, runId: "run_big", ts: "2026-12-01T00:00:00.000Z" };
  return (async function* () {
    yield {
      ...base,
      type: "run.started",
      collection: { id: "big", name: "Big" },
      iterations: 1,
      items: count,
      region: "local",
    };
    yield { ...base, type: "iteration.started", iteration: 0 };
    const failures = [];
    for (let i = 0; i < count; i++) {
      const bad = i % 7 === 3;
      const e: RequestCompletedEvent = {
        ...base,
        type: "request.completed",
        iteration: 0,
        item: { id: `r${i}`, name: `request ${i}`, path: [`folder ${i % 10}`] },
        request: {
          method: "GET",
          url: `http://example.test/items/${i}`,
          headers: [{ key: "Accept", value: "*/*" }],
        },
        response: {
          code: bad ? 500 : 200,
          status: bad ? "Internal Server Error" : "OK",
          headers: [],
          size: 120,
          timeMs: 5 + (i % 40),
          bodyPreview: `{"id":${i},"pad":"${"x".repeat(200)}"}`,
        },
        assertions: [
          {
            name: "status is 200",
            passed: !bad,
            skipped: false,
            ...(bad ? { error: { name: "AssertionError", message: `request ${i} failed` } } : {}),
          },
        ],
        console: [],
        scriptErrors: [],
        scripts: { prerequest: 0, test: 1 },
        timings: { waitMs: 0, totalMs: 6 },
      };
      if (bad)
        failures.push({
          iteration: 0,
          item: e.item,
          source: "assertion" as const,
          name: "status is 200",
          message: `request ${i} failed`,
        });
      yield e;
    }
    yield { ...base, type: "iteration.completed", iteration: 0 };
    const counter = (total: number, failed: number) => ({ total, pending: 0, failed });
    yield {
      ...base,
      type: "run.completed",
      stats: {
        iterations: counter(1, 0),
        items: counter(count, 0),
        scripts: counter(count, 0),
        prerequests: counter(count, 0),
        requests: counter(count, 0),
        tests: counter(count, 0),
        assertions: counter(count, failures.length),
        testScripts: counter(count, 0),
        prerequestScripts: counter(0, 0),
      },
      timings: {
        started: 0,
        completed: 60_000,
        responseAverage: 24,
        responseMin: 5,
        responseMax: 44,
        responseTotal: 120_000,
      },
      failures,
    };
  })();
}

describe("a 5,000-request run", () => {
  it("streams in bounded chunks and renders one page of rows at a time", async () => {
    const chunks: string[] = [];
    for await (const chunk of htmlReport(synthetic(5000), { collection: { id: "big", name: "Big" } }))
      chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    const biggest = Math.max(...chunks.slice(1, -1).map((c) => c.length));
    expect(biggest).toBeLessThan(300 * 1024);
    const file = join(dir, "big.html");
    await writeFile(file, chunks.join(""));
    const { page, errors, requests } = await open(file);
    try {
      await expect.poll(() => page.locator("#tab-failures").textContent()).toBe("Failures (714)");
      expect(await page.locator(".er-failure").count()).toBe(50);
      await page.click("#tab-requests");
      expect(await page.locator("details.er-row").count()).toBe(50);
      expect(await page.locator("#er-req-info").textContent()).toBe("Page 1 of 100 · 5000 shown");
      // Row details are built only when opened.
      expect(await page.locator(".er-body").count()).toBe(0);
      await page.fill("#er-search", "request 4999");
      expect(await page.locator("details.er-row .name").allTextContents()).toEqual([
        "folder 9 / request 4999",
      ]);
      await page.fill("#er-search", "");
      await page.check("#er-failed-only");
      expect(await page.locator("#er-req-info").textContent()).toBe("Page 1 of 15 · 714 shown");
      expect(await page.locator("details.er-row").count()).toBe(50);
      expect(errors).toEqual([]);
      expect(requests).toEqual([`file://${file}`]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it("lists every failure when the terminal event kept only its first 200", async () => {
    async function* capped() {
      for await (const e of synthetic(5000))
        yield e.type === "run.completed" ? { ...e, failures: e.failures.slice(0, 200) } : e;
    }
    const chunks: string[] = [];
    for await (const chunk of htmlReport(capped(), { collection: { id: "big", name: "Big" } }))
      chunks.push(chunk);
    const file = join(dir, "capped.html");
    await writeFile(file, chunks.join(""));
    const { page, errors } = await open(file);
    try {
      await expect.poll(() => page.locator("#tab-failures").textContent()).toBe("Failures (714)");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
