/**
 * When a monitor runs: validation of its schedule, the next tick after an instant, the per-monitor
 * jitter, and catch-up after downtime. Pure (croner for cron and time zones), so it is unit tested in Node.
 *
 * - Cron schedules are five fields in an IANA time zone. DST follows croner: a fixed-time job
 *   (`30 2 * * *`) in a spring-forward gap runs at the first valid time after the gap and once on a
 *   repeated hour; interval-style jobs (`*\/30 * * * *`) skip the gap and run on both occurrences.
 * - Interval schedules are anchored at the monitor's anchor (its creation or its last schedule change),
 *   so ticks stay on a fixed grid: `anchor + k × interval`.
 * - A tick's nominal time is what the history records; the alarm fires `jitter` later. The jitter is
 *   deterministic per monitor (a hash of its id), between 0 and min(2 s, interval / 10), so many monitors
 *   on the same schedule spread out while each one stays exactly periodic.
 */
import { Cron } from "croner";
import type { Schedule } from "../schemas/monitors";

export interface ScheduleIssue {
  pointer: string;
  detail: string;
}

/** Checks cron syntax (5 fields), the time zone and that the cron ever fires; empty when valid. */
export function scheduleIssues(schedule: Schedule, pointer = "/schedule"): ScheduleIssue[] {
  if ("intervalSeconds" in schedule) return [];
  const issues: ScheduleIssue[] = [];
  if (!isTimeZone(schedule.timezone)) {
    issues.push({
      pointer: `${pointer}/timezone`,
      detail: `unknown time zone '${schedule.timezone}' (use an IANA name such as 'Europe/Berlin')`,
    });
  }
  let cron: Cron | undefined;
  try {
    cron = new Cron(schedule.cron, { mode: "5-part", paused: true });
  } catch (err) {
    issues.push({ pointer: `${pointer}/cron`, detail: cronMessage(err) });
  }
  if (cron && cron.nextRun() === null) {
    issues.push({ pointer: `${pointer}/cron`, detail: "the cron expression never fires" });
  }
  return issues;
}

function cronMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `invalid cron expression: ${message.replace(/^CronPattern: /, "")}`;
}

/** True for time zones the runtime's Intl knows (IANA names and `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Smallest gap between two ticks of this schedule in ms (cron: estimated from its next ticks). */
export function minimumGapMs(schedule: Schedule, from: number): number {
  if ("intervalSeconds" in schedule) return schedule.intervalSeconds * 1000;
  const runs = cronFor(schedule).nextRuns(5, new Date(from));
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]!.getTime() - runs[i - 1]!.getTime());
  return Number.isFinite(gap) ? gap : 60_000;
}

/**
 * The first tick strictly after `after` (epoch ms), or null when the schedule never fires again.
 * `anchor` is the interval grid's origin (ignored for cron).
 */
export function nextTick(schedule: Schedule, opts: { after: number; anchor: number }): number | null {
  if ("intervalSeconds" in schedule) {
    const step = schedule.intervalSeconds * 1000;
    if (opts.after < opts.anchor) return opts.anchor;
    return opts.anchor + (Math.floor((opts.after - opts.anchor) / step) + 1) * step;
  }
  const next = cronFor(schedule).nextRun(new Date(opts.after));
  return next ? next.getTime() : null;
}

/**
 * The tick to run when the alarm fires at `now` for the stored tick `due`. After downtime several
 * ticks may have passed: the monitor runs **once**, for the latest tick that is due, and the next tick
 * is the first one after `now`, so missed ticks are counted (`skipped`) but never replayed.
 */
export function catchUp(
  schedule: Schedule,
  opts: { due: number; now: number; anchor: number },
): { tickAt: number; next: number | null; skipped: number } {
  const next = nextTick(schedule, { after: opts.now, anchor: opts.anchor });
  const latest = latestTick(schedule, opts);
  const tickAt = Math.max(opts.due, latest ?? opts.due);
  const gap = minimumGapMs(schedule, opts.due);
  const skipped = tickAt > opts.due ? Math.max(1, Math.round((tickAt - opts.due) / gap)) : 0;
  return { tickAt, next, skipped };
}

/** The latest tick at or before `now` (null when none). */
function latestTick(schedule: Schedule, opts: { now: number; anchor: number }): number | null {
  if ("intervalSeconds" in schedule) {
    const step = schedule.intervalSeconds * 1000;
    if (opts.now < opts.anchor) return null;
    return opts.anchor + Math.floor((opts.now - opts.anchor) / step) * step;
  }
  const previous = cronFor(schedule).previousRuns(1, new Date(opts.now + 1))[0];
  return previous ? previous.getTime() : null;
}

/** Deterministic per-monitor jitter in ms: 0 … min(2000, gap / 10). */
export function jitterMs(monitorId: string, gapMs: number): number {
  const max = Math.min(2000, Math.floor(gapMs / 10));
  if (max <= 0) return 0;
  let h = 2166136261;
  for (let i = 0; i < monitorId.length; i++) {
    h ^= monitorId.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % (max + 1);
}

function cronFor(schedule: { cron: string; timezone: string }): Cron {
  return new Cron(schedule.cron, { mode: "5-part", timezone: schedule.timezone, paused: true });
}
