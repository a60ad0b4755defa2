/**
 * The Worker's per-isolate cache of verified API keys and recent runs: an entry is answered only within
 * its time bound (so a key revoked in another isolate stops working within API_KEY_CACHE_MS), the
 * oldest entry goes when the cache is full, and a workspace's keys can be dropped at once.
 */
import { describe, expect, it } from "vitest";
import { API_KEY_CACHE_MS } from "../../workers/middleware/auth";
import { TtlCache } from "../../workers/ttl-cache";

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("TtlCache", () => {
  it("answers an entry within its bound and never after it", () => {
    const c = clock();
    const cache = new TtlCache<string>({ ttlMs: API_KEY_CACHE_MS, max: 10, now: c.now });
    cache.set("er_key", "ws1");
    c.advance(API_KEY_CACHE_MS - 1);
    expect(cache.get("er_key")).toBe("ws1");
    c.advance(1);
    expect(cache.get("er_key")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("bounds a verified key at 30 s, so a key revoked elsewhere is refused within that", () => {
    expect(API_KEY_CACHE_MS).toBe(30_000);
  });

  it("restarts the bound when an entry is stored again, and evicts the oldest entry when full", () => {
    const c = clock();
    const cache = new TtlCache<number>({ ttlMs: 100, max: 2, now: c.now });
    cache.set("a", 1);
    cache.set("b", 2);
    c.advance(60);
    cache.set("a", 3);
    cache.set("c", 4);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(3);
    c.advance(60);
    expect(cache.get("a")).toBe(3);
    expect(cache.get("c")).toBe(4);
  });

  it("drops every entry of a workspace at once (a revocation served by this isolate)", () => {
    const cache = new TtlCache<{ workspaceId: string }>({ ttlMs: 1000, max: 10 });
    cache.set("k1", { workspaceId: "ws1" });
    cache.set("k2", { workspaceId: "ws2" });
    cache.set("k3", { workspaceId: "ws1" });
    cache.deleteWhere((v) => v.workspaceId === "ws1");
    expect([cache.get("k1"), cache.get("k2")?.workspaceId, cache.get("k3")]).toEqual([
      undefined,
      "ws2",
      undefined,
    ]);
  });

  it("stores nothing with a zero bound", () => {
    const cache = new TtlCache<number>({ ttlMs: 0, max: 10 });
    cache.set("a", 1);
    expect(cache.get("a")).toBeUndefined();
  });
});
