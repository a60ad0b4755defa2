/**
 * Monitor history arithmetic: what one finished run contributes (totals, failures, response-time
 * percentiles) and uptime / p50 / p95 / p99 per region over a window. Pure, so it is unit tested in Node
 * and shared by the Monitor Durable Object and anything that renders monitor history.
 */
import type { RunEvent } from "../schemas/events";
import type { MonitorRunFailure, ResponseTime, Stat, StatsWindow } from "../schemas/monitors";

/** Response times kept per run for the window percentiles (the run's first N requests). */
export const MAX_TIMES_PER_RUN = 100;
export const MAX_FAILURES_PER_RUN = 20;

export interface RunDigest {
  requests: { total: number; failed: number };
  assertions: { total: number; failed: number };
  responseTime: ResponseTime | null;
  failures: MonitorRunFailure[];
  /** Per-request response times in ms (≤ MAX_TIMES_PER_RUN). */
  times: number[];
}

/** Nearest-rank percentile of an ascending array (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Mean and percentiles of a list of response times (null when the run sent no request). */
export function responseTimeOf(times: readonly number[]): ResponseTime | null {
  if (times.length === 0) return null;
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    mean: Math.round(mean * 10) / 10,
    p50: percentile(sorted, 50)!,
    p95: percentile(sorted, 95)!,
    p99: percentile(sorted, 99)!,
  };
}

/**
 * Digests a run's events (as the RunCoordinator stores them) into what the monitor history keeps:
 * totals from the terminal event's stats, the first failures with their messages, and response times.
 */
export function digestRun(events: readonly RunEvent[]): RunDigest {
  const times: number[] = [];
  let terminal: Extract<RunEvent, { type: "run.completed" | "run.failed" | "run.cancelled" }> | undefined;
  for (const event of events) {
    if (event.type === "request.completed" && event.response && times.length < MAX_TIMES_PER_RUN) {
      times.push(event.response.timeMs);
    } else if (
      event.type === "run.completed" ||
      event.type === "run.failed" ||
      event.type === "run.cancelled"
    ) {
      terminal = event;
    }
  }
  const failures: MonitorRunFailure[] = (terminal?.failures ?? [])
    .slice(0, MAX_FAILURES_PER_RUN)
    .map((f) => ({
      item: f.item?.name ?? "(run)",
      assertion: f.source === "assertion" ? f.name : null,
      message: f.message,
    }));
  if (terminal?.type === "run.failed" && failures.length < MAX_FAILURES_PER_RUN) {
    failures.push({ item: "(run)", assertion: null, message: terminal.reason });
  }
  const stats = terminal?.stats;
  return {
    requests: { total: stats?.requests.total ?? 0, failed: stats?.requests.failed ?? 0 },
    assertions: { total: stats?.assertions.total ?? 0, failed: stats?.assertions.failed ?? 0 },
    responseTime: responseTimeOf(times),
    failures,
    times,
  };
}

/** A monitor run passes when the run completed with no failed request, assertion or script. */
export function runPassed(
  status: string,
  digest: Pick<RunDigest, "requests" | "assertions" | "failures">,
): boolean {
  return (
    status === "completed" &&
    digest.requests.failed === 0 &&
    digest.assertions.failed === 0 &&
    digest.failures.length === 0
  );
}

export const WINDOW_MS: Record<StatsWindow, number> = {
  "24h": 24 * 3600_000,
  "7d": 7 * 24 * 3600_000,
  "30d": 30 * 24 * 3600_000,
};
/** Series bucket per window: hourly over 24 h, 6-hourly over 7 d, daily over 30 d. */
export const BUCKET_MS: Record<StatsWindow, number> = {
  "24h": 3600_000,
  "7d": 6 * 3600_000,
  "30d": 24 * 3600_000,
};

/** A finished run as the stats need it. */
export interface StatRow {
  tickAt: number;
  region: string;
  passed: boolean;
  times: number[];
}

/** Counts, uptime (0–100, one decimal) and percentiles over a set of finished runs. */
export function statOf(rows: readonly StatRow[]): Stat {
  const passed = rows.filter((r) => r.passed).length;
  const times = rows.flatMap((r) => r.times).sort((a, b) => a - b);
  return {
    runs: rows.length,
    passed,
    failed: rows.length - passed,
    uptime: rows.length ? Math.round((passed / rows.length) * 1000) / 10 : null,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
  };
}

/** Overall and per-region stats plus a bucketed series (oldest first) for the window ending at `now`. */
export function windowStats(rows: readonly StatRow[], window: StatsWindow, now: number) {
  const from = now - WINDOW_MS[window];
  const inWindow = rows.filter((r) => r.tickAt > from && r.tickAt <= now);
  const byRegion = new Map<string, StatRow[]>();
  const buckets = new Map<string, { t: number; region: string; rows: StatRow[] }>();
  const size = BUCKET_MS[window];
  for (const row of inWindow) {
    const list = byRegion.get(row.region) ?? [];
    list.push(row);
    byRegion.set(row.region, list);
    const t = Math.floor(row.tickAt / size) * size;
    const key = `${t}|${row.region}`;
    const bucket = buckets.get(key) ?? { t, region: row.region, rows: [] };
    bucket.rows.push(row);
    buckets.set(key, bucket);
  }
  const regions: Record<string, Stat> = {};
  for (const [region, list] of byRegion) regions[region] = statOf(list);
  const series = [...buckets.values()]
    .sort((a, b) => a.t - b.t || a.region.localeCompare(b.region))
    .map((b) => {
      const s = statOf(b.rows);
      return {
        t: new Date(b.t).toISOString(),
        region: b.region,
        runs: s.runs,
        failed: s.failed,
        p50: s.p50,
        p95: s.p95,
      };
    });
  return { window, overall: statOf(inWindow), regions, series };
}
