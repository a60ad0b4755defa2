/**
 * Workspace: one Durable Object per workspace. It is the workspace's index (runs by state, idempotency
 * keys, API keys), its settings, and the home of its stored collections and environments, so listing
 * and lookups never scan other objects, and every key it stores is already scoped by the object's name.
 */
import { DurableObject } from "cloudflare:workers";
import { first, migrate } from "../platform/sql";
import type { RateLimit, RunStatus, RunSummary } from "../shared/schemas/api";
import type {
  ApiKeyInfo,
  ResourceKind,
  StoredResource,
  StoredResourceMeta,
} from "../shared/schemas/resources";
import { decodeCursor, encodeCursor } from "../shared/schemas/resources";
import { ApiKeyStore, type NewApiKey } from "./api-key-store";
import { ApiQuotaCounter } from "./api-quota";
import { claimIdempotencyKey, type IdempotencyResult, releaseIdempotencyKey } from "./idempotency";
import { type MonitorUses, monitorsUsing, setMonitorUses } from "./monitor-uses";
import { type PutInput, type PutResult, ResourceStore } from "./resource-store";
import { WORKSPACE_MIGRATIONS } from "./workspace-migrations";

export interface RunListQuery {
  status?: RunStatus;
  monitorId?: string;
  /** Opaque cursor from a previous page (validated by the caller). */
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
  rateLimit?: RateLimit;
}

/**
 * What admission answers: the run is admitted (with the workspace's settings, so run creation needs no
 * separate settings call), refused by a quota, or its Idempotency-Key replays or conflicts with an
 * earlier run.
 */
export type Admission =
  | { ok: true; settings: WorkspaceSettings | null }
  | { ok: false; reason: string; retryAfter: number }
  | { ok: false; idempotency: Exclude<IdempotencyResult, { kind: "new" }> };

export interface AdmitRequest {
  runId: string;
  maxActive: number;
  maxPerHour: number;
  collection: { id: string; name: string };
  monitorId: string | null;
  /** Kept on the index row until the run's coordinator reports its own summary. */
  requestedRegion?: RunSummary["region"]["requested"] | undefined;
  source?: RunSummary["source"] | undefined;
  /** Claimed in the same step as the quota check; released again when the run is refused. */
  idempotency?: { key: string; fingerprint: string } | undefined;
}

export class Workspace extends DurableObject<Env> {
  #ready = false;
  #resources: ResourceStore | undefined;
  readonly #quota = new ApiQuotaCounter();

  // ---- settings ---------------------------------------------------------------------------------

  /** Names the workspace and stores its first API key (admin API). */
  async initialize(init: {
    name: string;
    key: { hash: string; prefix: string; id: string };
    allowHosts?: string[];
    rateLimit?: RateLimit | undefined;
  }): Promise<void> {
    this.#ensure();
    this.#setMeta("name", init.name);
    this.#setMeta("allowHosts", JSON.stringify(init.allowHosts ?? []));
    if (init.rateLimit) this.#setMeta("rateLimit", JSON.stringify(init.rateLimit));
    await this.createApiKey({ ...init.key, name: "initial key" });
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
      ...(rateLimit ? { rateLimit: JSON.parse(rateLimit) as RateLimit } : {}),
    };
  }

  /** Updates the workspace's settings; `rateLimit: null` removes the workspace default. */
  async updateSettings(update: {
    allowHosts?: string[];
    rateLimit?: RateLimit | null;
  }): Promise<WorkspaceSettings | null> {
    this.#ensure();
    if (this.#meta("name") === null) return null;
    if (update.allowHosts) this.#setMeta("allowHosts", JSON.stringify(update.allowHosts));
    if (update.rateLimit === null) this.ctx.storage.sql.exec("DELETE FROM meta WHERE k = 'rateLimit'");
    else if (update.rateLimit) this.#setMeta("rateLimit", JSON.stringify(update.rateLimit));
    return this.settings();
  }

  // ---- API keys ---------------------------------------------------------------------------------

  /** True for a known, unrevoked key hash. */
  async verifyApiKey(keyHash: string): Promise<boolean> {
    this.#ensure();
    return this.#keys().verify(keyHash);
  }

  /** Stores a new key's hash and visible prefix (the key itself is shown once, by the caller). */
  async createApiKey(key: NewApiKey): Promise<ApiKeyInfo> {
    this.#ensure();
    return this.#keys().create(key);
  }

  async listApiKeys(): Promise<ApiKeyInfo[]> {
    this.#ensure();
    return this.#keys().list();
  }

  /** Revokes a key at once (its next request gets 401); null when the key id is unknown. */
  async revokeApiKey(id: string): Promise<ApiKeyInfo | null> {
    this.#ensure();
    return this.#keys().revoke(id);
  }

  /**
   * Fixed-window API quota per key (the key's hash): answers the numbers for the IETF `RateLimit` headers.
   * Counted in memory (see ApiQuotaCounter): no storage write per API request.
   */
  async consumeApiQuota(keyHash: string, limit: number, windowSec: number): Promise<QuotaResult> {
    return this.#quota.consume({ keyHash, limit, windowSec });
  }

  /**
   * Up to `want` calls of the key's current window at once, for an isolate to spend without a call here
   * per API request (`workers/api-quota-lease.ts`); `granted: 0` is a refusal.
   */
  async leaseApiQuota(q: {
    keyHash: string;
    limit: number;
    windowSec: number;
    want: number;
  }): Promise<QuotaResult & { granted: number }> {
    return this.#quota.lease(q);
  }

  // ---- runs -------------------------------------------------------------------------------------

  /**
   * Per-workspace run admission: caps on concurrently active runs and on runs started per hour. The
   * idempotency claim, the check and the reservation (a `queued` row for the new run) happen in one
   * synchronous step of this object, so concurrent submissions can never admit more than the cap; the
   * answer carries the workspace's settings, so creating a run costs one call here instead of three.
   */
  async admitRun(req: AdmitRequest): Promise<Admission> {
    this.#ensure();
    const idem = req.idempotency;
    if (idem) {
      const claim = claimIdempotencyKey(this.ctx.storage.sql, { ...idem, runId: req.runId });
      if (claim.kind !== "new") return { ok: false, idempotency: claim };
    }
    const refused = this.#quotaRefusal(req);
    if (refused) {
      if (idem) releaseIdempotencyKey(this.ctx.storage.sql, { key: idem.key, runId: req.runId });
      return refused;
    }
    const now = new Date().toISOString();
    const placeholder = reservedSummary({ ...req, createdAt: now });
    this.ctx.storage.sql.exec(
      "INSERT INTO runs (id, created_at, status, monitor_id, data) VALUES (?, ?, 'queued', ?, ?)",
      req.runId,
      now,
      req.monitorId,
      JSON.stringify(placeholder),
    );
    return { ok: true, settings: await this.settings() };
  }

  #quotaRefusal(req: AdmitRequest): Extract<Admission, { retryAfter: number }> | null {
    const sql = this.ctx.storage.sql;
    const active = first<{ n: number }>(
      sql,
      "SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')",
    )!.n;
    if (active >= req.maxActive) {
      return {
        ok: false,
        reason: `this workspace already has ${active} active runs (limit ${req.maxActive})`,
        retryAfter: 10,
      };
    }
    const since = new Date(Date.now() - 3600_000).toISOString();
    const lastHour = first<{ n: number }>(
      sql,
      "SELECT COUNT(*) AS n FROM runs WHERE created_at > ?",
      since,
    )!.n;
    if (lastHour >= req.maxPerHour) {
      return {
        ok: false,
        reason: `this workspace started ${lastHour} runs in the last hour (limit ${req.maxPerHour})`,
        retryAfter: 60,
      };
    }
    return null;
  }

  /**
   * Upserts the run's row in the index; called by the run's coordinator when the run has been running
   * for a while and when it ends (with a sample of its request times, for `GET /v1/metrics`). A finished
   * row is never set back to active: the two calls are not ordered (the first one waits, see
   * `run-notify.ts`), and a late "running" must not undo the end.
   */
  async recordRun(summary: RunSummary, requestTimes?: { n: number; t: number[] }): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO runs (id, created_at, status, monitor_id, data, request_times) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data,
         request_times = COALESCE(excluded.request_times, runs.request_times)
       WHERE runs.status IN ('queued', 'running') OR excluded.status NOT IN ('queued', 'running')`,
      summary.id,
      summary.createdAt,
      summary.status,
      summary.monitorId,
      JSON.stringify(summary),
      requestTimes ? JSON.stringify(requestTimes) : null,
    );
  }

  /** Runs and request times over a window, for the workspace metrics summary (bounded scan). */
  async metricsRows(sinceIso: string): Promise<Array<{ data: string; request_times: string | null }>> {
    this.#ensure();
    return this.ctx.storage.sql
      .exec<{ data: string; request_times: string | null }>(
        "SELECT data, request_times FROM runs WHERE created_at >= ? ORDER BY created_at DESC LIMIT 20000",
        sinceIso,
      )
      .toArray();
  }

  /**
   * Drops a run from the index (retention ended, or its creation failed after admission: then the
   * Idempotency-Key it claimed is released too, so a retry is not blocked).
   */
  async forgetRun(id: string, idempotencyKey?: string): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec("DELETE FROM runs WHERE id = ?", id);
    if (idempotencyKey) releaseIdempotencyKey(this.ctx.storage.sql, { key: idempotencyKey, runId: id });
  }

  async hasRun(id: string): Promise<boolean> {
    this.#ensure();
    return first(this.ctx.storage.sql, "SELECT 1 AS ok FROM runs WHERE id = ?", id) !== null;
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
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (after) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      args.push(after[0], after[0], after[1]);
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

  // ---- stored collections and environments ------------------------------------------------------

  /** Creates (`create: true`) or replaces a stored resource, keeping every previous version. */
  async putResource(input: PutInput): Promise<PutResult> {
    this.#ensure();
    return this.#store().put(input);
  }

  /** One version of a stored resource; `reveal` returns secret values (server-side run creation only). */
  async getResource(q: {
    kind: ResourceKind;
    id: string;
    version?: number | undefined;
    reveal?: boolean;
  }): Promise<StoredResource | null> {
    this.#ensure();
    return this.#store().get(q.kind, q.id, q.version, q.reveal ?? false);
  }

  async listResources(q: {
    kind: ResourceKind;
    limit: number;
    cursor?: string | undefined;
  }): Promise<{ items: StoredResourceMeta[]; nextCursor: string | null }> {
    this.#ensure();
    return this.#store().list(q.kind, q.limit, q.cursor);
  }

  /**
   * Deletes a stored resource and its versions, unless a monitor runs it: every later tick of that
   * monitor would fail, so its ids come back instead (the caller answers 409).
   */
  async deleteResource(q: {
    kind: ResourceKind;
    id: string;
  }): Promise<{ deleted: boolean } | { usedBy: string[] }> {
    this.#ensure();
    const usedBy = monitorsUsing(this.ctx.storage.sql, q.kind, q.id);
    if (usedBy.length > 0) return { usedBy };
    return { deleted: this.#store().delete(q.kind, q.id) };
  }

  /** Records which stored collection and environment a monitor runs (`null`: it was deleted). */
  async setMonitorUses(monitorId: string, uses: MonitorUses | null): Promise<void> {
    this.#ensure();
    setMonitorUses(this.ctx.storage.sql, monitorId, uses);
  }

  // ---- storage ----------------------------------------------------------------------------------

  #keys(): ApiKeyStore {
    return new ApiKeyStore(this.ctx.storage.sql);
  }

  #store(): ResourceStore {
    this.#resources ??= new ResourceStore(this.ctx.storage);
    return this.#resources;
  }

  #meta(key: string): string | null {
    return first<{ v: string }>(this.ctx.storage.sql, "SELECT v FROM meta WHERE k = ?", key)?.v ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", key, value);
  }

  #ensure(): void {
    if (this.#ready) return;
    migrate(this.ctx.storage, WORKSPACE_MIGRATIONS);
    this.#ready = true;
  }
}

/** The index row of an admitted run until its coordinator reports its real summary (the same fields). */
function reservedSummary(req: AdmitRequest & { createdAt: string }): RunSummary {
  const base = `/v1/runs/${req.runId}`;
  return {
    id: req.runId,
    status: "queued",
    collection: req.collection,
    createdAt: req.createdAt,
    startedAt: null,
    finishedAt: null,
    region: { requested: req.requestedRegion ?? "auto", actual: null },
    monitorId: req.monitorId,
    stats: null,
    timings: null,
    reason: null,
    lastEventId: 0,
    links: { self: base, events: `${base}/events`, report: `${base}/report` },
    ...(req.source && (req.source.collection || req.source.environment) ? { source: req.source } : {}),
  };
}
