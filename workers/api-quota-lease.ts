/**
 * The per-key API quota, spent from leases: the isolate asks the key's Workspace object for a few calls
 * of the current window at once and spends them without a Durable Object call per API request (one
 * such call cost ≈ 0.35 ms of workerd CPU locally, two per run). The Workspace still counts every
 * granted call, so a key never gets more than its limit per window across isolates; what a lease
 * changes is when usage elsewhere is noticed (at this isolate's next lease), and that a lease left
 * unspent when its window ends is lost (a key may then be refused slightly before its limit).
 *
 * Leases grow with the calls this isolate made for the key in the window (1, 1, 2, 4, … up to
 * `MAX_LEASE`, and never more than a sixteenth of the limit), so a key's first calls — and every call
 * of a small limit — are counted one by one exactly as before. One lease request at a time per key:
 * calls arriving meanwhile wait for it. A refusal is remembered until the window ends (a window's
 * count never goes down).
 */
import type { QuotaResult } from "../durable-objects/workspace";

/** The most calls one lease holds. */
export const MAX_LEASE = 32;

/** Asks the key's Workspace for up to `want` calls (`granted: 0`: refused). */
export type LeaseSource = (q: {
  keyHash: string;
  limit: number;
  windowSec: number;
  want: number;
}) => Promise<QuotaResult & { granted: number }>;

interface Lease {
  window: number;
  /**
   * When the lease ends on this isolate's clock: the end of the Workspace's window as it answered it
   * (`reset`, less a second for its rounding), so no call is spent in a window the Workspace no longer
   * counts it in, whatever the two clocks say.
   */
  expires: number;
  /** Calls of the lease not spent yet. */
  left: number;
  /** The Workspace's `remaining` when it granted the lease (calls no lease holds). */
  unleased: number;
  /** Calls this isolate made for the key in this window (sizes the next lease). */
  calls: number;
  refused: boolean;
}

export class ApiQuotaLeases {
  readonly #leases = new Map<string, Lease>();
  /** Lease requests in flight, per key: concurrent calls wait for it instead of asking too. */
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: { max?: number; now?: () => number } = {}) {
    this.#max = opts.max ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Counts one call of the key: from its lease when it holds one for this window, else from a new
   * lease. Answers the numbers for the `RateLimit` headers (`remaining`: the Workspace's unleased calls plus
   * what this isolate's lease still holds).
   */
  async consume(
    q: { keyHash: string; limit: number; windowSec: number },
    source: LeaseSource,
  ): Promise<QuotaResult> {
    const id = `${q.keyHash}:${q.limit}:${q.windowSec}`;
    for (;;) {
      const now = this.#now();
      const window = Math.floor(now / (q.windowSec * 1000));
      const reset = Math.ceil(((window + 1) * q.windowSec * 1000 - now) / 1000);
      const lease = this.#leases.get(id);
      const current = lease && lease.window === window && now < lease.expires ? lease : undefined;
      if (current?.refused) return { allowed: false, limit: q.limit, remaining: 0, reset };
      if (current && current.left > 0) {
        current.left--;
        current.calls++;
        return { allowed: true, limit: q.limit, remaining: current.unleased + current.left, reset };
      }
      const inflight = this.#inflight.get(id);
      if (inflight) {
        await inflight.catch(() => undefined);
        continue;
      }
      return this.#refill(id, q, { window, calls: current?.calls ?? 0, at: now }, source);
    }
  }

  async #refill(
    id: string,
    q: { keyHash: string; limit: number; windowSec: number },
    seen: { window: number; calls: number; at: number },
    source: LeaseSource,
  ): Promise<QuotaResult> {
    const want = Math.max(1, Math.min(MAX_LEASE, Math.floor(q.limit / 16), seen.calls));
    const asked = source({ ...q, want });
    this.#inflight.set(id, asked);
    try {
      const granted = await asked;
      const lease: Lease = {
        window: seen.window,
        expires: seen.at + Math.max(0, granted.reset - 1) * 1000,
        left: Math.max(0, granted.granted - 1),
        unleased: granted.remaining,
        calls: seen.calls + 1,
        refused: granted.granted === 0,
      };
      this.#store(id, lease, seen.window);
      if (lease.refused) return { allowed: false, limit: q.limit, remaining: 0, reset: granted.reset };
      return { allowed: true, limit: q.limit, remaining: lease.unleased + lease.left, reset: granted.reset };
    } finally {
      this.#inflight.delete(id);
    }
  }

  #store(id: string, lease: Lease, window: number): void {
    this.#leases.delete(id);
    if (this.#leases.size >= this.#max) {
      for (const [k, l] of this.#leases) if (l.window < window) this.#leases.delete(k);
      const oldest = this.#leases.keys().next();
      if (this.#leases.size >= this.#max && !oldest.done) this.#leases.delete(oldest.value);
    }
    this.#leases.set(id, lease);
  }
}
