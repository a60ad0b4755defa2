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
