/**
 * A monitor's notifications: state changes become deliveries (one per subscribed target) in the
 * monitor's `deliveries` table, each sent by a `deliver:` job of the monitor's alarm. A delivery is
 * signed (`X-Edgerun-Signature`), checked against the target policy when sent (not only on create),
 * never follows redirects, and is retried after 30 s, 2 min and 10 min before it is given up.
 * At most MONITOR_NOTIFICATIONS_PER_HOUR (default 10) notifications per monitor per rolling hour.
 */
import { config } from "../platform/config";
import { log } from "../platform/log";
import { workspaceStub } from "../platform/stubs";
import { targetCheckFor } from "../platform/target-policy";
import type { MonitorConfig } from "../shared/monitors/config";
import { deliveryHeaders, nextDeliveryAt, slackPayload, webhookPayload } from "../shared/monitors/notify";
import type { MonitorRun, MonitorState } from "../shared/schemas/monitors";
import type { Job, MonitorTables } from "./monitor-history";

type NoticeState = Omit<MonitorState, "lastRun">;

export class MonitorNotifier {
  constructor(private readonly deps: { storage: DurableObjectStorage; tables: MonitorTables; env: Env }) {}

  /**
   * Queues one delivery per target subscribed to `event` (inside the caller's transaction), unless the
   * monitor already sent MONITOR_NOTIFICATIONS_PER_HOUR notifications in the last hour.
   */
  queue(q: {
    cfg: MonitorConfig;
    event: "failure" | "recovery";
    state: NoticeState;
    run: MonitorRun;
    now: number;
  }): void {
    const { cfg, event, state, run, now } = q;
    const sql = this.deps.storage.sql;
    const recent = sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM notices WHERE at > ?", now - 3600_000)
      .one().n;
    if (recent >= config(this.deps.env).MONITOR_NOTIFICATIONS_PER_HOUR) {
      log.warn("monitor notification dropped (rate limit)", { monitorId: cfg.id, event });
      return;
    }
    sql.exec("INSERT INTO notices (at, event) VALUES (?, ?)", now, event);
    const ctx = {
      event,
      monitor: { id: cfg.id, name: cfg.name },
      at: state.since ?? new Date(now).toISOString(),
      state: {
        status: state.status as "passing" | "failing",
        since: state.since ?? "",
        consecutiveFailures: state.consecutiveFailures,
      },
      run: {
        runId: run.runId,
        region: run.region,
        status: run.status,
        tickAt: run.tickAt,
        failures: run.failures,
      },
      link: `${cfg.origin ?? ""}/v1/monitors/${cfg.id}`,
    };
    for (const target of cfg.notifications) {
      if (!target.on.includes(event)) continue;
      const body = JSON.stringify(target.type === "slack" ? slackPayload(ctx) : webhookPayload(ctx));
      const id = `dlv_${now.toString(36)}_${target.id}_${event}`;
      sql.exec(
        `INSERT OR IGNORE INTO deliveries (id, created_at, event, target_id, body, attempt, status)
         VALUES (?, ?, ?, ?, ?, 1, 'pending')`,
        id,
        now,
        event,
        target.id,
        body,
      );
      this.deps.tables.addJob(`deliver:${id}`, now, { id });
    }
  }

  /** One delivery attempt: target policy at delivery time, no redirects, backoff on failure. */
  async deliver(cfg: MonitorConfig, job: Job, now: number): Promise<void> {
    const sql = this.deps.storage.sql;
    const id = String(job.data.id);
    const d = sql
      .exec<{ target_id: string; body: string; attempt: number; status: string }>(
        "SELECT target_id, body, attempt, status FROM deliveries WHERE id = ?",
        id,
      )
      .toArray()[0];
    const target = cfg.notifications.find((n) => n.id === d?.target_id);
    if (d?.status !== "pending" || !target) return this.deps.tables.deleteJob(job.key);
    const settings = await workspaceStub(this.deps.env, cfg.workspaceId).settings();
    const refused = await targetCheckFor(this.deps.env, settings?.allowHosts ?? [])(new URL(target.url));
    let error: string | null = refused ? `refused by the target policy: ${refused}` : null;
    if (!error)
      error = await post(
        target.url,
        d.body,
        await deliveryHeaders({ body: d.body, secret: target.secret, nowMs: Date.now(), deliveryId: id }),
      );
    const retryAt = error && !refused ? nextDeliveryAt(d.attempt, now) : null;
    const status = error === null ? "delivered" : retryAt === null ? "failed" : "pending";
    this.deps.storage.transactionSync(() => {
      sql.exec(
        "UPDATE deliveries SET status = ?, attempt = ?, last_error = ? WHERE id = ?",
        status,
        d.attempt + (status === "pending" ? 1 : 0),
        error,
        id,
      );
      if (retryAt === null) this.deps.tables.deleteJob(job.key);
      else this.deps.tables.putJob(job.key, retryAt, { id });
    });
    log.info("monitor notification", { monitorId: cfg.id, delivery: id, status, attempt: d.attempt, error });
  }

  /** Deliveries, newest first (tests and diagnostics). */
  list(
    limit: number,
  ): Array<{ id: string; event: string; status: string; attempt: number; lastError: string | null }> {
    return this.deps.storage.sql
      .exec<{ id: string; event: string; status: string; attempt: number; last_error: string | null }>(
        "SELECT id, event, status, attempt, last_error FROM deliveries ORDER BY created_at DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({
        id: r.id,
        event: r.event,
        status: r.status,
        attempt: r.attempt,
        lastError: r.last_error,
      }));
  }
}

/** POSTs one delivery (no redirects, 10 s timeout); answers null on 2xx, else the error. */
async function post(url: string, body: string, headers: Record<string, string>): Promise<string | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
