/**
 * Workspace: one Durable Object per workspace. It is the workspace's index (runs by state, idempotency
 * keys, API key hashes), so listing and lookups never scan run objects, and every key it stores is
 * already scoped to the workspace by the object's own name.
 */
import { DurableObject } from "cloudflare:workers";
import type { RunStatus, RunSummary } from "../shared/schemas/api";

const SCHEMA_VERSION = 1;
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface RunListQuery {
  status?: RunStatus;
  monitorId?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface RunListPage {
  runs: RunSummary[];
  nextCursor: string | null;
}

export interface QuotaResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

export interface WorkspaceSettings {
  name: string;
  /** Hosts (exact, or `*.example.com`) runs may reach even when the target policy would refuse them. */
  allowHosts: string[];
  /** Per-origin limits every run of the workspace honours (runs may only tighten them). */
  rateLimit?: { requestsPerSecond?: number; concurrency?: number };
}

export type IdempotencyResult =
  | { kind: "new" }
  | { kind: "replay"; runId: string }
  | { kind: "conflict"; runId: string };

export class Workspace extends DurableObject<Env> {
  #ready = false;

  /** Names the workspace and stores the hash of its first API key (admin API). */
  async initialize(
    name: string,
    keyHash: string,
    allowHosts: string[] = [],
    rateLimit?: WorkspaceSettings["rateLimit"],
  ): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('name', ?)", name);
    this.#setMeta("allowHosts", JSON.stringify(allowHosts));
    if (rateLimit) this.#setMeta("rateLimit", JSON.stringify(rateLimit));
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO api_keys (hash, created_at) VALUES (?, ?)",
      keyHash,
      Date.now(),
    );
  }

  /** The workspace's settings; null when the workspace was never created. */
  async settings(): Promise<WorkspaceSettings | null> {
    this.#ensure();
    const name = this.#meta("name");
    if (name === null) return null;
    const rateLimit = this.#meta("rateLimit");
    return {
      name,
      allowHosts: JSON.parse(this.#meta("allowHosts") ?? "[]") as string[],
      ...(rateLimit
        ? { rateLimit: JSON.parse(rateLimit) as NonNullable<WorkspaceSettings["rateLimit"]> }
        : {}),
    };
  }

  /** Updates the workspace's settings; `rateLimit: null` removes the workspace default. */
  async updateSettings(update: {
    allowHosts?: string[];
    rateLimit?: WorkspaceSettings["rateLimit"] | null;
  }): Promise<WorkspaceSettings | null> {
    this.#ensure();
    if (this.#meta("name") === null) return null;
    if (update.allowHosts) this.#setMeta("allowHosts", JSON.stringify(update.allowHosts));
    if (update.rateLimit === null) this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'rateLimit'");
    else if (update.rateLimit) this.#setMeta("rateLimit", JSON.stringify(update.rateLimit));
    return this.settings();
  }

  #meta(key: string): string | null {
    const row = this.ctx.storage.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", key).toArray()[0];
    return row?.v ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", key, value);
  }

  async verifyApiKey(keyHash: string): Promise<boolean> {
    this.#ensure();
    return this.ctx.storage.sql.exec("SELECT 1 FROM api_keys WHERE hash = ?", keyHash).toArray().length > 0;
  }

  /**
   * Fixed-window API quota per key (the key's hash): answers the numbers for the IETF `RateLimit` headers.
   * Windows are aligned to the minute so `reset` is the same for every caller.
   */
  async consumeApiQuota(keyHash: string, limit: number, windowSec: number): Promise<QuotaResult> {
    this.#ensure();
    const now = Date.now();
    const window = Math.floor(now / (windowSec * 1000));
    const row = this.ctx.storage.sql
      .exec<{ window: number; count: number }>("SELECT window, count FROM api_quota WHERE key = ?", keyHash)
      .toArray()[0];
    const count = row && row.window === window ? row.count + 1 : 1;
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO api_quota (key, window, count) VALUES (?, ?, ?)",
      keyHash,
      window,
      count,
    );
    const reset = Math.ceil(((window + 1) * windowSec * 1000 - now) / 1000);
    return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), reset };
  }

  /** Per-workspace run admission: caps on concurrently active runs and on runs started per hour. */
  async admitRun(
    maxActive: number,
    maxPerHour: number,
  ): Promise<{ ok: true } | { ok: false; reason: string; retryAfter: number }> {
    this.#ensure();
    const active = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')")
      .one().n;
    if (active >= maxActive) {
      return {
        ok: false,
        reason: `this workspace already has ${active} active runs (limit ${maxActive})`,
        retryAfter: 10,
      };
    }
    const since = new Date(Date.now() - 3600_000).toISOString();
    const lastHour = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM runs WHERE created_at > ?", since)
      .one().n;
    if (lastHour >= maxPerHour) {
      return {
        ok: false,
        reason: `this workspace started ${lastHour} runs in the last hour (limit ${maxPerHour})`,
        retryAfter: 60,
      };
    }
    return { ok: true };
  }

  /** Upserts the run's row in the index; called by the run's coordinator on every state change. */
  async recordRun(summary: RunSummary): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO runs (id, created_at, status, monitor_id, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data`,
      summary.id,
      summary.createdAt,
      summary.status,
      summary.monitorId,
      JSON.stringify(summary),
    );
  }

  /** Drops a run from the index when its retention ends. */
  async forgetRun(id: string): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec("DELETE FROM runs WHERE id = ?", id);
  }

  async hasRun(id: string): Promise<boolean> {
    this.#ensure();
    return this.ctx.storage.sql.exec("SELECT 1 FROM runs WHERE id = ?", id).toArray().length > 0;
  }

  /** Newest first, keyset-paginated on (created_at, id) so pages stay stable while runs are added. */
  async listRuns(query: RunListQuery): Promise<RunListPage> {
    this.#ensure();
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (query.status) {
      where.push("status = ?");
      args.push(query.status);
    }
    if (query.monitorId) {
      where.push("monitor_id = ?");
      args.push(query.monitorId);
    }
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor);
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      args.push(createdAt, createdAt, id);
    }
    const sql = `SELECT id, created_at, data FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.ctx.storage.sql
      .exec<{ id: string; created_at: string; data: string }>(sql, ...args, query.limit + 1)
      .toArray();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      runs: page.map((r) => JSON.parse(r.data) as RunSummary),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /**
   * Claims an Idempotency-Key for a request body fingerprint. The same key and body within 24 h replays the
   * original run; the same key with another body is a conflict.
   */
  async claimIdempotencyKey(key: string, fingerprint: string, runId: string): Promise<IdempotencyResult> {
    this.#ensure();
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM idempotency WHERE created_at < ?", now - IDEMPOTENCY_TTL_MS);
    const row = this.ctx.storage.sql
      .exec<{ fingerprint: string; run_id: string }>(
        "SELECT fingerprint, run_id FROM idempotency WHERE key = ?",
        key,
      )
      .toArray()[0];
    if (row)
      return row.fingerprint === fingerprint
        ? { kind: "replay", runId: row.run_id }
        : { kind: "conflict", runId: row.run_id };
    this.ctx.storage.sql.exec(
      "INSERT INTO idempotency (key, fingerprint, run_id, created_at) VALUES (?, ?, ?, ?)",
      key,
      fingerprint,
      runId,
      now,
    );
    return { kind: "new" };
  }

  /** Releases a claimed key when the run could not be created, so a retry is not blocked. */
  async releaseIdempotencyKey(key: string, runId: string): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec("DELETE FROM idempotency WHERE key = ? AND run_id = ?", key, runId);
  }

  #ensure(): void {
    if (this.#ready) return;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS schema_meta (version INTEGER NOT NULL)");
    const row = sql.exec<{ version: number }>("SELECT version FROM schema_meta").toArray()[0];
    if (!row || row.version < SCHEMA_VERSION) {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, status TEXT NOT NULL,
          monitor_id TEXT, data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS runs_by_time ON runs (created_at DESC, id DESC);
        CREATE TABLE IF NOT EXISTS api_quota (key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
          run_id TEXT NOT NULL, created_at INTEGER NOT NULL);
      `);
      sql.exec("DELETE FROM schema_meta");
      sql.exec("INSERT INTO schema_meta (version) VALUES (?)", SCHEMA_VERSION);
    }
    this.#ready = true;
  }
}

function encodeCursor(createdAt: string, id: string): string {
  return btoa(JSON.stringify([createdAt, id])).replace(/=+$/, "");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string")
      return [value[0], value[1]];
  } catch {
    // fall through
  }
  return ["9999", "~"];
}
