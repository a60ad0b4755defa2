/**
 * The workspace metrics summary (`GET /v1/metrics`), computed from the run index: runs by outcome, pass
 * rate, and request-time percentiles from each run's reservoir sample weighted by the requests it stands
 * for (a 10,000-request run weighs more than a 3-request one).
 */
import * as z from "zod";
import type { RunSummary } from "../schemas/api";

export const WindowMetricsSchema = z.object({
  window: z.enum(["24h", "7d"]),
  runs: z.object({
    total: z.number(),
    active: z.number(),
    completed: z.number(),
    failed: z.number(),
    cancelled: z.number(),
  }),
  /** Finished runs whose every request and assertion passed, in %; null with no finished run. */
  passRate: z.number().nullable(),
  requests: z.object({ total: z.number(), failed: z.number() }),
  assertions: z.object({ total: z.number(), failed: z.number() }),
  /** Request time percentiles in ms (estimated from per-run samples); null without requests. */
  requestTime: z.object({ p50: z.number(), p95: z.number() }).nullable(),
});
export type WindowMetrics = z.infer<typeof WindowMetricsSchema>;

export const WorkspaceMetricsSchema = z.object({
  generatedAt: z.string(),
  windows: z.array(WindowMetricsSchema),
});
export type WorkspaceMetrics = z.infer<typeof WorkspaceMetricsSchema>;

export interface MetricsRow {
  summary: RunSummary;
  times: { n: number; t: number[] } | null;
}

/** Weighted percentile over (value, weight) pairs. */
function weightedPercentile(pairs: Array<[number, number]>, p: number): number {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  for (const [v, w] of sorted) {
    acc += w;
    if (acc >= (p / 100) * total) return v;
  }
  return sorted[sorted.length - 1]?.[0] ?? 0;
}

/** One window's metrics from the index rows created since its start. */
export function windowMetrics(window: "24h" | "7d", rows: readonly MetricsRow[]): WindowMetrics {
  const runs = { total: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
  const requests = { total: 0, failed: 0 };
  const assertions = { total: 0, failed: 0 };
  let finished = 0;
  let passed = 0;
  const pairs: Array<[number, number]> = [];
  for (const { summary, times } of rows) {
    runs.total++;
    if (summary.status === "queued" || summary.status === "running") runs.active++;
    else runs[summary.status]++;
    const stats = summary.stats;
    if (stats) {
      requests.total += stats.requests.total;
      requests.failed += stats.requests.failed;
      assertions.total += stats.assertions.total;
      assertions.failed += stats.assertions.failed;
    }
    if (summary.status !== "queued" && summary.status !== "running") {
      finished++;
      if (summary.status === "completed" && stats && stats.requests.failed + stats.assertions.failed === 0)
        passed++;
    }
    if (times && times.t.length > 0) {
      const weight = Math.max(times.n, times.t.length) / times.t.length;
      for (const v of times.t) pairs.push([v, weight]);
    }
  }
  return {
    window,
    runs,
    passRate: finished ? Math.round((passed / finished) * 10_000) / 100 : null,
    requests,
    assertions,
    requestTime: pairs.length
      ? { p50: weightedPercentile(pairs, 50), p95: weightedPercentile(pairs, 95) }
      : null,
  };
}
