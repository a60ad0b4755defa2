/**
 * Run admission is atomic in the Workspace object: 40 concurrent submissions against
 * MAX_ACTIVE_RUNS (20 in tests) admit exactly 20; the rest are 429 problem+json and store nothing.
 * One admitRun call claims the Idempotency-Key, checks the quotas, reserves the index row and answers
 * the settings; the API quota is counted per key in the object's memory.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Workspace } from "../../durable-objects/workspace";
import { api, collection, target } from "./helpers";

const workspace = (name: string) =>
  env.WORKSPACE.get(env.WORKSPACE.idFromName(name)) as DurableObjectStub<Workspace>;

describe("run admission", () => {
  it("admits exactly MAX_ACTIVE_RUNS of 40 concurrent submissions", async () => {
    const created = await api("/v1/admin/workspaces", {
      method: "POST",
      key: "edgerun-test-admin",
      body: JSON.stringify({ name: "admission" }),
    });
    const { apiKey: key } = (await created.json()) as { apiKey: string };
    const body = JSON.stringify({
      collection: collection("Hang", [{ name: "hang", url: `${target()}/hang` }]),
      options: { timeoutRequest: 300_000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => api("/v1/runs", { method: "POST", key, body })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(r.headers.get("content-type")).toContain("application/problem+json");
      expect(r.headers.get("retry-after")).toBeTruthy();
    }
    const ids = await Promise.all(
      answers.filter((a) => a.status === 201).map(async (a) => ((await a.json()) as { id: string }).id),
    );
    const list = (await (await api("/v1/runs?limit=100", { key })).json()) as { runs: Array<{ id: string }> };
    expect(new Set(list.runs.map((r) => r.id))).toEqual(new Set(ids));
    await Promise.all(ids.map((id) => api(`/v1/runs/${id}/cancel`, { method: "POST", key })));
  });

  it("claims the Idempotency-Key with the admission and releases it when the run is refused", async () => {
    const ws = workspace(`admit-${crypto.randomUUID()}`);
    await ws.initialize({
      name: "admit",
      key: { hash: "h".repeat(64), prefix: "er_x", id: "key_admit" },
      rateLimit: { requestsPerSecond: 7 },
    });
    const request = (runId: string, maxActive: number) => ({
      runId,
      maxActive,
      maxPerHour: 100,
      collection: { id: "c", name: "C" },
      monitorId: null,
      requestedRegion: "weur" as const,
      source: { collection: { id: "col_abcdefgh", version: 2 } },
      idempotency: { key: "k", fingerprint: "f1" },
    });
    const refused = await ws.admitRun(request("run_refused0000", 0));
    expect(refused).toMatchObject({ ok: false, retryAfter: 10 });
    const admitted = await ws.admitRun(request("run_admitted000", 5));
    expect(admitted).toEqual({
      ok: true,
      settings: { name: "admit", allowHosts: [], rateLimit: { requestsPerSecond: 7 } },
    });
    expect(await ws.admitRun(request("run_again000000", 5))).toEqual({
      ok: false,
      idempotency: { kind: "replay", runId: "run_admitted000" },
    });
    expect(
      await ws.admitRun({ ...request("run_other000000", 5), idempotency: { key: "k", fingerprint: "f2" } }),
    ).toEqual({ ok: false, idempotency: { kind: "conflict", runId: "run_admitted000" } });
    const page = await ws.listRuns({ limit: 10 });
    expect(page.runs.map((r) => r.id)).toEqual(["run_admitted000"]);
    expect(page.runs[0]).toMatchObject({
      status: "queued",
      region: { requested: "weur", actual: null },
      source: { collection: { id: "col_abcdefgh", version: 2 } },
    });
    await ws.forgetRun("run_admitted000", "k");
    expect(await ws.admitRun(request("run_retry000000", 5))).toMatchObject({ ok: true });
  });

  it("counts API calls per key in the Workspace object, without a storage write", async () => {
    const ws = workspace(`quota-${crypto.randomUUID()}`);
    await ws.hasRun("run_none"); // the object's schema exists, so its tables can be read below
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await ws.consumeApiQuota("key-a", 2, 60));
    expect(counts.map((q) => [q.allowed, q.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect((await ws.consumeApiQuota("key-b", 2, 60)).remaining).toBe(1);
    const rows = await runInDurableObject(ws, (_i, state) =>
      state.storage.sql.exec("SELECT * FROM api_quota").toArray(),
    );
    expect(rows).toEqual([]);
  });
});
