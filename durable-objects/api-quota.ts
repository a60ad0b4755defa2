/**
 * The per-key API quota of a Workspace object: fixed windows aligned to the clock (so `reset` is the
 * same for every caller), counted in the object's memory. Every API request used to write its count
 * to SQLite, and each such write is a commit of its own (locally an fsync, ≈ 0.1 ms of kernel CPU; in
 * production a billed row write), twice per run. The trade: a restart of the object (a deploy, an
 * eviction after it went idle) forgets the current window's count, so a key may get up to one extra
 * window's worth of calls then; the object is the only counter for its keys, so isolates never add up.
 */
import type { QuotaResult } from "./workspace";

/** Windows kept before old ones are pruned (one per key that called in the current window). */
const MAX_KEYS = 10_000;

export class ApiQuotaCounter {
  readonly #windows = new Map<string, { window: number; count: number }>();

  /** Counts one call of `keyHash` and answers the numbers for the IETF `RateLimit` headers. */
  consume(q: { keyHash: string; limit: number; windowSec: number; now?: number }): QuotaResult {
    const now = q.now ?? Date.now();
    const window = Math.floor(now / (q.windowSec * 1000));
    const entry = this.#windows.get(q.keyHash);
    const count = entry && entry.window === window ? entry.count + 1 : 1;
    if (!entry && this.#windows.size >= MAX_KEYS) this.#prune(window);
    this.#windows.set(q.keyHash, { window, count });
    const reset = Math.ceil(((window + 1) * q.windowSec * 1000 - now) / 1000);
    return { allowed: count <= q.limit, limit: q.limit, remaining: Math.max(0, q.limit - count), reset };
  }

  #prune(window: number): void {
    for (const [key, entry] of this.#windows) if (entry.window < window) this.#windows.delete(key);
    // Still full of keys of this window: the oldest counts go (their callers start the window again).
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < MAX_KEYS) break;
      this.#windows.delete(key);
    }
  }
}
