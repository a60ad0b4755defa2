import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MonitorSchema } from "../../shared/schemas/monitors";
import { api, target } from "./helpers";
import {
  alarmAt,
  checkCollection,
  createOnClock,
  expectedSignature,
  finishedRuns,
  getMonitor,
  history,
  hookLog,
  monitorStub,
  patch,
  T0,
} from "./monitors-support";

const MIN = 60_000;

describe("monitors API", () => {
  it("creates, reads, lists, updates and deletes a monitor; secrets are never returned", async () => {
    const res = await api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "Checkout",
        collection: checkCollection("Checkout", "/get"),
        schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin" },
        regions: ["weur", "enam"],
        notifications: [{ url: "https://hooks.example.com/x", secret: "0123456789abcdef" }],
        active: false,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = MonitorSchema.parse(await res.json());
    expect(created).toMatchObject({
      name: "Checkout",
      active: false,
      collection: { inline: true, name: "Checkout" },
      regions: ["weur", "enam"],
      retry: { attempts: 0 },
      notifyAfter: 1,
      nextRunAt: null,
      state: { status: "unknown", consecutiveFailures: 0, lastRun: null },
      summary: { uptime24h: null, recent: [] },
    });
    expect(created.notifications).toEqual([
      {
        id: expect.any(String),
        type: "webhook",
        url: "https://hooks.example.com/x",
        on: ["failure", "recovery"],
        hasSecret: true,
      },
    ]);
    expect(JSON.stringify(created)).not.toContain("0123456789abcdef");

    const list = (await (await api("/v1/monitors?limit=100")).json()) as { monitors: Array<{ id: string }> };
    expect(list.monitors.map((m) => m.id)).toContain(created.id);

    // PATCH keeps a target's secret when its id is given without one.
    const updated = await patch(created.id, {
      name: "Checkout v2",
      notifications: [{ id: created.notifications[0]!.id, url: "https://hooks.example.com/x" }],
    });
    expect(updated).toMatchObject({ name: "Checkout v2", notifications: [{ hasSecret: true }] });

    const del = await api(`/v1/monitors/${created.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    expect((await api(`/v1/monitors/${created.id}`)).status).toBe(404);
    expect(
      await runInDurableObject(monitorStub(created.id), (_i, state) => state.storage.getAlarm()),
    ).toBeNull();
  });

  it("rejects bad schedules, regions, unknown collections and bad cursors with problem+json", async () => {
    const base = { name: "Bad", collection: checkCollection("Bad", "/get") };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...base, schedule: { cron: "61 * * * *" } }, 400, "/schedule/cron"],
      [{ ...base, schedule: { cron: "* * * * *", timezone: "Mars/Olympus" } }, 400, "/schedule/timezone"],
      [{ ...base, schedule: { intervalSeconds: 5 } }, 400, "/schedule"],
      [{ ...base, schedule: { intervalSeconds: 60 }, regions: ["moon"] }, 400, "/regions/0"],
      [{ ...base, schedule: { intervalSeconds: 60 }, retry: { attempts: 4 } }, 400, "/retry/attempts"],
    ];
    for (const [body, status, pointer] of cases) {
      const res = await api("/v1/monitors", { method: "POST", body: JSON.stringify(body) });
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await res.json()) as { errors: Array<{ pointer: string }> };
      expect(
        problem.errors.map((e) => e.pointer).some((p) => p.startsWith(pointer)),
        JSON.stringify(problem),
      ).toBe(true);
    }
    const short = await api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({ ...base, schedule: { cron: "* * *" } }),
    });
    expect(((await short.json()) as { errors: Array<{ detail: string }> }).errors[0]!.detail).toBe(
      "a cron expression has 5 fields: minute hour day-of-month month day-of-week",
    );
    const unknown = await api("/v1/monitors", {
      method: "POST",
      body: JSON.stringify({
        name: "x",
        collectionId: "col_doesnotexist0000",
        schedule: { intervalSeconds: 60 },
      }),
    });
    expect(unknown.status).toBe(404);
    const m = await createOnClock({ ...base, schedule: { intervalSeconds: 60 } });
    expect((await api(`/v1/monitors/${m.id}/runs?cursor=bogus`)).status).toBe(400);
    expect((await api("/v1/monitors?cursor=bogus")).status).toBe(400);
    expect((await api("/v1/monitors/mon_nope")).status).toBe(404);
    expect((await api("/v1/monitors", { key: null })).status).toBe(401);
  });
});

describe("monitor scheduling", () => {
  it("ticks on its grid, never double-runs a tick on an alarm retry, and catches up once after downtime", async () => {
    const m = await createOnClock({
      name: "Grid",
      collection: checkCollection("Grid", "/get"),
      schedule: { intervalSeconds: 60 },
    });
    const first = Date.parse(m.nextRunAt!);
    expect(first).toBeGreaterThan(T0);
    expect(first - T0).toBeLessThanOrEqual(MIN);

    expect(await alarmAt(m.id, first + 2_000)).toBe(true);
    const [run] = await finishedRuns(m.id, 1);
    expect(run).toMatchObject({
      tickAt: new Date(first).toISOString(),
      region: "auto",
      attempt: 0,
      status: "completed",
    });
    expect(run!.requests).toEqual({ total: 1, failed: 0 });
    expect(run!.responseTime?.p95).toBeGreaterThanOrEqual(0);
    expect((await getMonitor(m.id)).nextRunAt).toBe(new Date(first + MIN).toISOString());

    // An alarm retried after a crash between creating the run and recording it: same run, not another.
    await runInDurableObject(monitorStub(m.id), (_i, state) => {
      state.storage.sql.exec("DELETE FROM runs");
      state.storage.sql.exec(
        "INSERT INTO jobs (key, due, data) VALUES (?, ?, ?)",
        `start:${first}:auto:0`,
        first,
        JSON.stringify({ tickAt: first, region: "auto", attempt: 0 }),
      );
    });
    await alarmAt(m.id, first + 3_000);
    const replayed = await finishedRuns(m.id, 1);
    expect(replayed.map((r) => r.runId)).toEqual([run!.runId]);
    const all = (await (await api(`/v1/runs?monitorId=${m.id}&limit=50`)).json()) as { runs: unknown[] };
    expect(all.runs).toHaveLength(1);

    // Down for ten ticks: one run, for the latest due tick, then back on the grid.
    const late = first + 10 * MIN + 30_000;
    await alarmAt(m.id, late);
    const after = await finishedRuns(m.id, 2);
    expect(after[0]!.tickAt).toBe(new Date(first + 10 * MIN).toISOString());
    expect((await getMonitor(m.id)).nextRunAt).toBe(new Date(first + 11 * MIN).toISOString());
  });

  it("schedules a cron in its time zone across a DST change (croner inside workerd)", async () => {
    // 2027-03-28: Europe/Berlin skips 02:00–03:00; a daily 02:30 job runs at 03:00 CEST that day.
    const clock = Date.parse("2027-03-27T12:00:00Z");
    const m = await createOnClock(
      {
        name: "Nightly",
        collection: checkCollection("Nightly", "/get"),
        schedule: { cron: "30 2 * * *", timezone: "Europe/Berlin" },
      },
      clock,
    );
    expect(m.nextRunAt).toBe("2027-03-28T01:00:00.000Z");
    await alarmAt(m.id, Date.parse(m.nextRunAt!) + 2_000);
    const [run] = await finishedRuns(m.id, 1);
    expect(run!.tickAt).toBe("2027-03-28T01:00:00.000Z");
    expect((await getMonitor(m.id)).nextRunAt).toBe("2027-03-29T00:30:00.000Z");
  });

  it("pauses and resumes; deletion stops the schedule", async () => {
    const m = await createOnClock({
      name: "Pause",
      collection: checkCollection("Pause", "/get"),
      schedule: { intervalSeconds: 60 },
    });
    const paused = await patch(m.id, { active: false });
    expect(paused.nextRunAt).toBeNull();
    expect(await runInDurableObject(monitorStub(m.id), (_i, s) => s.storage.getAlarm())).toBeNull();
    const resumed = await patch(m.id, { active: true });
    expect(Date.parse(resumed.nextRunAt!)).toBeGreaterThan(T0);
    expect(await runInDurableObject(monitorStub(m.id), (_i, s) => s.storage.getAlarm())).not.toBeNull();
    expect((await api(`/v1/monitors/${m.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await runInDurableObject(monitorStub(m.id), (_i, s) => s.storage.getAlarm())).toBeNull();
  });
});

describe("monitor failures and notifications", () => {
  it("retries a failed run, then sends exactly one signed failure and one recovery webhook", async () => {
    const bucket = `hook-${crypto.randomUUID()}`;
    const secret = "webhook-secret-123";
    const m = await createOnClock({
      name: "Flaky",
      collection: checkCollection("Flaky", "/status/500"),
      schedule: { intervalSeconds: 60 },
      retry: { attempts: 1 },
      notifications: [{ type: "webhook", url: `${target()}/hooks/${bucket}`, secret }],
    });
    let tick = Date.parse(m.nextRunAt!);
    await alarmAt(m.id, tick + 2_000); // attempt 0 fails → a retry is scheduled
    await finishedRuns(m.id, 1);
    await alarmAt(m.id, tick + 4_000); // the retry waits min(5 s, gap / 4)
    expect(await history(m.id)).toHaveLength(1);
    await alarmAt(m.id, tick + 7_000); // attempt 1 (5 s later) fails → the tick fails → failure queued
    const runs = await finishedRuns(m.id, 2);
    expect(runs.map((r) => r.attempt)).toEqual([1, 0]);
    expect(runs[0]!.failures[0]).toMatchObject({ item: "Probe", assertion: "status is 200" });
    await alarmAt(m.id, tick + 8_000); // delivery
    let log = await hookLog(bucket);
    expect(log).toHaveLength(1);
    const failure = log[0]!;
    expect(failure.headers["x-edgerun-signature"]).toBe(
      await expectedSignature(secret, failure.headers["x-edgerun-timestamp"]!, failure.body),
    );
    expect(JSON.parse(failure.body)).toMatchObject({
      type: "monitor.failure",
      monitor: { id: m.id },
      state: { status: "failing" },
    });
    expect((await getMonitor(m.id)).state).toMatchObject({ status: "failing", consecutiveFailures: 1 });

    // Still failing on the next tick: no second notification.
    tick += MIN;
    await alarmAt(m.id, tick + 2_000);
    await finishedRuns(m.id, 3);
    await alarmAt(m.id, tick + 7_000);
    await finishedRuns(m.id, 4);
    await alarmAt(m.id, tick + 8_000);
    expect(await hookLog(bucket)).toHaveLength(1);
    expect((await getMonitor(m.id)).state.consecutiveFailures).toBe(2);

    // The target is fixed: one recovery.
    await patch(m.id, { collection: checkCollection("Flaky", "/get") });
    tick += MIN;
    await alarmAt(m.id, tick + 2_000);
    await finishedRuns(m.id, 5);
    await alarmAt(m.id, tick + 3_000);
    log = await hookLog(bucket);
    expect(log.map((d) => (JSON.parse(d.body) as { event: string }).event)).toEqual(["failure", "recovery"]);
    expect(log[1]!.headers["x-edgerun-signature"]).toBe(
      await expectedSignature(secret, log[1]!.headers["x-edgerun-timestamp"]!, log[1]!.body),
    );
    const view = await getMonitor(m.id);
    expect(view.state).toMatchObject({ status: "passing", consecutiveFailures: 0 });
    expect(view.state.lastFailure?.message).toMatch(/status is 200/);
    const stats = (await (await api(`/v1/monitors/${m.id}/stats?window=24h`)).json()) as {
      overall: { runs: number; failed: number; uptime: number };
    };
    expect(stats.overall).toMatchObject({ runs: 3, failed: 2, uptime: 33.3 });
    expect((await history(m.id)).length).toBe(5);
    // Cursor pagination walks the same history, newest first, without repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await api(`/v1/monitors/${m.id}/runs?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      ).json()) as { runs: Array<{ runId: string }>; nextCursor: string | null };
      seen.push(...page.runs.map((r) => r.runId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await history(m.id)).map((r) => r.runId));
  });
});
