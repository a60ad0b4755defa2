import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MonitorRunNowSchema } from "../../shared/schemas/monitors";
import worker from "../../workers/index";
import { api, target } from "./helpers";
import {
  alarmAt,
  checkCollection,
  createOnClock,
  finishedRuns,
  getMonitor,
  history,
  hookLog,
  monitorStub,
  patch,
} from "./monitors-support";

const getAlarm = (id: string) => runInDurableObject(monitorStub(id), (_i, s) => s.storage.getAlarm());

describe("monitor resilience", () => {
  it("the cron sweeper re-arms an active monitor whose alarm was lost", async () => {
    const m = await createOnClock({
      name: "Sweep",
      collection: checkCollection("Sweep", "/get"),
      schedule: { intervalSeconds: 60 },
    });
    const armed = await getAlarm(m.id);
    expect(armed).not.toBeNull();
    await runInDurableObject(monitorStub(m.id), (_i, s) => s.storage.deleteAlarm());
    expect(await getAlarm(m.id)).toBeNull();

    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await getAlarm(m.id)).toBe(armed);
  });

  it("a lost completion call is recovered by polling the run on a later alarm", async () => {
    const m = await createOnClock({
      name: "Poll",
      collection: checkCollection("Poll", "/get"),
      schedule: { intervalSeconds: 600 },
    });
    const tick = Date.parse(m.nextRunAt!);
    await alarmAt(m.id, tick + 2_000);
    const [run] = await finishedRuns(m.id, 1);
    // Forget what runFinished recorded, as if the RunCoordinator's call had never arrived.
    await runInDurableObject(monitorStub(m.id), (_i, s) => {
      s.storage.sql.exec(
        "UPDATE runs SET done = 0, final = 0, passed = NULL, data = json_set(data, '$.finishedAt', NULL, '$.status', 'running')",
      );
      s.storage.sql.exec("UPDATE ticks SET outcome = NULL");
    });
    expect((await history(m.id))[0]).toMatchObject({ status: "running", finishedAt: null });
    await alarmAt(m.id, tick + 2_000 + 30_000); // the poll job is due 30 s after the start
    const [polled] = await finishedRuns(m.id, 1);
    expect(polled).toMatchObject({ runId: run!.runId, status: "completed", passed: true });
    expect((await getMonitor(m.id)).state.status).toBe("passing");
  });

  it("a run the service refuses is a failed attempt in the history, with its reason", async () => {
    const stored = await api("/v1/collections", {
      method: "POST",
      body: JSON.stringify(checkCollection("Stored", "/get")),
    });
    expect(stored.status).toBe(201);
    const { id: collectionId } = (await stored.json()) as { id: string };
    const m = await createOnClock({ name: "Refused", collectionId, schedule: { intervalSeconds: 60 } });
    expect(m.collection).toEqual({ id: collectionId });
    // A collection a monitor runs is not deleted: 409 naming the monitor.
    const inUse = await api(`/v1/collections/${collectionId}`, { method: "DELETE" });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as { detail: string }).detail).toContain(m.id);
    // A monitor stored before that guard existed has no record of its collection: it can be deleted.
    await runInDurableObject(env.WORKSPACE.get(env.WORKSPACE.idFromName("dev")), (_i, s) => {
      s.storage.sql.exec("DELETE FROM monitor_uses WHERE monitor_id = ?", m.id);
    });
    expect((await api(`/v1/collections/${collectionId}`, { method: "DELETE" })).status).toBe(204);

    await alarmAt(m.id, Date.parse(m.nextRunAt!) + 2_000);
    const [refused] = await history(m.id);
    expect(refused).toMatchObject({ status: "failed", passed: false, attempt: 0 });
    expect(refused!.runId).toMatch(/^rej_/);
    expect(refused!.failures[0]!.message).toMatch(/refused \(404\)/);
    expect((await getMonitor(m.id)).state).toMatchObject({ status: "failing", consecutiveFailures: 1 });

    // Run now: the refused run has no run of its own to link to, only the history and the reason.
    const now = await api(`/v1/monitors/${m.id}/run`, { method: "POST" });
    expect(now.status).toBe(202);
    const body = MonitorRunNowSchema.strict().parse(await now.json());
    expect(body.runs).toHaveLength(1);
    expect(body.runs[0]).toMatchObject({ status: "failed", links: { self: `/v1/monitors/${m.id}/runs` } });
    expect(body.runs[0]!.links.events).toBeUndefined();
    expect(body.runs[0]!.reason).toMatch(/refused \(404\)/);
  });

  it("a stored collection is deletable again once no monitor runs it", async () => {
    const stored = await api("/v1/collections", {
      method: "POST",
      body: JSON.stringify(checkCollection("Guarded", "/get")),
    });
    const { id: collectionId } = (await stored.json()) as { id: string };
    const a = await createOnClock({ name: "A", collectionId, schedule: { intervalSeconds: 60 } });
    const b = await createOnClock({ name: "B", collectionId, schedule: { intervalSeconds: 60 } });
    const del = () => api(`/v1/collections/${collectionId}`, { method: "DELETE" });
    const first = await del();
    expect(first.status).toBe(409);
    expect(first.headers.get("content-type")).toContain("application/problem+json");
    expect(((await first.json()) as { detail: string }).detail).toContain(
      `${[a.id, b.id].sort().join(", ")}`,
    );
    await patch(a.id, { collection: checkCollection("Inline now", "/get") });
    expect((await api(`/v1/monitors/${b.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await del()).status).toBe(204);
  });

  it("a flapping monitor sends at most MONITOR_NOTIFICATIONS_PER_HOUR (10) notifications an hour", async () => {
    const m = await createOnClock({
      name: "Flapping",
      collection: checkCollection("Flapping", "/status/500"),
      schedule: { intervalSeconds: 60 },
      notifications: [{ url: `${target()}/hooks/flap-${crypto.randomUUID()}`, on: ["failure", "recovery"] }],
    });
    let tick = Date.parse(m.nextRunAt!);
    for (let i = 0; i < 12; i++) {
      await patch(m.id, { collection: checkCollection("Flapping", i % 2 === 0 ? "/status/500" : "/get") });
      await alarmAt(m.id, tick + 2_000);
      await finishedRuns(m.id, i + 1);
      tick += 60_000;
    }
    const deliveries = await monitorStub(m.id).deliveries(50);
    expect(deliveries).toHaveLength(10);
    expect(
      deliveries
        .map((d) => d.event)
        .reverse()
        .slice(0, 3),
    ).toEqual(["failure", "recovery", "failure"]);
  });

  it("a webhook answering 500 is retried after 30 s, 2 min and 10 min, then given up", async () => {
    const bucket = `down-${crypto.randomUUID()}`;
    const m = await createOnClock({
      name: "Receiver down",
      collection: checkCollection("Receiver down", "/status/500"),
      schedule: { intervalSeconds: 3600 },
      notifications: [{ url: `${target()}/hooks/${bucket}?status=500`, secret: "0123456789" }],
    });
    const tick = Date.parse(m.nextRunAt!);
    await alarmAt(m.id, tick + 2_000);
    await finishedRuns(m.id, 1);
    let at = tick + 2_000; // queued when the failed run was recorded
    for (const [i, wait] of [0, 30_000, 120_000, 600_000].entries()) {
      at += wait;
      await alarmAt(m.id, at - 1); // not yet due: nothing is sent
      expect(await hookLog(bucket)).toHaveLength(i);
      await alarmAt(m.id, at);
      expect(await hookLog(bucket)).toHaveLength(i + 1);
    }
    const [delivery] = await monitorStub(m.id).deliveries();
    expect(delivery).toMatchObject({ event: "failure", status: "failed", attempt: 4, lastError: "HTTP 500" });
  });
});
