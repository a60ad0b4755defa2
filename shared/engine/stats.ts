/**
 * Run statistics in Newman's shape, accumulated incrementally as items complete, so the terminal event
 * and the report carry the same numbers without re-reading the event log.
 */
import type { Counter, Failure, RunStats, RunTimings } from "../schemas/events";

const counter = (): Counter => ({ total: 0, pending: 0, failed: 0 });

export function emptyStats(): RunStats {
  return {
    iterations: counter(),
    items: counter(),
    scripts: counter(),
    prerequests: counter(),
    requests: counter(),
    tests: counter(),
    assertions: counter(),
    testScripts: counter(),
    prerequestScripts: counter(),
  };
}

export interface TimingAcc {
  started: number;
  count: number;
  total: number;
  min: number;
  max: number;
}

export function emptyTimings(now: number): TimingAcc {
  return { started: now, count: 0, total: 0, min: 0, max: 0 };
}

export function addResponseTime(t: TimingAcc, ms: number): void {
  t.min = t.count === 0 ? ms : Math.min(t.min, ms);
  t.max = Math.max(t.max, ms);
  t.total += ms;
  t.count += 1;
}

export function toRunTimings(t: TimingAcc, completed?: number): RunTimings {
  return {
    started: t.started,
    ...(completed !== undefined ? { completed } : {}),
    responseAverage: t.count ? t.total / t.count : 0,
    responseMin: t.min,
    responseMax: t.max,
    responseTotal: t.total,
  };
}

/** Failures kept in state are bounded; the count in stats stays exact. */
export const MAX_KEPT_FAILURES = 200;

export function pushFailure(list: Failure[], failure: Failure): void {
  if (list.length < MAX_KEPT_FAILURES) list.push(failure);
}
