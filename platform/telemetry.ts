/**
 * Trace export and metrics for the Worker and the Durable Objects.
 *
 * Traces: OTLP/HTTP JSON to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`, batched by the caller (one export
 * per API request, per run slice, per finished run) and always handed to `waitUntil`: an export never
 * blocks or fails the work it describes, and a failing collector is logged at most once a minute.
 *
 * Metrics: points go to the Workers Analytics Engine binding `METRICS` when it exists; outside
 * production every point is also a `metric` log line (the local sink tests and `wrangler dev` read).
 */
import { encodeOtlp, parseOtlpHeaders, type Span } from "../shared/telemetry/trace";
import { config } from "./config";
import { log, logs } from "./log";

const EXPORT_TIMEOUT_MS = 5_000;
let lastExportWarning = 0;

/** True when traces are exported (an endpoint is configured). */
export function tracingEnabled(env: object): boolean {
  return config(env).OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
}

/** Sends spans to the collector; resolves (never rejects) when done or given up. */
export async function exportSpans(env: object, spans: readonly Span[]): Promise<void> {
  const cfg = config(env);
  const endpoint = cfg.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || spans.length === 0) return;
  try {
    const res = await fetch(`${endpoint}/v1/traces`, {
      method: "POST",
      headers: { ...parseOtlpHeaders(cfg.OTEL_EXPORTER_OTLP_HEADERS), "content-type": "application/json" },
      body: encodeOtlp(spans, {
        "service.name": "edgerun",
        "service.version": "0.1.0",
        "deployment.environment.name": cfg.ENVIRONMENT,
      }),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`collector answered ${res.status}`);
  } catch (err) {
    if (Date.now() - lastExportWarning > 60_000) {
      lastExportWarning = Date.now();
      log.warn("trace export failed", { error: String(err), spans: spans.length });
    }
  }
}

/** The metric names edgerun writes (one Analytics Engine data point each). */
export type MetricName =
  | "run.started"
  | "run.completed"
  | "run.failed"
  | "run.cancelled"
  | "requests.executed"
  | "assertions.failed"
  | "script.budget_exhausted"
  | "ratelimit.waits"
  | "sse.subscribers"
  | "api.requests";

export interface MetricPoint {
  name: MetricName;
  workspaceId: string;
  value: number;
  /** Low-cardinality labels (region, status, route). */
  labels?: Record<string, string>;
}

/** Writes one metric point (fire and forget: Analytics Engine writes are non-blocking). */
export function recordMetric(env: { METRICS?: AnalyticsEngineDataset }, point: MetricPoint): void {
  const labels = Object.entries(point.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  try {
    env.METRICS?.writeDataPoint({
      indexes: [point.workspaceId.slice(0, 96)],
      blobs: [point.name, point.workspaceId, ...labels.map(([k, v]) => `${k}=${v}`)].slice(0, 20),
      doubles: [point.value],
    });
  } catch (err) {
    log.debug("metric write failed", { error: String(err) });
  }
  if (config(env).ENVIRONMENT !== "production" && logs("info")) {
    log.info("metric", {
      metric: point.name,
      workspaceId: point.workspaceId,
      value: point.value,
      ...Object.fromEntries(labels),
    });
  }
}
