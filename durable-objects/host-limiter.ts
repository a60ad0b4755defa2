/**
 * HostLimiter: one Durable Object per (workspace, target origin). Every run and monitor of the workspace
 * asks it for a send slot before contacting the origin, so "N requests per second" holds across all of
 * them, and a target's 429/503 Retry-After slows the origin down for the whole workspace.
 *
 * Rate: "N per second" must hold at the *target*, i.e. for arrival times, not for grant times — a caller
 * whose timer fires late would otherwise bunch up with the next second's requests. So the object keeps
 * the log of *actual sends*: a request may go only when fewer than N sends were committed in the last
 * `1 s + margin`, and the send is recorded at that moment (the caller fetches right after the answer).
 * A caller that must wait gets a reservation (`at`, `slotId`) that spreads callers fairly; when it wakes
 * it calls `commit(slotId)`, which re-checks the log of actual sends and either records the send or
 * hands out a later reservation. The margin covers the time between the commit and the request reaching
 * the target: a fixed floor plus the largest recent RPC round trip callers report (`lagMs`).
 * The object never sleeps on a caller's behalf. Concurrency: leases with an expiry so a crashed caller
 * cannot hold a slot forever. State is small (≤ 4N timestamps + leases) and checkpointed so limits
 * survive a restart.
 */
import { DurableObject } from "cloudflare:workers";
import { first, type Migration, migrate } from "../platform/sql";
import type { RateLimit } from "../shared/schemas/api";

const LIMITER_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "limiter state",
    up: (sql) =>
      sql.exec(
        "CREATE TABLE IF NOT EXISTS limiter (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)",
      ),
  },
];

/** The limits one origin is held to (shared/schemas/api.ts RateLimit). */
export type LimitSpec = RateLimit;

export interface Grant {
  /** Epoch ms at which the caller may send. */
  at: number;
  /** Lease to release after the response (only when a concurrency cap applies). */
  leaseId: string | null;
  /**
   * null: the send is recorded, fetch now. Otherwise a reservation: wait until `at`, then `commit` it.
   */
  slotId: string | null;
}

/** What a caller observed, so the margin follows the real jitter between commit and arrival. */
export interface CallerReport {
  /** Round trip of the caller's previous acquire/commit call, in its own clock. */
  lagMs?: number;
}

const LEASE_TTL_MS = 120_000;
const WINDOW_MS = 1000;
/**
 * Floor of the margin added to the window so N+1 requests never arrive within one second: the time from
 * the commit to the request reaching the target varies (RPC return, fetch start, the target's own event
 * loop); 25 ms still let 6 of 5 land in one second in 1 of 4 local runs of two 15-request runs on a
 * loaded 2-core machine, 100 ms did not (test/workers/rate-limits.test.ts). Costs ≤ 10% of throughput.
 */
const SAFETY_MS = 100;
/** Reported lags kept to compute the margin (the largest of them counts). */
const LAG_SAMPLES = 16;

export class HostLimiter extends DurableObject<Env> {
  #loaded = false;
  /** Epoch ms of committed sends, ascending. */
  #log: number[] = [];
  /** Pending reservations: slot id → epoch ms at which its caller will commit. */
  #reserved = new Map<string, number>();
  #lags: number[] = [];
  #blockedUntil = 0;
  #leases = new Map<string, number>();
  #waiters: Array<() => void> = [];

  /**
   * Takes a concurrency lease if capped, then a send slot: recorded at once when free now, otherwise a
   * reservation to `commit` at `at`.
   */
  async acquire(spec: LimitSpec, report: CallerReport = {}): Promise<Grant> {
    this.#load();
    this.#noteLag(report);
    let leaseId: string | null = null;
    if (spec.concurrency && spec.concurrency > 0) {
      leaseId = await this.#lease(spec.concurrency);
    }
    const grant = this.#slot(spec, leaseId, false);
    this.#save();
    return grant;
  }

  /**
   * The caller of reservation `slotId` is about to send: records the send if the log of actual sends
   * allows it now, else answers a new reservation (the caller was late and the window filled meanwhile).
   */
  async commit(
    spec: LimitSpec,
    slotId: string,
    leaseId: string | null,
    report: CallerReport = {},
  ): Promise<Grant> {
    this.#load();
    this.#noteLag(report);
    this.#reserved.delete(slotId);
    const grant = this.#slot(spec, leaseId, true);
    this.#save();
    return grant;
  }

  /** A reservation the caller gives up (its request was aborted while waiting). */
  async forget(slotId: string): Promise<void> {
    this.#load();
    if (this.#reserved.delete(slotId)) this.#save();
  }

  #slot(spec: LimitSpec, leaseId: string | null, committing: boolean): Grant {
    const now = Date.now();
    const rps = spec.requestsPerSecond;
    if (!rps || rps <= 0) return { at: Math.max(now, this.#blockedUntil), leaseId, slotId: null };
    // Below 1 per second, one request per 1/rps seconds (0.5 → one every 2 s); above, whole requests.
    const n = Math.max(1, Math.floor(rps));
    const window = (rps < 1 ? WINDOW_MS / rps : WINDOW_MS) + this.#margin();
    this.#log = this.#log.filter((t) => t > now - window);
    for (const [id, at] of this.#reserved) if (at < now - window) this.#reserved.delete(id);
    // The hard rule: fewer than n actual sends in the last window.
    const sent = this.#log.length >= n ? this.#log[this.#log.length - n]! + window : 0;
    // Fairness: a new caller also queues behind the reservations of callers already waiting.
    const all = [...this.#log, ...this.#reserved.values()].sort((a, b) => a - b);
    const pivot = all.length >= n ? all[all.length - n]! + window : 0;
    if (now >= this.#blockedUntil && now >= sent && (committing || now >= pivot)) {
      this.#log.push(now);
      return { at: now, leaseId, slotId: null };
    }
    const at = Math.max(now, this.#blockedUntil, sent, pivot);
    const slotId = crypto.randomUUID();
    this.#reserved.set(slotId, at);
    return { at, leaseId, slotId };
  }

  #noteLag(report: CallerReport): void {
    const lag = report.lagMs;
    if (lag === undefined || !Number.isFinite(lag) || lag < 0) return;
    this.#lags.push(Math.min(lag, 1000));
    if (this.#lags.length > LAG_SAMPLES) this.#lags.shift();
  }

  /** The floor plus twice the largest recent round trip callers reported (jitter grows with latency). */
  #margin(): number {
    return SAFETY_MS + 2 * Math.max(0, ...this.#lags);
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

  /** Counts for tests and diagnostics: sends in the log, pending reservations, leases, back-off. */
  async snapshot(): Promise<{ sends: number; reservations: number; leases: number; blockedUntil: number }> {
    this.#load();
    return {
      sends: this.#log.length,
      reservations: this.#reserved.size,
      leases: this.#leases.size,
      blockedUntil: this.#blockedUntil,
    };
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
    migrate(this.ctx.storage, LIMITER_MIGRATIONS);
    const row = first<{ data: string }>(this.ctx.storage.sql, "SELECT data FROM limiter WHERE id = 1");
    if (row) {
      const data = JSON.parse(row.data) as {
        log: number[];
        reserved?: Array<[string, number]>;
        lags?: number[];
        blockedUntil: number;
        leases: Array<[string, number]>;
      };
      this.#log = data.log;
      this.#reserved = new Map(data.reserved ?? []);
      this.#lags = data.lags ?? [];
      this.#blockedUntil = data.blockedUntil;
      this.#leases = new Map(data.leases);
    }
    this.#loaded = true;
  }

  #save(): void {
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO limiter (id, data) VALUES (1, ?)",
      JSON.stringify({
        log: this.#log,
        reserved: [...this.#reserved],
        lags: this.#lags,
        blockedUntil: this.#blockedUntil,
        leases: [...this.#leases],
      }),
    );
  }
}
