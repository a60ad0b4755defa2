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
    const { granted: _granted, ...result } = this.lease({ ...q, want: 1 });
    return result;
  }

  /**
   * Grants up to `want` calls of `keyHash` in the current window at once (fewer near the limit; none
   * past it, which still counts as one call): an isolate spends a lease without asking again. The
   * numbers answered are after the grant, so `remaining` excludes what the lease holds.
   */
  lease(q: {
    keyHash: string;
    limit: number;
    windowSec: number;
    want: number;
    now?: number;
  }): QuotaResult & { granted: number } {
    const now = q.now ?? Date.now();
    const window = Math.floor(now / (q.windowSec * 1000));
    const entry = this.#windows.get(q.keyHash);
    const used = entry && entry.window === window ? entry.count : 0;
    const granted = Math.max(0, Math.min(Math.max(1, Math.floor(q.want)), q.limit - used));
    const count = used + Math.max(1, granted);
    if (!entry && this.#windows.size >= MAX_KEYS) this.#prune(window);
    this.#windows.set(q.keyHash, { window, count });
    const reset = Math.ceil(((window + 1) * q.windowSec * 1000 - now) / 1000);
    return {
      allowed: granted > 0,
      limit: q.limit,
      remaining: Math.max(0, q.limit - count),
      reset,
      granted,
    };
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
