/**
 * MonitorRun records (the history's rows) from what the run service and the RunCoordinator answer:
 * a started run, a run the service refused (quota), and a finished run with its digest; and what a tick
 * starts: its job key per region and attempt, and the run-service body.
 */
import type { ProblemError } from "../platform/problem";
import type { MonitorConfig } from "../shared/monitors/config";
import type { RunDigest } from "../shared/monitors/stats";
import { CreateRunBodySchema, type Region, type RunStatus, type RunSummary } from "../shared/schemas/api";
import type { MonitorRun } from "../shared/schemas/monitors";
import type { MonitorUses } from "./monitor-uses";

export interface TickRef {
  tickAt: number;
  region: Region;
  attempt: number;
}

export function isFinished(status: RunStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/** The history row of a run the service accepted (not finished yet). */
export function startedRun(summary: RunSummary, tick: TickRef): MonitorRun {
  return {
    runId: summary.id,
    tickAt: new Date(tick.tickAt).toISOString(),
    region: tick.region,
    attempt: tick.attempt,
    status: summary.status,
    passed: null,
    startedAt: summary.startedAt ?? summary.createdAt,
    finishedAt: null,
    durationMs: null,
    requests: { total: 0, failed: 0 },
    assertions: { total: 0, failed: 0 },
    responseTime: null,
    failures: [],
  };
}

/** A refusal (e.g. 429 quota) counts as a failed attempt, with the service's reason as its failure. */
export function refusedRun(problem: ProblemError, tick: TickRef, now: number): MonitorRun {
  const at = new Date(now).toISOString();
  return {
    runId: `rej_${tick.tickAt.toString(36)}_${tick.region}_${tick.attempt}`,
    tickAt: new Date(tick.tickAt).toISOString(),
    region: tick.region,
    attempt: tick.attempt,
    status: "failed",
    passed: false,
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    requests: { total: 0, failed: 0 },
    assertions: { total: 0, failed: 0 },
    responseTime: null,
    failures: [
      { item: "(run)", assertion: null, message: `run refused (${problem.status}): ${problem.message}` },
    ],
  };
}

/** The finished row: status and times from the summary, totals and failures from the digest. */
export function finishedRun(
  summary: RunSummary,
  started: MonitorRun,
  digest: RunDigest,
  passed: boolean,
): MonitorRun {
  const startedAt = summary.startedAt ?? started.startedAt;
  const durationMs =
    startedAt && summary.finishedAt
      ? Math.max(0, Date.parse(summary.finishedAt) - Date.parse(startedAt))
      : null;
  return {
    ...started,
    status: summary.status,
    passed,
    startedAt,
    finishedAt: summary.finishedAt,
    durationMs,
    requests: digest.requests,
    assertions: digest.assertions,
    responseTime: digest.responseTime,
    failures: digest.failures,
  };
}

/** The job key of one start: a tick, a region and an attempt start at most one run. */
export function startKey(tickAt: number, region: string, attempt: number): string {
  return `start:${tickAt}:${region}:${attempt}`;
}

/** The run-service body of one monitor run in one region. */
export function runBody(cfg: MonitorConfig, region: Region) {
  const c = cfg.collection;
  const e = cfg.environment;
  return CreateRunBodySchema.parse({
    collection: "inline" in c ? c.inline : c.id,
    ...("id" in c && c.version ? { collectionVersion: c.version } : {}),
    ...(e === null ? {} : { environment: "inline" in e ? e.inline : e.id }),
    ...(e && "id" in e && e.version ? { environmentVersion: e.version } : {}),
    options: { ...cfg.options, region },
  });
}

/** The stored resources a monitor runs, for the workspace's guard against deleting them. */
export function storedUses(cfg: MonitorConfig): MonitorUses {
  const c = cfg.collection;
  const e = cfg.environment;
  return { collectionId: "id" in c ? c.id : null, environmentId: e && "id" in e ? e.id : null };
}
