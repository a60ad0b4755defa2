/**
 * Monitor: one Durable Object per monitor, named `${workspaceId}:${monitorId}`. It owns the monitor's
 * configuration, schedule, run history, state (passing/failing) and notification deliveries.
 *
 * One alarm multiplexes everything through the `jobs` table (tick, run starts and retries, polls,
 * webhook deliveries); the alarm is always set to the earliest job. Guarantees:
 * - the next tick is stored (with the starts of this tick's runs) in one transaction before any work;
 * - a tick starts at most one run per region and attempt: the start job is idempotent (history row
 *   check, then the run service's idempotency key `monitor:<id>:<tick>:<region>:<attempt>`), so an alarm
 *   retried after a crash replays the same run instead of creating another;
 * - after downtime it runs once, for the latest due tick (`catchUp`), never once per missed tick;
 * - a run's completion arrives by `runFinished` from its RunCoordinator; if that call is lost, the
 *   `poll` job asks unfinished runs for their status every 30 s.
 */
import { DurableObject } from "cloudflare:workers";
import { config as readConfig } from "../platform/config";
import { log } from "../platform/log";
import { createRun } from "../platform/run-service";
import { migrate } from "../platform/sql";
import { runStub, workspaceStub } from "../platform/stubs";
import type { MonitorConfig } from "../shared/monitors/config";
import { monitorView } from "../shared/monitors/config";
import { catchUp, jitterMs, minimumGapMs, nextTick } from "../shared/monitors/schedule";
import { advanceState, INITIAL_STATE, type StoredState } from "../shared/monitors/state";
import { digestRun, runPassed, statOf, WINDOW_MS, windowStats } from "../shared/monitors/stats";
import type { Region, RunSummary } from "../shared/schemas/api";
import type { Failure, RunEvent } from "../shared/schemas/events";
import type { MonitorRun, Monitor as MonitorView, StatsWindow } from "../shared/schemas/monitors";
import { type HistoryRow, type Job, MONITOR_MIGRATIONS, MonitorTables } from "./monitor-history";
import { MonitorNotifier } from "./monitor-notifier";
import {
  finishedRun,
  isFinished,
  refusedRun,
  runBody,
  startedRun,
  startKey,
  storedUses,
} from "./monitor-runs";

const POLL_MS = 30_000;
const RETRY_DELAY_MS = 5_000;
const JOB_ERROR_RETRY_MS = 60_000;
const MAX_JOBS_PER_ALARM = 100;

export class Monitor extends DurableObject<Env> {
  #tables: MonitorTables | undefined;
  #clock: number | null = null;

  // ---- RPC: configuration ------------------------------------------------------------------------

  /** Stores a validated configuration (create or update) and (re)schedules the next tick. */
  async configure(cfg: MonitorConfig): Promise<MonitorView> {
    // The index first: a monitor the index lists but that failed to store is skipped by lists; the
    // reverse would be a scheduled monitor nobody can list or sweep.
    await this.#index().upsert({ workspaceId: cfg.workspaceId, monitorId: cfg.id, active: cfg.active });
    await workspaceStub(this.env, cfg.workspaceId).setMonitorUses(cfg.id, storedUses(cfg));
    const t = this.#t();
    const previous = t.blob<MonitorConfig>("config");
    const now = this.#now();
    this.ctx.storage.transactionSync(() => {
      t.setBlob("config", cfg);
      if (!previous) t.setBlob("state", INITIAL_STATE);
      // A new schedule starts at once on its grid (an interval monitor runs right away); a resumed one
      // continues with its next tick.
      const newSchedule = !previous || previous.anchor !== cfg.anchor;
      const startAt = "intervalSeconds" in cfg.schedule ? cfg.anchor - 1 : now;
      if (!cfg.active) t.deleteJob("tick");
      else if (newSchedule) this.#scheduleTick(cfg, startAt);
      else if (!previous.active || !t.job("tick")) this.#scheduleTick(cfg, now);
    });
    await this.#arm();
    return this.#view(cfg);
  }

  /** The stored configuration with secrets (for PATCH merging inside the Worker only). */
  async storedConfig(): Promise<MonitorConfig | null> {
    return this.#config();
  }

  async exists(): Promise<boolean> {
    return this.#config() !== null;
  }

  async view(): Promise<MonitorView | null> {
    const cfg = this.#config();
    return cfg ? this.#view(cfg) : null;
  }

  /** Deletes the monitor: no alarm, no storage, out of the sweeper's index. Runs in flight finish alone. */
  async destroy(): Promise<boolean> {
    const cfg = this.#config();
    if (!cfg) return false;
    await this.#index().remove({ workspaceId: cfg.workspaceId, monitorId: cfg.id });
    await workspaceStub(this.env, cfg.workspaceId).setMonitorUses(cfg.id, null);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#tables = undefined;
    return true;
  }

  // ---- RPC: runs and history ---------------------------------------------------------------------

  /** Starts one run per region now (a tick of its own); answers the runs (or refusals) per region. */
  async runNow(): Promise<Array<{ region: Region; run: MonitorRun }>> {
    const cfg = this.#config();
    if (!cfg) return [];
    const now = this.#now();
    this.ctx.storage.transactionSync(() => this.#queueTick(cfg, now, now));
    const out: Array<{ region: Region; run: MonitorRun }> = [];
    for (const region of cfg.regions) {
      const job = this.#t().job(startKey(now, region, 0));
      if (job) await this.#runJob(cfg, job, now);
      const row = this.#t().runAt(now, region, 0);
      if (row) out.push({ region, run: JSON.parse(row.data) as MonitorRun });
    }
    await this.#arm();
    return out;
  }

  async history(q: { limit: number; after?: { tickAt: number; seq: number } | undefined }) {
    const rows = this.#t().page(q.limit + 1, q.after);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      runs: page.map((r) => JSON.parse(r.data) as MonitorRun),
      next: rows.length > q.limit && last ? { tickAt: last.tick_at, seq: last.seq } : null,
    };
  }

  async stats(window: StatsWindow) {
    const now = this.#now();
    return windowStats(this.#t().statRowsSince(now - WINDOW_MS[window]), window, now);
  }

  /** Called by a monitor run's RunCoordinator when it finishes (best effort: `poll` covers a lost call). */
  async runFinished(summary: RunSummary, failures?: Failure[]): Promise<void> {
    const cfg = this.#config();
    if (!cfg || summary.monitorId !== cfg.id) return;
    const row = this.#t().run(summary.id);
    if (!row) {
      // The run finished before its start job recorded it: complete it from the alarm, right after.
      this.#t().addJob(`finish:${summary.id}`, this.#now(), { runId: summary.id });
      await this.#arm();
      return;
    }
    await this.#complete(cfg, row, summary, failures);
    await this.#arm();
  }

  /** Sweeper: re-arms an active monitor whose alarm is missing. Answers whether it had to. */
  async ensureAlarm(): Promise<boolean> {
    const cfg = this.#config();
    if (!cfg) return false;
    if (cfg.active && !this.#t().job("tick")) this.#scheduleTick(cfg, this.#now());
    if ((await this.ctx.storage.getAlarm()) !== null || this.#t().earliestDue() === null) return false;
    await this.#arm();
    log.warn("monitor alarm re-armed by the sweeper", { monitorId: cfg.id, workspaceId: cfg.workspaceId });
    return true;
  }

  /** Test hook: a controlled clock for deterministic scheduling tests (refused in production). */
  async setClockForTests(ms: number | null): Promise<void> {
    if (readConfig(this.env).ENVIRONMENT === "production") throw new Error("not available in production");
    this.#clock = ms;
  }

  // ---- the alarm -----------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const cfg = this.#config();
    if (!cfg) return;
    const now = this.#now();
    for (let n = 0; n < MAX_JOBS_PER_ALARM; n++) {
      if (n > 0 && !this.#config()) return; // deleted while this alarm ran
      const job = this.#t().nextDueJob(now);
      if (!job) break;
      await this.#runJob(cfg, job, now);
    }
    await this.#arm();
  }

  async #runJob(cfg: MonitorConfig, job: Job, now: number): Promise<void> {
    try {
      if (job.key === "tick") this.#onTick(cfg, job, now);
      else if (job.key.startsWith("start:")) await this.#start(cfg, job, now);
      else if (job.key === "poll") await this.#poll(cfg, now);
      else if (job.key.startsWith("finish:")) await this.#finishJob(cfg, job);
      else if (job.key.startsWith("deliver:")) await this.#notifier().deliver(cfg, job, now);
      else this.#t().deleteJob(job.key);
    } catch (err) {
      // A job that throws must not block the others: try it again later, at most 5 times.
      const failures = Number(job.data.errors ?? 0) + 1;
      log.error("monitor job failed", { monitorId: cfg.id, job: job.key, error: String(err), failures });
      if (failures >= 5) this.#t().deleteJob(job.key);
      else this.#t().putJob(job.key, now + JOB_ERROR_RETRY_MS, { ...job.data, errors: failures });
    }
  }

  #onTick(cfg: MonitorConfig, job: Job, now: number): void {
    const due = Number(job.data.tickAt);
    const { tickAt, next, skipped } = catchUp(cfg.schedule, { due, now, anchor: cfg.anchor });
    this.ctx.storage.transactionSync(() => {
      if (next === null) this.#t().deleteJob("tick");
      else this.#t().putJob("tick", next + this.#jitter(cfg, next), { tickAt: next });
      this.#queueTick(cfg, tickAt, now);
      this.#t().prune(now);
    });
    if (skipped > 0) log.info("monitor caught up after downtime", { monitorId: cfg.id, skipped });
  }

  /** Records a tick and one start job per region (idempotent: `INSERT OR IGNORE`). */
  #queueTick(cfg: MonitorConfig, tickAt: number, now: number): void {
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO ticks (tick_at, regions) VALUES (?, ?)",
      tickAt,
      cfg.regions.length,
    );
    for (const region of cfg.regions) {
      this.#t().addJob(startKey(tickAt, region, 0), now, { tickAt, region, attempt: 0 });
    }
  }

  async #start(cfg: MonitorConfig, job: Job, now: number): Promise<void> {
    const tickAt = Number(job.data.tickAt);
    const region = String(job.data.region) as Region;
    const attempt = Number(job.data.attempt);
    const t = this.#t();
    if (t.runAt(tickAt, region, attempt)) return t.deleteJob(job.key);
    const key = `monitor:${cfg.id}:${tickAt}:${region}:${attempt}`;
    const result = await createRun(
      { env: this.env },
      {
        workspaceId: cfg.workspaceId,
        body: runBody(cfg, region),
        monitorId: cfg.id,
        idempotency: { key, fingerprint: key },
      },
    );
    const tick = { tickAt, region, attempt };
    if (result.ok) {
      this.ctx.storage.transactionSync(() => {
        t.deleteJob(job.key);
        t.insertRun(startedRun(result.summary, tick), { done: false, final: false, passed: null });
        t.addJob("poll", now + POLL_MS);
      });
      // A replayed run (alarm retried after a crash) may have finished already.
      const row = t.run(result.summary.id);
      if (row && isFinished(result.summary.status)) await this.#complete(cfg, row, result.summary);
      return;
    }
    const final = attempt >= cfg.retry.attempts;
    this.ctx.storage.transactionSync(() => {
      t.deleteJob(job.key);
      t.insertRun(refusedRun(result.problem, tick, now), { done: true, final, passed: false });
      if (!final) {
        const due = now + this.#retryDelay(cfg, now);
        t.addJob(startKey(tickAt, region, attempt + 1), due, { ...tick, attempt: attempt + 1 });
      }
    });
    log.warn("monitor run refused", {
      monitorId: cfg.id,
      status: result.problem.status,
      reason: result.problem.message,
    });
    if (final) await this.#resolveTick(cfg, tickAt);
  }

  async #poll(cfg: MonitorConfig, now: number): Promise<void> {
    const t = this.#t();
    t.deleteJob("poll");
    for (const row of t.unfinished(20)) {
      const summary = await runStub(this.env, cfg.workspaceId, row.run_id).status();
      if (summary && isFinished(summary.status)) await this.#complete(cfg, row, summary);
    }
    if (t.unfinished(1).length > 0) t.addJob("poll", now + POLL_MS);
  }

  async #finishJob(cfg: MonitorConfig, job: Job): Promise<void> {
    const runId = String(job.data.runId);
    this.#t().deleteJob(job.key);
    const row = this.#t().run(runId);
    if (!row) return;
    const summary = await runStub(this.env, cfg.workspaceId, runId).status();
    if (summary) await this.#complete(cfg, row, summary);
  }

  /** Records a finished run; schedules its retry, or resolves its tick when this attempt is final. */
  async #complete(
    cfg: MonitorConfig,
    row: HistoryRow,
    summary: RunSummary,
    failures?: Failure[],
  ): Promise<void> {
    if (row.done || !isFinished(summary.status)) return;
    const digest = digestRun(await this.#runEvents(cfg, summary, failures));
    const passed = runPassed(summary.status, digest);
    const final = passed || row.attempt >= cfg.retry.attempts;
    const run = finishedRun(summary, JSON.parse(row.data) as MonitorRun, digest, passed);
    const now = this.#now();
    let applied = false;
    this.ctx.storage.transactionSync(() => {
      const fresh = this.#t().run(row.run_id);
      if (!fresh || fresh.done) return;
      applied = true;
      this.#t().finishRun(run, { final, passed, times: digest.times });
      if (!final) {
        const next = { tickAt: row.tick_at, region: row.region, attempt: row.attempt + 1 };
        this.#t().addJob(
          startKey(next.tickAt, next.region, next.attempt),
          now + this.#retryDelay(cfg, now),
          next,
        );
      }
    });
    if (applied && final) await this.#resolveTick(cfg, row.tick_at);
  }

  /** The events a digest needs: the first page (response times) and the terminal event (failures). */
  async #runEvents(cfg: MonitorConfig, summary: RunSummary, failures?: Failure[]): Promise<RunEvent[]> {
    const stub = runStub(this.env, cfg.workspaceId, summary.id);
    const events = (await stub.events(0, 200)).map((e) => JSON.parse(e) as RunEvent);
    if (events.length >= 200) {
      const tail = await stub.events(Math.max(0, summary.lastEventId - 1), 1);
      events.push(...tail.map((e) => JSON.parse(e) as RunEvent));
    }
    if (failures) {
      const terminal = events.find((e) => e.type === "run.completed" || e.type === "run.failed");
      if (terminal && "failures" in terminal) terminal.failures = failures;
    }
    return events;
  }

  /** When every region of a tick has a final outcome: the tick passes or fails, and the state moves. */
  async #resolveTick(cfg: MonitorConfig, tickAt: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    const tick = sql
      .exec<{ regions: number; outcome: string | null }>(
        "SELECT regions, outcome FROM ticks WHERE tick_at = ?",
        tickAt,
      )
      .toArray()[0];
    const outcomes = this.#t().tickOutcomes(tickAt);
    if (!tick || tick.outcome !== null || outcomes.length < tick.regions) return;
    const failed = outcomes.find((o) => o.passed !== 1);
    const now = this.#now();
    const { state, event } = advanceState(this.#t().blob<StoredState>("state") ?? INITIAL_STATE, {
      failed: failed ? (JSON.parse(failed.data) as MonitorRun) : null,
      at: new Date(now).toISOString(),
      notifyAfter: cfg.notifyAfter,
    });
    const reference = JSON.parse((failed ?? outcomes[0]!).data) as MonitorRun;
    this.ctx.storage.transactionSync(() => {
      sql.exec("UPDATE ticks SET outcome = ? WHERE tick_at = ?", failed ? "failed" : "passed", tickAt);
      this.#t().setBlob("state", state);
      if (event) this.#notifier().queue({ cfg, event, state, run: reference, now });
    });
  }

  /** Deliveries of this monitor, newest first (tests and diagnostics). */
  async deliveries(limit = 20) {
    return this.#notifier().list(limit);
  }

  // ---- helpers -------------------------------------------------------------------------------------

  #now(): number {
    return this.#clock ?? Date.now();
  }

  /** The configuration, or null for a monitor that does not exist (reads never create storage). */
  #config(): MonitorConfig | null {
    if (!this.#tables) {
      const sql = this.ctx.storage.sql;
      const exists = sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blobs'")
        .toArray();
      if (exists.length === 0) return null;
    }
    return this.#t().blob<MonitorConfig>("config");
  }

  #notifier(): MonitorNotifier {
    return new MonitorNotifier({ storage: this.ctx.storage, tables: this.#t(), env: this.env });
  }

  #t(): MonitorTables {
    if (!this.#tables) {
      migrate(this.ctx.storage, MONITOR_MIGRATIONS);
      this.#tables = new MonitorTables(this.ctx.storage.sql);
    }
    return this.#tables;
  }

  #index() {
    return this.env.MONITOR_INDEX.get(this.env.MONITOR_INDEX.idFromName("global"));
  }

  /** A failed attempt is retried after min(5 s, a quarter of the schedule's gap): past a blip, before the next tick. */
  #retryDelay(cfg: MonitorConfig, at: number): number {
    return Math.min(RETRY_DELAY_MS, Math.floor(minimumGapMs(cfg.schedule, at) / 4));
  }

  #jitter(cfg: MonitorConfig, at: number): number {
    return jitterMs(cfg.id, minimumGapMs(cfg.schedule, at));
  }

  #scheduleTick(cfg: MonitorConfig, after: number): void {
    const next = nextTick(cfg.schedule, { after, anchor: cfg.anchor });
    if (next === null) this.#t().deleteJob("tick");
    else this.#t().putJob("tick", next + this.#jitter(cfg, next), { tickAt: next });
  }

  /** Sets the alarm to the earliest job (or clears it when there is none). */
  async #arm(): Promise<void> {
    const due = this.#t().earliestDue();
    if (due === null) await this.ctx.storage.deleteAlarm();
    else if ((await this.ctx.storage.getAlarm()) !== due) await this.ctx.storage.setAlarm(due);
  }

  #view(cfg: MonitorConfig): MonitorView {
    const t = this.#t();
    const now = this.#now();
    const recent = t.page(20).map((r) => JSON.parse(r.data) as MonitorRun);
    const state = t.blob<StoredState>("state") ?? INITIAL_STATE;
    const tick = t.job("tick");
    return monitorView(cfg, {
      nextRunAt: tick ? Number(tick.data.tickAt) : null,
      state: { ...state, lastRun: recent[0] ?? null },
      uptime24h: statOf(this.#t().statRowsSince(now - WINDOW_MS["24h"])).uptime,
      recent: recent.reverse(),
    });
  }
}
