/**
 * HostLimiter: one Durable Object per (workspace, target origin). Every run and monitor of the workspace
 * asks it for a send slot before contacting the origin, so "N requests per second" holds across all of
 * them, and a target's 429/503 Retry-After slows the origin down for the whole workspace.
 *
 * Rate: a sliding-window reservation log — a caller gets the earliest time at which sending keeps every
 * 1-second window at ≤ N requests, and waits until then itself (the object never sleeps on a caller's
 * behalf). Concurrency: leases with an expiry so a crashed caller cannot hold a slot forever.
 * State is small (≤ N timestamps + leases) and checkpointed so limits survive a restart.
 */
import { DurableObject } from "cloudflare:workers";
import type { RateLimit } from "../shared/schemas/api";

/** The limits one origin is held to (shared/schemas/api.ts RateLimit). */
export type LimitSpec = RateLimit;

export interface Grant {
  /** Epoch ms at which the caller may send. */
  at: number;
  /** Lease to release after the response (only when a concurrency cap applies). */
  leaseId: string | null;
}

const LEASE_TTL_MS = 120_000;
/** Margin added to the window so scheduling jitter never lets N+1 requests land in one second. */
const WINDOW_MS = 1000;
const SAFETY_MS = 25;

export class HostLimiter extends DurableObject<Env> {
  #loaded = false;
  #log: number[] = [];
  #blockedUntil = 0;
  #leases = new Map<string, number>();
  #waiters: Array<() => void> = [];

  /** Reserves the next send slot (and a concurrency lease if capped); waits for a free lease if needed. */
  async acquire(spec: LimitSpec): Promise<Grant> {
    this.#load();
    let leaseId: string | null = null;
    if (spec.concurrency && spec.concurrency > 0) {
      leaseId = await this.#lease(spec.concurrency);
    }
    const now = Date.now();
    let at = Math.max(now, this.#blockedUntil);
    const rps = spec.requestsPerSecond;
    if (rps && rps > 0) {
      const n = Math.max(1, Math.floor(rps));
      const horizon = at - WINDOW_MS - SAFETY_MS;
      this.#log = this.#log.filter((t) => t > horizon);
      if (this.#log.length >= n) {
        // The slot after the n-th most recent reservation leaves its 1-second window.
        const pivot = this.#log[this.#log.length - n]!;
        at = Math.max(at, pivot + WINDOW_MS + SAFETY_MS);
      }
      this.#log.push(at);
      this.#log.sort((a, b) => a - b);
      if (this.#log.length > n * 4) this.#log = this.#log.slice(-n * 2);
    }
    this.#save();
    return { at, leaseId };
  }

  async release(leaseId: string): Promise<void> {
    this.#load();
    if (this.#leases.delete(leaseId)) {
      this.#save();
      this.#waiters.shift()?.();
    }
  }

  /** A 429/503 with Retry-After from the target: nobody in the workspace sends to it before then. */
  async backOff(untilMs: number): Promise<void> {
    this.#load();
    if (untilMs > this.#blockedUntil) {
      this.#blockedUntil = untilMs;
      this.#save();
    }
  }

  async snapshot(): Promise<{ reservations: number; leases: number; blockedUntil: number }> {
    this.#load();
    return { reservations: this.#log.length, leases: this.#leases.size, blockedUntil: this.#blockedUntil };
  }

  async #lease(cap: number): Promise<string> {
    for (;;) {
      const now = Date.now();
      for (const [id, exp] of this.#leases) if (exp < now) this.#leases.delete(id);
      if (this.#leases.size < cap) {
        const id = crypto.randomUUID();
        this.#leases.set(id, now + LEASE_TTL_MS);
        return id;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #load(): void {
    if (this.#loaded) return;
    const sql = this.ctx.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS limiter (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)",
    );
    const row = sql.exec<{ data: string }>("SELECT data FROM limiter WHERE id = 1").toArray()[0];
    if (row) {
      const data = JSON.parse(row.data) as {
        log: number[];
        blockedUntil: number;
        leases: Array<[string, number]>;
      };
      this.#log = data.log;
      this.#blockedUntil = data.blockedUntil;
      this.#leases = new Map(data.leases);
    }
    this.#loaded = true;
  }

  #save(): void {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO limiter (id, data) VALUES (1, ?)",
      JSON.stringify({ log: this.#log, blockedUntil: this.#blockedUntil, leases: [...this.#leases] }),
    );
  }
}
