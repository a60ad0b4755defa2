/**
 * The Worker's leases of a key's API quota, against the Workspace's real counter (ApiQuotaCounter):
 * a key never gets more than its limit per window however the calls arrive, the first calls and a
 * small limit are counted one by one, concurrent calls share one lease request, `remaining` is exact
 * for a single isolate, a refusal is kept until the window ends, and usage elsewhere is seen at the
 * next lease.
 */
import { describe, expect, it } from "vitest";
import { ApiQuotaCounter } from "../../durable-objects/api-quota";
import { ApiQuotaLeases, type LeaseSource, MAX_LEASE } from "../../workers/api-quota-lease";

const WINDOW = 60;
const start = 2_000 * 60_000; // a window boundary

function setup(limit: number) {
  let now = start;
  const counter = new ApiQuotaCounter();
  const asked: number[] = [];
  const source: LeaseSource = async (q) => {
    asked.push(q.want);
    return counter.lease({ ...q, now });
  };
  const leases = new ApiQuotaLeases({ now: () => now });
  const call = (keyHash = "k") => leases.consume({ keyHash, limit, windowSec: WINDOW }, source);
  return {
    call,
    counter,
    asked,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
  };
}

describe("ApiQuotaLeases", () => {
  it("counts a small limit call by call, with the same answers as the Workspace's counter", async () => {
    const { call, asked } = setup(3);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await call());
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    // Every call asked for one (limit / 16 < 1); the refusal is remembered for the rest of the window.
    expect(asked).toEqual([1, 1, 1, 1]);
  });

  it("grows leases 1, 1, 2, 4, … up to MAX_LEASE and reports exact remaining for one isolate", async () => {
    const limit = 10_000;
    const { call, asked } = setup(limit);
    for (let i = 1; i <= 200; i++) {
      const r = await call();
      expect(r).toMatchObject({ allowed: true, remaining: limit - i, limit });
    }
    expect(asked.slice(0, 7)).toEqual([1, 1, 2, 4, 8, 16, MAX_LEASE]);
    expect(Math.max(...asked)).toBe(MAX_LEASE);
    expect(asked.length).toBeLessThan(15);
  });

  it("never grants more than the limit, even to a burst of concurrent calls, and asks once at a time", async () => {
    const limit = 160;
    const { call, asked } = setup(limit);
    const results = await Promise.all(Array.from({ length: 400 }, () => call()));
    expect(results.filter((r) => r.allowed)).toHaveLength(limit);
    expect(results.filter((r) => !r.allowed)).toHaveLength(400 - limit);
    // limit / 16 = 10 per lease at most; one lease request per key at a time.
    expect(Math.max(...asked)).toBe(10);
    expect(asked.length).toBeLessThan(30);
  });

  it("starts again with the next window, and sees usage elsewhere at its next lease", async () => {
    const limit = 1_000;
    const { call, counter, advance, at } = setup(limit);
    for (let i = 0; i < 5; i++) await call();
    // Another isolate spends the rest of this window at the Workspace.
    counter.lease({ keyHash: "k", limit, windowSec: WINDOW, want: limit, now: at() });
    const spending = [];
    for (let i = 0; i < 10; i++) spending.push(await call());
    // What this isolate still held is spent, then it is refused (the window is full).
    expect(spending.some((r) => r.allowed)).toBe(true);
    expect(spending.at(-1)).toMatchObject({ allowed: false, remaining: 0 });
    advance(60_000);
    expect(await call()).toMatchObject({ allowed: true, remaining: limit - 1, reset: 60 });
  });

  it("keeps keys apart", async () => {
    const { call } = setup(2);
    await call("a");
    await call("a");
    expect((await call("a")).allowed).toBe(false);
    expect(await call("b")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("lets a failed lease request fail only its own call", async () => {
    const counter = new ApiQuotaCounter();
    let fail = true;
    const source: LeaseSource = async (q) => {
      if (fail) {
        fail = false;
        throw new Error("workspace unreachable");
      }
      return counter.lease({ ...q, now: start });
    };
    const leases = new ApiQuotaLeases({ now: () => start });
    const q = { keyHash: "k", limit: 100, windowSec: WINDOW };
    const [a, b] = await Promise.allSettled([leases.consume(q, source), leases.consume(q, source)]);
    expect(a.status).toBe("rejected");
    expect(b).toMatchObject({ status: "fulfilled", value: { allowed: true, remaining: 99 } });
  });
});

describe("ApiQuotaCounter.lease", () => {
  it("grants up to the limit, counts a refusal as one call, and answers remaining after the grant", () => {
    const q = new ApiQuotaCounter();
    const lease = (want: number) => q.lease({ keyHash: "k", limit: 10, windowSec: WINDOW, want, now: start });
    expect(lease(4)).toEqual({ allowed: true, limit: 10, remaining: 6, reset: 60, granted: 4 });
    expect(lease(8)).toMatchObject({ allowed: true, remaining: 0, granted: 6 });
    expect(lease(1)).toMatchObject({ allowed: false, remaining: 0, granted: 0 });
    expect(q.consume({ keyHash: "k", limit: 10, windowSec: WINDOW, now: start })).toEqual({
      allowed: false,
      limit: 10,
      remaining: 0,
      reset: 60,
    });
  });
});

describe("ApiQuotaLeases across clocks", () => {
  it("never spends more than the limit in one of the Workspace's windows when the clocks disagree", async () => {
    const limit = 64;
    for (const skew of [-30_000, -900, 0, 900, 30_000]) {
      let now = start;
      const counter = new ApiQuotaCounter();
      const source: LeaseSource = async (q) => counter.lease({ ...q, now: now + skew });
      const leases = new ApiQuotaLeases({ now: () => now });
      const spent = new Map<number, number>();
      for (let i = 0; i < 2_000; i++) {
        now += 97; // ≈ 620 calls per minute, ten times the limit
        const r = await leases.consume({ keyHash: "k", limit, windowSec: WINDOW }, source);
        if (!r.allowed) continue;
        const window = Math.floor((now + skew) / (WINDOW * 1000));
        spent.set(window, (spent.get(window) ?? 0) + 1);
      }
      expect(Math.max(...spent.values())).toBeLessThanOrEqual(limit);
      expect(Math.max(...spent.values())).toBeGreaterThan(limit / 2);
    }
  });
});
