/**
 * Spans derived from the event stream (results are data: telemetry is one more consumer of it): one
 * span per run and one child span per executed request, with OpenTelemetry's HTTP client attributes.
 * Event URLs are already masked, so span attributes never carry a secret.
 */
import type { RunEvent } from "../schemas/events";

type RequestCompleted = Extract<RunEvent, { type: "request.completed" }>;

import { newSpanId, type Span } from "./trace";

export interface RunTrace {
  traceId: string;
  /** The run's own span. */
  spanId: string;
  /** The caller's span (the API request that created the run, or the client's traceparent). */
  parentSpanId?: string | undefined;
  tracestate?: string | undefined;
}

function serverAddress(url: string): { host?: string; port?: number } {
  try {
    const u = new URL(url);
    return { host: u.hostname, ...(u.port ? { port: Number(u.port) } : {}) };
  } catch {
    return {};
  }
}

/** The CLIENT span of one executed request (skipped requests have none). */
export function requestSpan(
  event: RequestCompleted,
  trace: RunTrace,
  spanId: string = newSpanId(),
): Span | null {
  if (event.skipped) return null;
  const end = Date.parse(event.ts);
  const total = event.timings?.totalMs ?? event.response?.timeMs ?? 0;
  const test = event.timings?.testMs ?? 0;
  const start = end - test - total;
  const failed = event.assertions.filter((a) => !a.passed && !a.skipped).length;
  const address = serverAddress(event.request.url);
  const errorType =
    event.error?.name ??
    (event.response && event.response.code >= 400 ? String(event.response.code) : undefined);
  return {
    traceId: trace.traceId,
    spanId,
    parentSpanId: trace.spanId,
    name: event.request.method,
    kind: 3,
    startMs: start,
    endMs: end - test,
    attributes: {
      "http.request.method": event.request.method,
      "url.full": event.request.url,
      "server.address": address.host,
      "server.port": address.port,
      "http.response.status_code": event.response?.code,
      "error.type": errorType,
      "edgerun.item.id": event.item.id,
      "edgerun.item.name": event.item.name,
      "edgerun.item.path": event.item.path.join(" / "),
      "edgerun.iteration": event.iteration,
      "edgerun.assertions.total": event.assertions.length,
      "edgerun.assertions.failed": failed,
      "edgerun.timings.wait_ms": event.timings?.waitMs,
      "edgerun.timings.prerequest_ms": event.timings?.prerequestMs,
      "edgerun.timings.headers_ms": event.timings?.headersMs,
      "edgerun.timings.test_ms": event.timings?.testMs,
      "edgerun.resent": event.resent,
    },
    status:
      event.error || failed > 0
        ? { code: 2, message: event.error?.message ?? `${failed} assertion(s) failed` }
        : { code: 0 },
  };
}

export interface RunSpanInput {
  runId: string;
  workspaceId: string;
  monitorId: string | null;
  collection: { id: string; name: string };
  region: { requested: string; actual: string | null };
  status: string;
  reason: string | null;
  startedAt: string | null;
  createdAt: string;
  finishedAt: string | null;
  terminal: RunEvent | null;
}

/** The run's span (kind INTERNAL), from creation or start to the terminal event. */
export function runSpan(run: RunSpanInput, trace: RunTrace): Span {
  const final = run.terminal && "stats" in run.terminal ? run.terminal : null;
  const stats = final?.stats;
  const failedAssertions = stats?.assertions.failed ?? 0;
  const failedRequests = stats?.requests.failed ?? 0;
  const verdict =
    run.status !== "completed" ? run.status : failedAssertions + failedRequests > 0 ? "failed" : "passed";
  return {
    traceId: trace.traceId,
    spanId: trace.spanId,
    parentSpanId: trace.parentSpanId,
    name: `run ${run.collection.name}`,
    kind: 1,
    startMs: Date.parse(run.startedAt ?? run.createdAt),
    endMs: Date.parse(run.finishedAt ?? new Date().toISOString()),
    attributes: {
      "edgerun.run.id": run.runId,
      "edgerun.workspace.id": run.workspaceId,
      "edgerun.monitor.id": run.monitorId ?? undefined,
      "edgerun.collection.id": run.collection.id,
      "edgerun.collection.name": run.collection.name,
      "edgerun.region.requested": run.region.requested,
      "edgerun.region.actual": run.region.actual ?? undefined,
      "edgerun.run.status": run.status,
      "edgerun.run.verdict": verdict,
      "edgerun.run.reason": run.reason ?? undefined,
      "edgerun.requests.total": stats?.requests.total,
      "edgerun.requests.failed": failedRequests,
      "edgerun.assertions.total": stats?.assertions.total,
      "edgerun.assertions.failed": failedAssertions,
      "edgerun.iterations": stats?.iterations.total,
    },
    status: verdict === "passed" ? { code: 1 } : { code: 2, message: run.reason ?? verdict },
  };
}
