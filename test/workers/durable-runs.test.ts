import { abortAllDurableObjects, evictAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, collection, readSse, type SseMessage, startRun, target } from "./helpers";

const slow = (n: number, ms = 150) =>
  collection(
    "Slow",
    Array.from({ length: n }, (_, i) => ({ name: `r${i}`, url: `${target()}/delay/${ms}?i=${i}` })),
  );

function assertContiguous(messages: SseMessage[]): void {
  const ids = messages.map((m) => m.id);
  expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
}

async function finish(id: string, after = 0): Promise<SseMessage[]> {
  return readSse(await api(`/v1/runs/${id}/events`, { headers: { "last-event-id": String(after) } }));
}

describe("durable runs", () => {
  for (const [label, fault] of [
    ["aborted (crash)", abortAllDurableObjects],
    ["evicted", () => evictAllDurableObjects()],
  ] as const) {
    it(`resumes after the run's Durable Object is ${label} mid-run, with no lost or duplicated events`, async () => {
      const { id } = await startRun({ collection: slow(6) });
      const before = await readSse(
        await api(`/v1/runs/${id}/events`),
        (m) => m.event === "request.completed" && m.id >= 4,
      );
      await fault();
      const after = await finish(id, before.at(-1)!.id);
      const all = [...before, ...after];
      assertContiguous(all);
      const completed = all.filter((m) => m.event === "request.completed");
      expect(completed.map((m) => (m.data.item as { name: string }).name)).toEqual([
        "r0",
        "r1",
        "r2",
        "r3",
        "r4",
        "r5",
      ]);
      // At most the one request in flight at the fault is re-sent, and its event says so.
      expect(completed.filter((m) => m.data.resent === true).length).toBeLessThanOrEqual(1);
      expect(all.at(-1)!.event).toBe("run.completed");
    });
  }

  it("a crash inside a group commit loses nothing, repeats nothing, and flags only what may have been re-sent", async () => {
    const n = 60;
    const fast = collection(
      "Fast",
      Array.from({ length: n }, (_, i) => ({ name: `f${i}`, url: `${target()}/get?i=${i}` })),
    );
    const { id } = await startRun({ collection: fast });
    const before = await readSse(
      await api(`/v1/runs/${id}/events`),
      (m) => m.event === "request.completed" && (m.data.item as { name: string }).name === "f5",
    );
    await abortAllDurableObjects();
    const after = await finish(id, before.at(-1)!.id);
    const all = [...before, ...after];
    assertContiguous(all);
    const completed = all.filter((m) => m.event === "request.completed");
    expect(completed.map((m) => (m.data.item as { name: string }).name)).toEqual(
      Array.from({ length: n }, (_, i) => `f${i}`),
    );
    // Requests whose events were committed before the crash are never flagged; at most one group
    // commit's worth after it may be.
    const flagged = completed.map((m) => m.data.resent === true);
    expect(flagged.slice(0, 6).every((f) => !f)).toBe(true);
    expect(flagged.filter(Boolean).length).toBeLessThanOrEqual(16);
    expect(all.at(-1)!.event).toBe("run.completed");
  });

  it("cancels within one request, keeps partial stats, and is idempotent", async () => {
    const { id } = await startRun({ collection: slow(20, 100) });
    await readSse(await api(`/v1/runs/${id}/events`), (m) => m.event === "request.completed");
    const cancel = await api(`/v1/runs/${id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(202);
    const all = await finish(id);
    assertContiguous(all);
    const last = all.at(-1)!;
    expect(last.event).toBe("run.cancelled");
    const done = all.filter((m) => m.event === "request.completed").length;
    expect(done).toBeLessThan(20);
    expect((last.data.stats as { requests: { total: number } }).requests.total).toBe(done);
    const again = await api(`/v1/runs/${id}/cancel`, { method: "POST" });
    expect(((await again.json()) as { status: string }).status).toBe("cancelled");
    expect((await finish(id)).length).toBe(all.length);
  });

  it("serves Newman JSON and JUnit reports once finished", async () => {
    const { id } = await startRun({
      collection: collection("Report", [
        { name: "ok", url: `${target()}/get` },
        { name: "missing", url: `${target()}/status/404` },
      ]),
    });
    await finish(id);
    const newman = (await (await api(`/v1/runs/${id}/report?format=newman`)).json()) as any;
    expect(newman.run.stats.requests.total).toBe(2);
    expect(newman.run.executions).toHaveLength(2);
    expect(newman.run.executions[1].response.code).toBe(404);
    const junit = await api(`/v1/runs/${id}/report?format=junit`);
    expect(junit.headers.get("content-type")).toContain("xml");
    expect(await junit.text()).toContain("<testsuites");
    const bad = await api(`/v1/runs/${id}/report?format=pdf`);
    expect(bad.status).toBe(400);
  });

  it("lists runs newest first with status filter and cursor pagination", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await startRun({
        collection: collection(`List${i}`, [{ name: "a", url: `${target()}/get` }]),
      });
      await finish(id);
      ids.push(id);
    }
    const first = (await (await api("/v1/runs?limit=2&status=completed")).json()) as any;
    expect(first.runs).toHaveLength(2);
    expect(first.runs.every((r: { status: string }) => r.status === "completed")).toBe(true);
    expect(first.nextCursor).toBeTruthy();
    const second = (await (
      await api(`/v1/runs?limit=2&status=completed&cursor=${first.nextCursor}`)
    ).json()) as any;
    const seen = [...first.runs, ...second.runs].map((r: { id: string }) => r.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.indexOf(ids[2]!)).toBeLessThan(
      seen.indexOf(ids[1]!) === -1 ? Infinity : seen.indexOf(ids[1]!),
    );
    expect((await api("/v1/runs?status=bogus")).status).toBe(400);
  });

  it("honours Idempotency-Key: same body replays, another body is 422", async () => {
    const body = { collection: collection("Idem", [{ name: "a", url: `${target()}/get` }]) };
    const key = `k-${crypto.randomUUID()}`;
    const a = await startRun(body, { "idempotency-key": key });
    const b = await startRun(body, { "idempotency-key": key });
    expect(b.id).toBe(a.id);
    const c = await startRun({ ...body, options: { bail: true } }, { "idempotency-key": key });
    expect(c.res.status).toBe(422);
    expect(c.res.headers.get("content-type")).toContain("problem+json");
  });

  it("ends a run failed with a clear reason when the whole-run timeout passes", async () => {
    const { id } = await startRun({ collection: slow(10, 200), options: { timeout: 300 } });
    const all = await finish(id);
    const last = all.at(-1)!;
    expect(last.event).toBe("run.failed");
    expect(String(last.data.reason)).toContain("timeout");
    const summary = (await (await api(`/v1/runs/${id}`)).json()) as any;
    expect(summary.status).toBe("failed");
  });

  it("rejects invalid options with pointers", async () => {
    const res = await api("/v1/runs", {
      method: "POST",
      body: JSON.stringify({ collection: slow(1), options: { region: "mars", parallel: 99, nope: 1 } }),
    });
    expect(res.status).toBe(400);
    const pointers = ((await res.json()) as any).errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["/options/region", "/options/parallel"]));
  });

  it("records the requested region", async () => {
    const { id } = await startRun({ collection: slow(1, 0), options: { region: "weur" } });
    await finish(id);
    const summary = (await (await api(`/v1/runs/${id}`)).json()) as any;
    expect(summary.region.requested).toBe("weur");
  });

  it("runs iterations in parallel with strictly ordered events and isolated variables", async () => {
    const coll = collection("Parallel", [
      { name: "a", url: `${target()}/delay/100` },
      { name: "b", url: `${target()}/get` },
    ]);
    const { id } = await startRun({ collection: coll, options: { iterationCount: 4, parallel: 4 } });
    const all = await finish(id);
    assertContiguous(all);
    expect(all.filter((m) => m.event === "request.completed")).toHaveLength(8);
    expect(all.filter((m) => m.event === "iteration.completed")).toHaveLength(4);
    expect(all.at(-1)!.event).toBe("run.completed");
  });
});
