/**
 * RunCoordinator: one Durable Object per run. It owns the run's plan, its checkpointed engine state,
 * its event log and its SSE subscribers.
 *
 * Execution advances in bounded slices driven by the alarm: each request's events and the engine state
 * after it are committed in one SQLite transaction, so a restart at any point resumes from the last
 * checkpoint with no lost and no duplicated events. A request that was in flight at a crash is sent
 * again and its event carries `resent: true`. Cancel and the run deadline abort the in-flight request.
 * A slice that throws is retried a bounded number of times with backoff; then the run ends `failed`.
 */
import { DurableObject } from "cloudflare:workers";
import { config } from "../platform/config";
import { createLimitedFetch, type LimitedFetch } from "../platform/limited-fetch";
import { log } from "../platform/log";
import { createScriptHost } from "../platform/script-host";
import { workspaceStub } from "../platform/stubs";
import { targetCheckFor } from "../platform/target-policy";
import { recordMetric } from "../platform/telemetry";
import { SharedTimer } from "../shared/engine/abort";
import { Runner, type RunPlan, type RunState } from "../shared/engine/runner";
import type { Fetcher } from "../shared/engine/types";
import type { RunSummary } from "../shared/schemas/api";
import { type RunEvent, TERMINAL_EVENTS } from "../shared/schemas/events";
import { CommitGroups } from "./commit-groups";
import { EventLog, parseLastEventId } from "./event-log";
import { notifyMonitor, notifyStartedLater, notifyWorkspace } from "./run-notify";
import {
  bareTerminal,
  cookieJarJson,
  initialRecord,
  isFinished,
  type RunInit,
  type RunRecord,
  RunStore,
  reportContextJson,
  summarize,
} from "./run-store";
import { propagatingFetch, RunTelemetry, sampleRequestTimes } from "./run-telemetry";

/** Bounded slices keep each alarm invocation well inside CPU, wall and subrequest limits (with SLICE_REQUESTS). */
const SLICE_MS = 15_000;
/** Consecutive failing slices before the run ends `failed` (backoff 1 s, 2 s, 4 s, …). */
export const MAX_FAILED_SLICES = 5;

export class RunCoordinator extends DurableObject<Env> {
  #store: RunStore | undefined;
  #log: EventLog | undefined;
  #host: ReturnType<typeof createScriptHost> | undefined;
  #abort: AbortController | undefined;
  #sliceRunning = false;
  #telemetry: RunTelemetry | undefined;
  /** The pace (ms per step) the last slice ended with: the next slice's first group follows it. */
  #stepMs: number | undefined;
  /** The slice's request timeouts on one platform timer, cleared when the slice ends. */
  #timer: SharedTimer | undefined;

  // ---- RPC surface -------------------------------------------------------------------------------

  /** Stores the run and schedules its first slice. Idempotent: a second call returns the existing run. */
  async create(init: RunInit): Promise<RunSummary> {
    const store = this.#ensure();
    const existing = store.record();
    if (existing) return this.#summary(existing);
    const plan = JSON.parse(init.planJson) as RunPlan;
    const record = initialRecord(init, plan);
    store.transaction(() => {
      store.savePlan(plan, init.planJson);
      store.saveRecord(record);
    });
    await this.ctx.storage.setAlarm(Date.now());
    log.info("run created", {
      runId: record.id,
      workspaceId: record.workspaceId,
      items: plan.collection.items.length,
    });
    return this.#summary(record);
  }

  async status(): Promise<RunSummary | null> {
    const record = this.#ensure().record();
    if (record) await this.#heal(record);
    return record ? this.#summary(record) : null;
  }

  /** Requests cancellation and aborts the request in flight; the run ends `cancelled`. Idempotent. */
  async cancel(): Promise<RunSummary | null> {
    const store = this.#ensure();
    const record = store.record();
    if (!record) return null;
    if (isFinished(record.status)) return this.#summary(record);
    record.cancelRequested = true;
    store.saveRecord(record);
    if (record.status === "queued" || !this.#sliceRunning) {
      await this.#finish(record, "cancelled", "cancelled by request");
    } else {
      this.#abort?.abort(new Error("cancelled by request"));
    }
    return this.#summary(store.record()!);
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
    const store = this.#ensure();
    const plan = store.plan();
    // A finished run's object may stay in memory for long: do not keep its plan cached for a report.
    if (isFinished(store.record()?.status ?? "completed")) store.forgetPlan();
    return reportContextJson(plan, store.state()?.scopes);
  }

  /** The run's cookie jar as JSON (`{ cookies }`, tough-cookie's serialisation), masked like the reports. */
  async cookieJar(): Promise<string> {
    const store = this.#ensure();
    const plan = store.plan();
    if (isFinished(store.record()?.status ?? "completed")) store.forgetPlan();
    return cookieJarJson(plan, store.state() ?? undefined);
  }

  /** SSE: `GET …/events` with optional `Last-Event-ID` (header or `lastEventId` query). */
  override async fetch(request: Request): Promise<Response> {
    const store = this.#ensure();
    const record = store.record();
    if (!record) return new Response("run not found", { status: 404 });
    await this.#heal(record);
    const url = new URL(request.url);
    const { after, note } = parseLastEventId(
      request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId"),
    );
    recordMetric(this.env, {
      name: "sse.subscribers",
      workspaceId: record.workspaceId,
      value: this.#events().subscriberCount + 1,
    });
    const stream = this.#events().open({
      afterSeq: after,
      note,
      isFinished: () => isFinished(store.record()?.status ?? "completed"),
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
      },
    });
  }

  override async alarm(): Promise<void> {
    const store = this.#ensure();
    const record = store.record();
    if (!record) return;
    if (isFinished(record.status)) return this.#expireIfDue(record);
    this.#sliceRunning = true;
    this.#abort = new AbortController();
    this.#timer = new SharedTimer();
    try {
      await this.#runSlice(record);
    } catch (err) {
      await this.#sliceFailed(err);
    } finally {
      this.#sliceRunning = false;
      this.#abort = undefined;
      this.#timer.dispose();
      this.#timer = undefined;
      this.#tel().flush(this.ctx);
    }
  }

  // ---- failure path -------------------------------------------------------------------------------

  /**
   * The catch-all: an unexpected throw (a failed checkpoint, a bug, a lost binding) is retried with
   * backoff from the last commit; after MAX_FAILED_SLICES in a row the run ends `failed` with the reason.
   */
  async #sliceFailed(err: unknown): Promise<void> {
    const store = this.#ensure();
    const record = store.record();
    if (!record || isFinished(record.status)) return;
    const failures = (record.failedSlices ?? 0) + 1;
    const reason = err instanceof Error ? err.message : String(err);
    if (failures >= MAX_FAILED_SLICES || record.cancelRequested) {
      log.error("run failed after repeated slice errors", {
        runId: record.id,
        attempts: failures,
        error: reason,
      });
      const status = record.cancelRequested ? "cancelled" : "failed";
      await this.#finish(
        record,
        status,
        status === "cancelled"
          ? "cancelled by request"
          : `internal error after ${failures} attempts: ${reason}`,
      );
      return;
    }
    store.saveRecord({ ...record, failedSlices: failures });
    await this.ctx.storage.setAlarm(Date.now() + 1000 * 2 ** (failures - 1));
    if (failures === 1) log.warn("run slice failed; retrying", { runId: record.id, error: reason });
  }

  /**
   * Self-healing after a crash: an active run always has a pending alarm. If a restart lost it, the next
   * visitor re-arms it (a scheduled retry or delay is left alone: visits never speed up a backoff).
   */
  async #heal(record: RunRecord): Promise<void> {
    if (isFinished(record.status) || this.#sliceRunning) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  // ---- execution -------------------------------------------------------------------------------

  #runner(record: RunRecord, plan: RunPlan, withNetwork: boolean) {
    const limited = createLimitedFetch(this.env, record.workspaceId, plan.options.rateLimit);
    const runner = new Runner(plan, {
      fetch: this.#propagating(record, plan, limited.fetch),
      // It sends what workerd's fetch cannot (custom methods, GET/HEAD bodies) over a socket.
      wire: true,
      checkTarget: targetCheckFor(this.env, record.allowHosts),
      scripts: withNetwork ? this.#scriptHost(plan) : undefined,
      now: () => Date.now(),
      random: Math.random,
      ...(this.#abort ? { signal: this.#abort.signal } : {}),
      ...(this.#timer ? { timer: this.#timer } : {}),
    });
    return { runner, limited };
  }

  async #runSlice(initial: RunRecord): Promise<void> {
    const store = this.#ensure();
    const plan = store.plan();
    const { runner, limited } = this.#runner(initial, plan, true);
    // The per-slice pm.sendRequest budget (the platform's subrequest limit is per invocation).
    this.#scriptHost().beginSlice();
    let state = store.state();
    // After a crash, the steps of the batch that was in flight may have reached their targets.
    const resend = state?.inflight ? Math.max(1, store.inflightSteps()) : 0;
    const { CHECKPOINT_INTERVAL_MS, COMMIT_GROUP_STEPS, SLICE_REQUESTS: sliceRequests } = config(this.env);
    const groups = new CommitGroups({
      intervalMs: CHECKPOINT_INTERVAL_MS,
      maxSteps: COMMIT_GROUP_STEPS,
      resend,
      stepMs: this.#stepMs,
    });
    if (!state) {
      const started = runner.start(this.#region(initial));
      const record: RunRecord = {
        ...initial,
        status: "running",
        startedAt: new Date().toISOString(),
        actualRegion: this.#region(initial),
      };
      this.#commit(started.events, started.state, record, groups.nextInflight(sliceRequests));
      state = started.state;
    }
    const sliceEnd = Date.now() + SLICE_MS;
    for (let n = 0, more = true; more; ) {
      const current = store.record()!;
      if (current.cancelRequested) return this.#finish(current, "cancelled", "cancelled by request");
      const group = groups.begin(sliceRequests - n, Date.now());
      store.coverInflight(group.inflight);
      const pending: RunEvent[] = [];
      for (let j = 0; j < group.size; j++, n++) {
        if (groups.takeResend()) state = { ...state, resending: true };
        const stepStart = Date.now();
        const result = await this.#step(runner, limited, state);
        const groupFull = groups.stepDone(Date.now() - stepStart, Date.now());
        this.#stepMs = groups.stepMs;
        state = result.state;
        pending.push(...result.events);
        // A cancel during the slice aborts this object's controller (cancel() runs in this instance).
        const cancelled = this.#abort?.signal.aborted === true;
        if (result.aborted || cancelled) {
          const latest = store.record()!;
          this.#commit(pending, state, latest);
          const outcome = latest.cancelRequested ? "cancelled" : (result.aborted?.outcome ?? "cancelled");
          const reason = latest.cancelRequested
            ? "cancelled by request"
            : (result.aborted?.reason ?? "aborted");
          return this.#finish(store.record()!, outcome, reason);
        }
        if (result.done) {
          const done = runner.finish(state, "completed");
          this.#commit([...pending, ...done.events], done.state, { ...store.record()!, status: "completed" });
          return this.#afterFinish();
        }
        if (result.waitMs > 0) {
          this.#commit(pending, state, store.record()!);
          await this.ctx.storage.setAlarm(Date.now() + result.waitMs);
          return;
        }
        if (groupFull) break;
      }
      // Decided before the commit, which records how many steps the next group may send.
      more = n < sliceRequests && Date.now() < sliceEnd;
      this.#commit(pending, state, store.record()!, more ? groups.nextInflight(sliceRequests - n) : 0);
    }
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** One engine step with its trace span and the rate limiter's wait recorded in its timings. */
  async #step(runner: Runner, limited: LimitedFetch, state: RunState) {
    const tel = this.#tel();
    tel.beginStep();
    const result = await runner.step(state);
    tel.endStep(result.events);
    const waited = limited.takeWaited();
    if (waited > 0)
      for (const e of result.events)
        if (e.type === "request.completed" && e.timings) e.timings.waitMs = waited;
    return result;
  }

  /** Ends the run from its last committed state (a failed checkpoint's events were never committed). */
  async #finish(record: RunRecord, status: "failed" | "cancelled", reason: string): Promise<void> {
    const store = this.#ensure();
    let events: RunEvent[];
    let state: RunState | null;
    try {
      const { runner } = this.#runner(record, store.plan(), false);
      const done = runner.finish(store.state() ?? runner.start(this.#region(record)).state, status, reason);
      events = done.events;
      state = done.state;
    } catch (err) {
      // The plan or state itself cannot be read: end with a bare terminal event rather than never.
      log.error("run state unreadable; ending without stats", { runId: record.id, error: String(err) });
      events = [bareTerminal(record.id, status, reason)];
      state = null;
    }
    this.#commit(events, state, { ...record, status, reason });
    await this.#afterFinish();
    this.#tel().flush(this.ctx);
  }

  async #expireIfDue(record: RunRecord): Promise<void> {
    const due =
      Date.parse(record.finishedAt ?? record.createdAt) + config(this.env).RUN_RETENTION_HOURS * 3600_000;
    if (Date.now() < due) {
      await this.ctx.storage.setAlarm(due);
      return;
    }
    await workspaceStub(this.env, record.workspaceId).forgetRun(record.id);
    await this.ctx.storage.deleteAll();
    this.#store?.forget();
    this.#store = undefined;
    this.#log = undefined;
    log.info("run expired", { runId: record.id });
  }

  async #afterFinish(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + config(this.env).RUN_RETENTION_HOURS * 3600_000);
    this.#host?.dispose();
    this.#host = undefined;
    this.#store?.forgetPlan();
    const record = this.#ensure().record()!;
    this.#tel().finished(record);
    log.info("run finished", {
      runId: record.id,
      workspaceId: record.workspaceId,
      monitorId: record.monitorId,
      traceId: record.trace?.traceId,
      status: record.status,
      reason: record.reason,
    });
    await notifyWorkspace(this.env, record, this.#summary(record));
    await notifyMonitor(this.env, record, this.#summary(record));
  }

  /**
   * One transaction: events, engine state and run record move together. `nextInflight`: the steps
   * the slice sends next from this state (0 when it stops after this commit).
   */
  #commit(events: RunEvent[], state: RunState | null, record: RunRecord, nextInflight = 0): void {
    const store = this.#ensure();
    // A cancel request may have landed while this slice awaited the network: never overwrite it.
    record.cancelRequested ||= store.record()?.cancelRequested ?? false;
    record.failedSlices = 0;
    const terminal = events.find((e) => TERMINAL_EVENTS.has(e.type));
    if (terminal) {
      record.terminal = terminal;
      record.finishedAt = new Date().toISOString();
    }
    sampleRequestTimes(events, record);
    const log = this.#events();
    const appended = store.transaction(() => {
      const rows = log.appendSync(events);
      if (state) store.saveState(state, nextInflight);
      store.saveRecord(record);
      return rows;
    });
    log.committed(appended);
    this.#tel().committed(events, record);
    log.broadcast(appended, terminal !== undefined);
    if (record.status === "running" && events.some((e) => e.type === "run.started")) {
      const current = () => {
        const latest = this.#store?.record();
        return latest ? { record: latest, summary: this.#summary(latest) } : null;
      };
      this.ctx.waitUntil(notifyStartedLater(this.env, current));
    }
  }

  #region(record: RunRecord): string {
    // Local workerd has no colo; in production `cf` on an incoming request would tell. Report the hint.
    return record.requestedRegion === "auto" ? "local" : record.requestedRegion;
  }

  #tel(): RunTelemetry {
    this.#telemetry ??= new RunTelemetry(this.env);
    return this.#telemetry;
  }

  /** With `propagateTrace`, every request of a step carries the step's `traceparent` (and `tracestate`). */
  #propagating(record: RunRecord, plan: RunPlan, fetcher: Fetcher): Fetcher {
    return plan.options.propagateTrace && record.trace
      ? propagatingFetch(fetcher, this.#tel(), record.trace)
      : fetcher;
  }

  #scriptHost(plan?: RunPlan): ReturnType<typeof createScriptHost> {
    this.#host ??= createScriptHost({ env: this.env, runId: this.ctx.id.toString(), plan });
    return this.#host;
  }

  // ---- storage -----------------------------------------------------------------------------------

  #ensure(): RunStore {
    this.#store ??= new RunStore(this.ctx.storage);
    return this.#store;
  }

  #events(): EventLog {
    const store = this.#ensure();
    const runId = store.record()?.id;
    if (!runId) return new EventLog(store.sql, ""); // no run yet: nothing to compact, nothing to cache
    this.#log ??= new EventLog(store.sql, runId);
    return this.#log;
  }

  #summary(record: RunRecord): RunSummary {
    return summarize(record, this.#events().lastSeq);
  }
}
