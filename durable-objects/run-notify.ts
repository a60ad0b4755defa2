/**
 * What a run's object tells others about it: the workspace's run index (when the run starts and when it
 * ends, with its request-time sample) and the monitor that started it (when it ends). Best effort, never
 * throwing: a lost index update is repaired by the next one, a lost monitor call by the monitor polling
 * its unfinished runs.
 */
import { log } from "../platform/log";
import { workspaceStub } from "../platform/stubs";
import type { RunSummary } from "../shared/schemas/api";
import type { RunRecord } from "./run-store";

/** Upserts the run's row in its workspace's index. */
export async function notifyWorkspace(env: Env, record: RunRecord, summary: RunSummary): Promise<void> {
  try {
    const finished = record.status !== "queued" && record.status !== "running";
    await workspaceStub(env, record.workspaceId).recordRun(
      summary,
      finished ? { n: record.requestsTimed ?? 0, t: record.requestTimes ?? [] } : undefined,
    );
  } catch (err) {
    log.warn("workspace index update failed", { runId: record.id, error: String(err) });
  }
}

/**
 * How long a run is running before its workspace's index hears that it started. A run that ends sooner
 * (a short CLI or monitor run) is recorded once, finished: one Workspace call and commit instead of two
 * (≈ 0.3 ms of workerd CPU per run locally). Until then the index row says `queued`, which admission
 * counts as active all the same; the run's own status (`GET /v1/runs/{id}`) is never late. The pending
 * timer keeps the object alive (compatibility date ≥ 2026-10-01); a notice lost to a restart is
 * repaired by the run's end.
 */
export const STARTED_NOTICE_MS = 1000;

/**
 * Upserts the run's row as running after `STARTED_NOTICE_MS`, unless the run has ended by then (its end
 * is recorded on its own). `current` reads the run's record and summary at that moment.
 */
export async function notifyStartedLater(
  env: Env,
  current: () => { record: RunRecord; summary: RunSummary } | null,
  delayMs = STARTED_NOTICE_MS,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const now = current();
  if (now?.record.status === "running") await notifyWorkspace(env, now.record, now.summary);
}

/** Tells the run's monitor (if a monitor started it) how it ended. */
export async function notifyMonitor(env: Env, record: RunRecord, summary: RunSummary): Promise<void> {
  if (!record.monitorId) return;
  try {
    const name = `${record.workspaceId}:${record.monitorId}`;
    const failures = record.terminal && "failures" in record.terminal ? record.terminal.failures : [];
    await env.MONITOR.get(env.MONITOR.idFromName(name)).runFinished(summary, failures);
  } catch (err) {
    log.warn("monitor update failed", { runId: record.id, error: String(err) });
  }
}
