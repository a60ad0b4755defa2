/**
 * A run's telemetry, fed by the events the coordinator commits: request spans batched per slice, the
 * run span at the end, metric points, and a small reservoir of request times for workspace metrics.
 * Nothing here can fail or slow the run: exports go to `waitUntil`, metric writes are fire-and-forget.
 */
import { exportSpans, type MetricName, recordMetric, tracingEnabled } from "../platform/telemetry";
import type { Fetcher } from "../shared/engine/types";
import type { RunEvent } from "../shared/schemas/events";
import { type RunTrace, requestSpan, runSpan } from "../shared/telemetry/run-spans";
import { formatTraceparent, newSpanId, type Span } from "../shared/telemetry/trace";
import type { RunRecord } from "./run-store";

/** Request times kept per run for percentiles (reservoir sample: constant size for any run length). */
export const TIME_SAMPLES = 200;

export class RunTelemetry {
  readonly #env: Env;
  /** Whether spans are exported at all (OTLP endpoint configured): without it no span id is needed. */
  readonly #tracing: boolean;
  readonly #spans: Span[] = [];
  /**
   * The current step's propagated span id, drawn on first use: a step without `propagateTrace` and
   * without span export needs none (drawing one per step was ≈ 1 % of a busy object's CPU).
   */
  #stepSpan: string | undefined;
  /** Span ids chosen when a step ends, used once its events are committed (a group commit holds several). */
  readonly #spanIds = new WeakMap<RunEvent, string>();
  /**
   * Counters of committed events not yet written as metric points: one point per counter and slice,
   * not per commit (a point is also a log line outside production, ≈ 5 % of a busy object's CPU).
   */
  #counts = { workspaceId: "", requests: 0, failedAssertions: 0, waits: 0, budget: 0 };

  constructor(env: Env) {
    this.#env = env;
    this.#tracing = tracingEnabled(env);
  }

  /** Starts a step: its first request span gets the id sent to targets in `traceparent`. */
  beginStep(): void {
    this.#stepSpan = undefined;
  }

  /** Ends a step: its first request keeps the propagated span id, later ones (parallel) get new ones. */
  endStep(events: readonly RunEvent[]): void {
    if (!this.#tracing) return; // no spans are made, so no ids are needed
    let used = false;
    for (const e of events) {
      if (e.type !== "request.completed") continue;
      this.#spanIds.set(e, used ? newSpanId() : this.#stepSpanId());
      used = true;
    }
  }

  /** The `traceparent`/`tracestate` headers for requests of the current step (propagateTrace). */
  propagation(trace: RunTrace): Record<string, string> {
    return {
      traceparent: formatTraceparent({ traceId: trace.traceId, spanId: this.#stepSpanId() }),
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    };
  }

  #stepSpanId(): string {
    this.#stepSpan ??= newSpanId();
    return this.#stepSpan;
  }

  /** Accounts committed events: spans, and counters that `flush` writes as metric points. */
  committed(events: readonly RunEvent[], record: RunRecord): void {
    const counts = this.#counts;
    counts.workspaceId = record.workspaceId;
    for (const e of events) {
      if (e.type === "run.started")
        recordMetric(this.#env, {
          name: "run.started",
          workspaceId: record.workspaceId,
          value: 1,
          labels: { region: e.region },
        });
      if (e.type !== "request.completed") continue;
      if (!e.skipped) counts.requests++;
      for (const a of e.assertions) if (!a.passed && !a.skipped) counts.failedAssertions++;
      if ((e.timings?.waitMs ?? 0) > 0) counts.waits++;
      for (const s of e.scriptErrors)
        if (/budget|limit|timeout|interrupted/i.test(`${s.name} ${s.message}`)) counts.budget++;
      if (record.trace && this.#tracing) {
        const span = requestSpan(e, record.trace, this.#spanIds.get(e) ?? newSpanId());
        if (span) this.#spans.push(span);
      }
    }
  }

  /** Writes the counters gathered since the last call as metric points (and resets them). */
  #writeCounts(): void {
    const { workspaceId, requests, failedAssertions, waits, budget } = this.#counts;
    this.#counts = { workspaceId, requests: 0, failedAssertions: 0, waits: 0, budget: 0 };
    const point = (name: MetricName, value: number) => {
      if (value) recordMetric(this.#env, { name, workspaceId, value });
    };
    point("requests.executed", requests);
    point("assertions.failed", failedAssertions);
    point("ratelimit.waits", waits);
    point("script.budget_exhausted", budget);
  }

  /** The run ended: its span joins the batch and the outcome is counted (after its last requests). */
  finished(record: RunRecord): void {
    this.#writeCounts();
    const status =
      record.status === "completed"
        ? "run.completed"
        : record.status === "cancelled"
          ? "run.cancelled"
          : "run.failed";
    recordMetric(this.#env, { name: status, workspaceId: record.workspaceId, value: 1 });
    if (!record.trace || !this.#tracing) return;
    this.#spans.push(
      runSpan(
        {
          runId: record.id,
          workspaceId: record.workspaceId,
          monitorId: record.monitorId,
          collection: record.collection,
          region: { requested: record.requestedRegion, actual: record.actualRegion },
          status: record.status,
          reason: record.reason,
          startedAt: record.startedAt,
          createdAt: record.createdAt,
          finishedAt: record.finishedAt,
          terminal: record.terminal,
        },
        record.trace,
      ),
    );
  }

  /** Writes the slice's metric points and hands its spans to the exporter (one OTLP request per slice). */
  flush(ctx: DurableObjectState): void {
    this.#writeCounts();
    if (this.#spans.length === 0) return;
    const batch = this.#spans.splice(0);
    ctx.waitUntil(exportSpans(this.#env, batch));
  }
}

/** Adds the events' request times to the record's reservoir (before the record is committed). */
export function sampleRequestTimes(events: readonly RunEvent[], record: RunRecord): void {
  for (const e of events) {
    if (e.type !== "request.completed" || e.skipped) continue;
    const ms = e.timings?.totalMs ?? e.response?.timeMs;
    if (ms !== undefined) sample(record, ms);
  }
}

/** Algorithm R: every request time has the same chance to be in the sample, whatever the run length. */
function sample(record: RunRecord, ms: number): void {
  record.requestTimes ??= [];
  record.requestsTimed = (record.requestsTimed ?? 0) + 1;
  const times = record.requestTimes;
  const seen = record.requestsTimed;
  if (times.length < TIME_SAMPLES) times.push(Math.round(ms));
  else {
    const j = Math.floor(Math.random() * seen);
    if (j < TIME_SAMPLES) times[j] = Math.round(ms);
  }
}

/** With `propagateTrace`: every request of a step carries the step's `traceparent` (and `tracestate`). */
export function propagatingFetch(fetcher: Fetcher, telemetry: RunTelemetry, trace: RunTrace): Fetcher {
  return (request, hooks) => {
    const headers = new Headers(request.headers);
    for (const [k, v] of Object.entries(telemetry.propagation(trace))) headers.set(k, v);
    return fetcher(new Request(request, { headers }), hooks);
  };
}
