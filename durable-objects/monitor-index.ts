/**
 * MonitorIndex: one global Durable Object (`idFromName("global")`) listing every monitor as
 * (workspaceId, monitorId, active). It serves `GET /v1/monitors` (per workspace, keyset-paginated) and
 * the Cron Trigger's sweeper, which walks the active monitors in rotating batches and re-arms any whose
 * alarm is missing.
 *
 * Why a separate object instead of the Workspace: monitors change rarely (create, pause, delete), the
 * sweeper needs a cross-workspace view, and the per-tick path never touches it. One instance handles
 * tens of thousands of monitors; beyond that it would be sharded by workspace hash.
 */
import { DurableObject } from "cloudflare:workers";
import { all, first, type Migration, migrate } from "../platform/sql";

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "monitors and sweep cursor",
    up: (sql) =>
      sql.exec(`
        CREATE TABLE monitors (workspace_id TEXT NOT NULL, monitor_id TEXT NOT NULL, active INTEGER NOT NULL,
          PRIMARY KEY (workspace_id, monitor_id));
        CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);`),
  },
];

export interface MonitorRef {
  workspaceId: string;
  monitorId: string;
}

export class MonitorIndex extends DurableObject<Env> {
  #ready = false;

  async upsert(ref: MonitorRef & { active: boolean }): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec(
      `INSERT INTO monitors (workspace_id, monitor_id, active) VALUES (?, ?, ?)
       ON CONFLICT (workspace_id, monitor_id) DO UPDATE SET active = excluded.active`,
      ref.workspaceId,
      ref.monitorId,
      ref.active ? 1 : 0,
    );
  }

  async remove(ref: MonitorRef): Promise<void> {
    this.#ensure();
    this.ctx.storage.sql.exec(
      "DELETE FROM monitors WHERE workspace_id = ? AND monitor_id = ?",
      ref.workspaceId,
      ref.monitorId,
    );
  }

  async has(ref: MonitorRef): Promise<boolean> {
    this.#ensure();
    return (
      first(
        this.ctx.storage.sql,
        "SELECT 1 AS x FROM monitors WHERE workspace_id = ? AND monitor_id = ?",
        ref.workspaceId,
        ref.monitorId,
      ) !== null
    );
  }

  async count(workspaceId: string): Promise<number> {
    this.#ensure();
    return (
      first<{ n: number }>(
        this.ctx.storage.sql,
        "SELECT COUNT(*) AS n FROM monitors WHERE workspace_id = ?",
        workspaceId,
      )?.n ?? 0
    );
  }

  /** A workspace's monitor ids ordered by id (stable keyset pages: `after` is the previous page's last id). */
  async list(q: { workspaceId: string; limit: number; after?: string | undefined }): Promise<string[]> {
    this.#ensure();
    return all<{ monitor_id: string }>(
      this.ctx.storage.sql,
      "SELECT monitor_id FROM monitors WHERE workspace_id = ? AND monitor_id > ? ORDER BY monitor_id LIMIT ?",
      q.workspaceId,
      q.after ?? "",
      q.limit,
    ).map((r) => r.monitor_id);
  }

  /** The next batch of active monitors for the sweeper; the cursor wraps around at the end. */
  async sweepBatch(limit: number): Promise<MonitorRef[]> {
    this.#ensure();
    const sql = this.ctx.storage.sql;
    const cursor = first<{ v: string }>(sql, "SELECT v FROM meta WHERE k = 'sweep'")?.v ?? "";
    const rows = all<{ workspace_id: string; monitor_id: string }>(
      sql,
      `SELECT workspace_id, monitor_id FROM monitors WHERE active = 1 AND (workspace_id || ':' || monitor_id) > ?
       ORDER BY (workspace_id || ':' || monitor_id) LIMIT ?`,
      cursor,
      limit,
    );
    const last = rows[rows.length - 1];
    const next = rows.length < limit || !last ? "" : `${last.workspace_id}:${last.monitor_id}`;
    sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('sweep', ?)", next);
    return rows.map((r) => ({ workspaceId: r.workspace_id, monitorId: r.monitor_id }));
  }

  #ensure(): void {
    if (this.#ready) return;
    migrate(this.ctx.storage, MIGRATIONS);
    this.#ready = true;
  }
}
