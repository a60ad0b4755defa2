import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { HostLimiter } from "../../durable-objects/host-limiter";
import { createLimitedFetch } from "../../platform/limited-fetch";
import { CookieJar } from "../../shared/engine/cookie-jar";
import { send } from "../../shared/engine/http";
import { api, collection, readSse, startRun, target } from "./helpers";

async function arrivals(bucket: string): Promise<number[]> {
  const res = await fetch(`${target()}/stats/limited-${bucket}`);
  return ((await res.json()) as { times: number[] }).times.sort((a, b) => a - b);
}

/** Largest number of arrivals inside any 1-second sliding window. */
function maxPerSecond(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("rate limits", () => {
  it("keeps a target at ≤ N requests in any second across concurrent runs of a workspace", async () => {
    const bucket = crypto.randomUUID().slice(0, 8);
    const coll = collection(
      "Limited",
      Array.from({ length: 6 }, (_, i) => ({ name: `r${i}`, url: `${target()}/limited/${bucket}?i=${i}` })),
    );
    const options = { rateLimit: { requestsPerSecond: 5 } };
    const runs = await Promise.all([1, 2, 3].map(() => startRun({ collection: coll, options })));
    const streams = await Promise.all(
      runs.map(async ({ id }) => readSse(await api(`/v1/runs/${id}/events`))),
    );
    for (const s of streams) expect(s.at(-1)!.event).toBe("run.completed");
    const times = await arrivals(bucket);
    expect(times).toHaveLength(18);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(5);
    // The wait is visible in the request's timings.
    const waits = streams
      .flat()
      .filter((m) => m.event === "request.completed")
      .map((m) => (m.data.timings as { waitMs: number }).waitMs);
    expect(Math.max(...waits)).toBeGreaterThan(0);
  });

  it("holds two concurrent runs of 15 requests at 5 req/s to ≤ 5 arrivals in any second", async () => {
    const bucket = crypto.randomUUID().slice(0, 8);
    const coll = collection(
      "Limited 2x15",
      Array.from({ length: 15 }, (_, i) => ({ name: `r${i}`, url: `${target()}/limited/${bucket}?i=${i}` })),
    );
    const options = { rateLimit: { requestsPerSecond: 5 } };
    const runs = await Promise.all([1, 2].map(() => startRun({ collection: coll, options })));
    const streams = await Promise.all(
      runs.map(async ({ id }) => readSse(await api(`/v1/runs/${id}/events`))),
    );
    for (const s of streams) expect(s.at(-1)!.event).toBe("run.completed");
    const times = await arrivals(bucket);
    expect(times).toHaveLength(30);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(5);
  }, 60_000);

  it("counts actual sends, not grants: a caller that sends late does not let N+1 land in one second", async () => {
    const stub = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(`late|${crypto.randomUUID()}`));
    const spec = { requestsPerSecond: 5 };
    const sends: number[] = [];
    let granted = 0;
    // One caller: take a slot, sleep until a reserved one (the 6th caller's timer fires 300 ms late:
    // granting by reservation time alone then lets it and the next 5 land within one second), commit,
    // send. An immediate grant is sent at once, as limited-fetch does.
    const caller = async () => {
      let grant = await stub.acquire(spec);
      const late = ++granted === 6;
      while (grant.slotId) {
        await new Promise((r) => setTimeout(r, Math.max(0, grant.at - Date.now()) + (late ? 300 : 0)));
        grant = await stub.commit(spec, grant.slotId, grant.leaseId);
      }
      sends.push(Date.now());
    };
    await Promise.all(Array.from({ length: 15 }, () => caller()));
    expect(sends).toHaveLength(15);
    expect(maxPerSecond(sends.sort((a, b) => a - b))).toBeLessThanOrEqual(5);
  }, 60_000);

  it("spaces requests 1/rps seconds apart below one per second", async () => {
    const stub = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(`slow|${crypto.randomUUID()}`));
    const first = await stub.acquire({ requestsPerSecond: 0.5 });
    const second = await stub.acquire({ requestsPerSecond: 0.5 });
    expect(first.slotId).toBeNull();
    expect(second.slotId).not.toBeNull();
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000);
  });

  it("a cancel ends the wait for a slot at once and gives the reservation back", async () => {
    const workspace = `cancel-${crypto.randomUUID()}`;
    const limited = createLimitedFetch(env, workspace, { requestsPerSecond: 1 });
    const stub = env.HOST_LIMITER.get(
      env.HOST_LIMITER.idFromName(`${workspace}|${new URL(target()).origin}`),
    );
    await (await limited.fetch(new Request(`${target()}/get`))).arrayBuffer();
    const controller = new AbortController();
    const waiting = limited.fetch(new Request(`${target()}/get`, { signal: controller.signal }));
    await vi.waitFor(async () => expect((await stub.snapshot()).reservations).toBe(1));
    controller.abort("cancelled by request");
    await expect(waiting).rejects.toBe("cancelled by request");
    expect(await stub.snapshot()).toMatchObject({ sends: 1, reservations: 0 });
  });

  it("in workerd, the run's signal aborts a response whose body never ends", async () => {
    let headers!: () => void;
    const arrived = new Promise<void>((resolve) => {
      headers = resolve;
    });
    const controller = new AbortController();
    const pending = send(
      { method: "GET", url: `${target()}/drip`, headers: [] },
      undefined,
      (s) => s,
      { profile: {}, maxBodyBytes: 1024, timeoutMs: 300_000 },
      {
        fetch: async (r) => {
          const res = await fetch(r);
          headers();
          return res;
        },
        jar: new CookieJar(),
        checkTarget: () => null,
        now: () => Date.now(),
        signal: controller.signal,
      },
    );
    await arrived;
    controller.abort("cancelled by request");
    const result = await pending;
    expect(result.response).toBeUndefined();
    expect(result.error).toEqual({ name: "AbortError", message: "request aborted: cancelled by request" });
  });

  it("applies a workspace's default per-origin limit to runs that set none; runs may only tighten it", async () => {
    const created = await api("/v1/admin/workspaces", {
      method: "POST",
      key: "edgerun-test-admin",
      body: JSON.stringify({ name: "limited", rateLimit: { requestsPerSecond: 4 } }),
    });
    expect(created.status).toBe(201);
    const { workspace, apiKey } = (await created.json()) as { workspace: { id: string }; apiKey: string };
    const bucket = crypto.randomUUID().slice(0, 8);
    const coll = collection(
      "Workspace limited",
      Array.from({ length: 5 }, (_, i) => ({ name: `r${i}`, url: `${target()}/limited/${bucket}?i=${i}` })),
    );
    const start = async (options: Record<string, unknown>) => {
      const res = await api("/v1/runs", {
        method: "POST",
        key: apiKey,
        body: JSON.stringify({ collection: coll, options }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    // One run without options, one that asks for more than the workspace allows.
    const ids = await Promise.all([start({}), start({ rateLimit: { requestsPerSecond: 50 } })]);
    for (const id of ids) {
      const events = await readSse(await api(`/v1/runs/${id}/events`, { key: apiKey }));
      expect(events.at(-1)!.event).toBe("run.completed");
    }
    const times = await arrivals(bucket);
    expect(times).toHaveLength(10);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(4);

    // The admin API changes and removes the default.
    const patch = (body: unknown) =>
      api(`/v1/admin/workspaces/${workspace.id}`, {
        method: "PATCH",
        key: "edgerun-test-admin",
        body: JSON.stringify(body),
      });
    const changed = (await (await patch({ rateLimit: { concurrency: 2 } })).json()) as {
      workspace: { rateLimit: unknown };
    };
    expect(changed.workspace.rateLimit).toEqual({ concurrency: 2 });
    const removed = (await (await patch({ rateLimit: null })).json()) as {
      workspace: { rateLimit?: unknown };
    };
    expect(removed.workspace.rateLimit).toBeUndefined();
    expect((await patch({ rateLimit: { requestsPerSecond: -1 } })).status).toBe(400);
  });

  it("honours a target's Retry-After for the whole workspace and retries with options.retry", async () => {
    const { id } = await startRun({
      collection: collection("Retry", [{ name: "busy", url: `${target()}/status/503?retry-after=1` }]),
      options: { retry: 1, rateLimit: { concurrency: 2 } },
    });
    const all = await readSse(await api(`/v1/runs/${id}/events`));
    const req = all.find((m) => m.event === "request.completed")!.data as any;
    expect(req.attempts).toBe(2);
    expect(req.retries[0]).toMatchObject({ attempt: 1, code: 503 });
    expect(req.retries[0].delayMs).toBeGreaterThanOrEqual(1000);
  });

  it("keeps limiter state across a Durable Object restart", async () => {
    const name = `test|${crypto.randomUUID()}`;
    const stub = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(name));
    const until = Date.now() + 60_000;
    await stub.backOff(until);
    await runInDurableObject(stub, async (_instance: HostLimiter, state) => {
      const rows = state.storage.sql.exec<{ data: string }>("SELECT data FROM limiter").toArray();
      expect(JSON.parse(rows[0]!.data).blockedUntil).toBe(until);
    });
    await abortAllDurableObjects(); // a fresh instance must load the persisted state
    const fresh = env.HOST_LIMITER.get(env.HOST_LIMITER.idFromName(name));
    const grant = await fresh.acquire({ requestsPerSecond: 10 });
    expect(grant.at).toBeGreaterThanOrEqual(until);
  });

  it("answers API calls with RateLimit headers", async () => {
    const res = await api("/v1/runs");
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toMatch(/q=\d+;w=60/);
    expect(res.headers.get("ratelimit")).toMatch(/r=\d+;t=\d+/);
  });
});
