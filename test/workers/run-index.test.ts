/**
 * The workspace's run index hears that a run started only once it has been running for
 * STARTED_NOTICE_MS (a run that ends sooner is recorded once, finished), and a finished row is never
 * set back to running by a late notice.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { notifyStartedLater, STARTED_NOTICE_MS } from "../../durable-objects/run-notify";
import type { RunRecord } from "../../durable-objects/run-store";
import type { Workspace } from "../../durable-objects/workspace";
import type { RunSummary } from "../../shared/schemas/api";
import { api, collection, readSse, startRun, target } from "./helpers";

const workspace = (name: string) =>
  env.WORKSPACE.get(env.WORKSPACE.idFromName(name)) as DurableObjectStub<Workspace>;

async function admitted(ws: DurableObjectStub<Workspace>, runId: string): Promise<RunSummary> {
  const admission = await ws.admitRun({
    runId,
    maxActive: 10,
    maxPerHour: 100,
    collection: { id: "c", name: "C" },
    monitorId: null,
  });
  expect(admission).toMatchObject({ ok: true });
  const [row] = (await ws.listRuns({ limit: 1 })).runs;
  return row!;
}

const statusOf = async (ws: DurableObjectStub<Workspace>) =>
  (await ws.listRuns({ limit: 1 })).runs[0]?.status;

describe("run index", () => {
  it("never sets a finished row back to running", async () => {
    const ws = workspace(`index-${crypto.randomUUID()}`);
    const queued = await admitted(ws, "run_index000001");
    await ws.recordRun(
      { ...queued, status: "completed", finishedAt: new Date().toISOString() },
      { n: 0, t: [] },
    );
    await ws.recordRun({ ...queued, status: "running" });
    expect(await statusOf(ws)).toBe("completed");
    await ws.recordRun({ ...queued, status: "cancelled" });
    expect(await statusOf(ws)).toBe("cancelled");
  });

  it("records the start only of a run still running when the notice is due", async () => {
    const name = `index-late-${crypto.randomUUID()}`;
    const late = workspace(name);
    const row = await admitted(late, "run_index000003");
    const record = (status: RunRecord["status"]) => ({ workspaceId: name, status }) as RunRecord;
    // Ended before the notice: nothing is sent (the end records itself).
    await notifyStartedLater(
      env,
      () => ({ record: record("completed"), summary: { ...row, status: "completed" } }),
      0,
    );
    expect(await statusOf(late)).toBe("queued");
    // Still running: the row says so.
    await notifyStartedLater(
      env,
      () => ({ record: record("running"), summary: { ...row, status: "running" } }),
      0,
    );
    expect(await statusOf(late)).toBe("running");
  });

  it("lists a run that keeps running as running, and its end as its end", async () => {
    const { id } = await startRun({
      collection: collection("Slow", [
        { name: "first", url: `${target()}/get?i=1` },
        { name: "second", url: `${target()}/get?i=2` },
      ]),
      options: { delayRequest: 60_000 },
    });
    await readSse(await api(`/v1/runs/${id}/events`), (m) => m.event === "request.completed");
    const listed = async (status: string) =>
      (
        (await (await api(`/v1/runs?status=${status}&limit=100`)).json()) as { runs: Array<{ id: string }> }
      ).runs.some((r) => r.id === id);
    await vi.waitFor(async () => expect(await listed("running")).toBe(true), {
      timeout: STARTED_NOTICE_MS + 10_000,
      interval: 100,
    });
    expect((await api(`/v1/runs/${id}/cancel`, { method: "POST" })).status).toBe(202);
    await vi.waitFor(async () => expect(await listed("cancelled")).toBe(true), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await listed("running")).toBe(false);
  });
});
