/**
 * RunCoordinator: one Durable Object per run. It owns the run's plan, its checkpointed engine state,
 * its event log and its SSE subscribers.
 *
 * Execution advances in bounded slices driven by the alarm: each request's events and the engine state
 * after it are committed in one SQLite transaction, so a restart at any point resumes from the last
 * checkpoint with no lost and no duplicated events. A request that was in flight at a crash is sent
 * again and its event carries `resent: true`.
 */
import { DurableObject } from "cloudflare:workers";
import { config } from "../platform/config";
import { createLimitedFetch } from "../platform/limited-fetch";
import { log } from "../platform/log";
import { createScriptHost } from "../platform/script-host";
import { targetCheckFor } from "../platform/target-policy";
import { Runner, type RunPlan, type RunState, runMasker } from "../shared/engine/runner";
import { collectionItems } from "../shared/reporters/collection-json";
import type { Region, RunStatus, RunSummary } from "../shared/schemas/api";
import { type RunEvent, TERMINAL_EVENTS } from "../shared/schemas/events";
import { maskDeep } from "../shared/security/mask";
import { EventLog } from "./event-log";

const SCHEMA_VERSION = 1;
/** Bounded slices keep each alarm invocation well inside CPU, wall and subrequest limits. */
const SLICE_REQUESTS = 40;
const SLICE_MS = 15_000;
const PLAN_CHUNK = 512 * 1024;

export interface RunInit {
  plan: RunPlan;
  workspaceId: string;
  requestedRegion: Region;
  monitorId: string | null;
  /** The workspace's target allow list at submission time (a run keeps the policy it started with). */
  allowHosts?: string[];
}

interface RunRecord {
  id: string;
  workspaceId: string;
  status: RunStatus;
  collection: { id: string; name: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  requestedRegion: Region;
  actualRegion: string | null;
  monitorId: string | null;
  reason: string | null;
  cancelRequested: boolean;
  terminal: RunEvent | null;
  allowHosts?: string[];
}

export class RunCoordinator extends DurableObject<Env> {
  #ready = false;
  #log: EventLog | undefined;
  #plan: RunPlan | undefined;
  #host: ReturnType<typeof createScriptHost> | undefined;

  // ---- RPC surface -------------------------------------------------------------------------------

  /** Stores the run and schedules its first slice. Idempotent: a second call returns the existing run. */
  async create(init: RunInit): Promise<RunSummary> {
    this.#ensure();
    const existing = this.#record();
    if (existing) return this.#summary(existing);
    const now = new Date().toISOString();
    const record: RunRecord = {
      id: init.plan.runId,
      workspaceId: init.workspaceId,
      status: "queued",
      collection: { id: init.plan.collection.id, name: init.plan.collection.name },
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      requestedRegion: init.requestedRegion,
      actualRegion: null,
      monitorId: init.monitorId,
      reason: null,
      cancelRequested: false,
      terminal: null,
      ...(init.allowHosts?.length ? { allowHosts: init.allowHosts } : {}),
    };
    const planJson = JSON.stringify(init.plan);
    this.ctx.storage.transactionSync(() => {
      for (let i = 0, n = 0; i < planJson.length; i += PLAN_CHUNK, n++) {
        this.ctx.storage.sql.exec(
          "INSERT INTO plan_chunks (idx, data) VALUES (?, ?)",
          n,
          planJson.slice(i, i + PLAN_CHUNK),
        );
      }
      this.#saveRecord(record);
    });
    this.#plan = init.plan;
    await this.ctx.storage.setAlarm(Date.now());
    log.info("run created", {
      runId: record.id,
      workspaceId: record.workspaceId,
      items: init.plan.collection.items.length,
    });
    return this.#summary(record);
  }

  async status(): Promise<RunSummary | null> {
    this.#ensure();
    const record = this.#record();
    if (record) await this.#heal(record);
    return record ? this.#summary(record) : null;
  }

  /** Requests cancellation; the running slice stops after the request in progress. Idempotent. */
  async cancel(): Promise<RunSummary | null> {
    this.#ensure();
    const record = this.#record();
    if (!record) return null;
    if (isFinished(record.status)) return this.#summary(record);
    record.cancelRequested = true;
    this.#saveRecord(record);
    if (record.status === "queued" || !this.#sliceRunning) {
      await this.#finish(record, "cancelled", "cancelled by request");
    }
    return this.#summary(this.#record()!);
  }

  /** Raw events after a sequence number (reports, CLI, tests); bounded page. */
  async events(afterSeq = 0, limit = 1000): Promise<string[]> {
    this.#ensure();
    const out: string[] = [];
    for (const row of this.#events().read(afterSeq)) {
      out.push(row.json);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** What the reporters need besides events: collection identity and the final scopes, as JSON. */
  async reportContext(): Promise<string> {
    this.#ensure();
    const plan = this.#loadPlan();
    const scopes = this.#loadState()?.scopes;
    const environment = scopes?.environment ?? plan.environment.values;
    const globals = scopes?.globals ?? plan.globals;
    const collection = scopes?.collection ?? plan.collection.variables;
    const { tree, event } = collectionItems(plan.collection);
    const context = {
      collection: { id: plan.collection.id, name: plan.collection.name },
      items: tree,
      events: event,
      environment: { ...(plan.environment.name ? { name: plan.environment.name } : {}), values: environment },
      globals: { values: globals },
    };
    // Reports and exported scopes carry the same masking as events, with the final scopes.
    return JSON.stringify(maskDeep(context, runMasker(plan, { globals, collection, environment })));
  }

  /** SSE: `GET …/events` with optional `Last-Event-ID` (header or `lastEventId` query). */
  override async fetch(request: Request): Promise<Response> {
    this.#ensure();
    const record = this.#record();
    if (!record) return new Response("run not found", { status: 404 });
    await this.#heal(record);
    const url = new URL(request.url);
    const raw = request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId") ?? "0";
    const after = Math.max(0, Number.parseInt(raw, 10) || 0);
    const stream = this.#events().open(after, isFinished(record.status));
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
  }

  override async alarm(): Promise<void> {
    this.#ensure();
    const record = this.#record();
    if (!record) return;
    if (isFinished(record.status)) return this.#expireIfDue(record);
    this.#sliceRunning = true;
    try {
      await this.#runSlice(record);
    } finally {
      this.#sliceRunning = false;
    }
  }

  /**
   * Self-healing after a crash: an active run always has a pending alarm. If a restart lost it (or its
   * retry is far off), the next visitor re-arms it.
   */
  async #heal(record: RunRecord): Promise<void> {
    if (isFinished(record.status) || this.#sliceRunning) return;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > Date.now() + 5_000 + (this.#loadPlan().options.delayRequest ?? 0)) {
      await this.ctx.storage.setAlarm(Date.now());
    }
  }

  // ---- execution -------------------------------------------------------------------------------

  #sliceRunning = false;

  async #runSlice(record: RunRecord): Promise<void> {
    const plan = this.#loadPlan();
    const limited = createLimitedFetch(this.env, record.workspaceId, plan.options.rateLimit);
    const runner = new Runner(plan, {
      fetch: limited.fetch,
      checkTarget: targetCheckFor(this.env, record.allowHosts),
      scripts: this.#scriptHost(),
      now: () => Date.now(),
      random: Math.random,
    });
    let state = this.#loadState();
    if (!state) {
      const started = runner.start(this.#region(record));
      record.status = "running";
      record.startedAt = new Date().toISOString();
      record.actualRegion = this.#region(record);
      this.#commit(started.events, started.state, record);
      state = started.state;
    } else if (state.inflight) {
      state = { ...state, resending: true };
    }
    const sliceEnd = Date.now() + SLICE_MS;
    for (let n = 0; n < SLICE_REQUESTS && Date.now() < sliceEnd; n++) {
      const current = this.#record()!;
      if (current.cancelRequested) return this.#finish(current, "cancelled", "cancelled by request");
      const timeout = plan.options.timeout;
      if (timeout && current.startedAt && Date.now() - Date.parse(current.startedAt) > timeout) {
        return this.#finish(current, "failed", `run exceeded its timeout of ${timeout} ms`);
      }
      this.#saveState({ ...state, inflight: true });
      const result = await runner.step(state);
      state = result.state;
      const waited = limited.takeWaited();
      if (waited > 0)
        for (const e of result.events)
          if (e.type === "request.completed" && e.timings) e.timings.waitMs = waited;
      if (result.done) {
        const done = runner.finish(state, "completed");
        this.#commit([...result.events, ...done.events], done.state, { ...current, status: "completed" });
        return this.#afterFinish();
      }
      this.#commit(result.events, state, current);
      if (result.waitMs > 0) {
        await this.ctx.storage.setAlarm(Date.now() + result.waitMs);
        return;
      }
    }
    await this.ctx.storage.setAlarm(Date.now());
  }

  async #finish(record: RunRecord, status: "failed" | "cancelled", reason: string): Promise<void> {
    const plan = this.#loadPlan();
    const runner = new Runner(plan, {
      fetch: (req) => fetch(req),
      checkTarget: targetCheckFor(this.env, record.allowHosts),
      scripts: undefined,
      now: () => Date.now(),
      random: Math.random,
    });
    const state = this.#loadState() ?? runner.start(this.#region(record)).state;
    const done = runner.finish(state, status, reason);
    this.#commit(done.events, done.state, { ...record, status, reason });
    await this.#afterFinish();
  }

  /** Retention: a finished run keeps its events and report for RUN_RETENTION_HOURS, then deletes itself. */
  #retentionMs(): number {
    return config(this.env).RUN_RETENTION_HOURS * 3600_000;
  }

  async #expireIfDue(record: RunRecord): Promise<void> {
    const due = Date.parse(record.finishedAt ?? record.createdAt) + this.#retentionMs();
    if (Date.now() < due) {
      await this.ctx.storage.setAlarm(due);
      return;
    }
    const ws = this.env.WORKSPACE.get(this.env.WORKSPACE.idFromName(record.workspaceId));
    await ws.forgetRun(record.id);
    await this.ctx.storage.deleteAll();
    this.#ready = false;
    this.#log = undefined;
    this.#plan = undefined;
    log.info("run expired", { runId: record.id });
  }

  async #afterFinish(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + this.#retentionMs());
    this.#host?.dispose();
    this.#host = undefined;
    const record = this.#record()!;
    log.info("run finished", { runId: record.id, status: record.status, reason: record.reason });
    await this.#notifyWorkspace(record);
  }

  /** One transaction: events, engine state and run record move together. */
  #commit(events: RunEvent[], state: RunState, record: RunRecord): void {
    // A cancel request may have landed while this slice awaited the network: never overwrite it.
    record.cancelRequested ||= this.#record()?.cancelRequested ?? false;
    const terminal = events.find((e) => TERMINAL_EVENTS.has(e.type));
    if (terminal) {
      record.terminal = terminal;
      record.finishedAt = new Date().toISOString();
    }
    const appended = this.ctx.storage.transactionSync(() => {
      const rows = this.#events().appendSync(events);
      this.#saveState({ ...state, inflight: false, resending: false });
      this.#saveRecord(record);
      return rows;
    });
    this.#events().broadcast(appended, terminal !== undefined);
    if (record.status === "running" && events.some((e) => e.type === "run.started")) {
      this.ctx.waitUntil(this.#notifyWorkspace(record));
    }
  }

  async #notifyWorkspace(record: RunRecord): Promise<void> {
    try {
      const ws = this.env.WORKSPACE.get(this.env.WORKSPACE.idFromName(record.workspaceId));
      await ws.recordRun(this.#summary(record));
    } catch (err) {
      log.warn("workspace index update failed", { runId: record.id, error: String(err) });
    }
  }

  #region(record: RunRecord): string {
    // Local workerd has no colo; in production `cf` on an incoming request would tell. Report the hint.
    return record.requestedRegion === "auto" ? "local" : record.requestedRegion;
  }

  #scriptHost(): ReturnType<typeof createScriptHost> {
    this.#host ??= createScriptHost();
    return this.#host;
  }

  // ---- storage -----------------------------------------------------------------------------------

  #ensure(): void {
    if (this.#ready) return;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS schema_meta (version INTEGER NOT NULL)");
    const row = sql.exec<{ version: number }>("SELECT version FROM schema_meta").toArray()[0];
    if (!row || row.version < SCHEMA_VERSION) {
      sql.exec(`
        CREATE TABLE IF NOT EXISTS run (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS plan_chunks (idx INTEGER PRIMARY KEY, data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
      `);
      sql.exec("DELETE FROM schema_meta");
      sql.exec("INSERT INTO schema_meta (version) VALUES (?)", SCHEMA_VERSION);
    }
    this.#ready = true;
  }

  #events(): EventLog {
    this.#log ??= new EventLog(this.ctx.storage.sql);
    return this.#log;
  }

  #record(): RunRecord | null {
    const row = this.ctx.storage.sql.exec<{ data: string }>("SELECT data FROM run WHERE id = 1").toArray()[0];
    return row ? (JSON.parse(row.data) as RunRecord) : null;
  }

  #saveRecord(record: RunRecord): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO run (id, data) VALUES (1, ?)", JSON.stringify(record));
  }

  #loadState(): RunState | null {
    const row = this.ctx.storage.sql
      .exec<{ data: string }>("SELECT data FROM state WHERE id = 1")
      .toArray()[0];
    return row ? (JSON.parse(row.data) as RunState) : null;
  }

  #saveState(state: RunState): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO state (id, data) VALUES (1, ?)", JSON.stringify(state));
  }

  #loadPlan(): RunPlan {
    if (this.#plan) return this.#plan;
    const rows = this.ctx.storage.sql
      .exec<{ data: string }>("SELECT data FROM plan_chunks ORDER BY idx")
      .toArray();
    this.#plan = JSON.parse(rows.map((r) => r.data).join("")) as RunPlan;
    return this.#plan;
  }

  #summary(record: RunRecord): RunSummary {
    const terminal = record.terminal;
    const final = terminal && "stats" in terminal ? terminal : null;
    const base = `/v1/runs/${record.id}`;
    return {
      id: record.id,
      status: record.status,
      collection: record.collection,
      createdAt: record.createdAt,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      region: { requested: record.requestedRegion, actual: record.actualRegion },
      monitorId: record.monitorId,
      stats: final ? final.stats : null,
      timings: final ? final.timings : null,
      reason: record.reason,
      lastEventId: this.#events().lastSeq,
      links: { self: base, events: `${base}/events`, report: `${base}/report` },
    };
  }
}

function isFinished(status: RunStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
