/**
 * The Cron Trigger's monitor sweeper (every minute): each Monitor object keeps its own alarm, but an
 * alarm can be lost (a failed deploy, an object reset). The sweeper asks a rotating batch of active
 * monitors from the MonitorIndex to re-arm themselves when their alarm is missing.
 */
import { log } from "../platform/log";

const BATCH = 500;
const CONCURRENCY = 25;

/** Pokes the next batch of active monitors; answers how many had to be re-armed. */
export async function sweepMonitors(env: Env): Promise<number> {
  const index = env.MONITOR_INDEX.get(env.MONITOR_INDEX.idFromName("global"));
  const batch = await index.sweepBatch(BATCH);
  let rearmed = 0;
  for (let i = 0; i < batch.length; i += CONCURRENCY) {
    const results = await Promise.allSettled(
      batch
        .slice(i, i + CONCURRENCY)
        .map((m) => env.MONITOR.get(env.MONITOR.idFromName(`${m.workspaceId}:${m.monitorId}`)).ensureAlarm()),
    );
    for (const r of results) {
      if (r.status === "fulfilled" && r.value) rearmed++;
      else if (r.status === "rejected") log.warn("monitor sweep failed", { error: String(r.reason) });
    }
  }
  if (rearmed > 0) log.warn("monitor sweep re-armed alarms", { rearmed, swept: batch.length });
  return rearmed;
}
