/**
 * Run statistics in Newman's shape, accumulated incrementally as items complete, so the terminal event
 * and the report carry the same numbers without re-reading the event log.
 */
import type { Counter, Failure, RequestCompletedEvent, RunStats, RunTimings } from "../schemas/events";

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

/**
 * Failures kept in the engine state (and so in the terminal event) are bounded: the state is
 * checkpointed after every step and the terminal event is one stored row. The count in stats stays
 * exact, and the complete list is derivable from the request.completed events (`itemFailures`), which
 * is how the Newman report lists every failure, as Newman does.
 */
export const MAX_KEPT_FAILURES = 200;

export function pushFailure(list: Failure[], failure: Failure): void {
  if (list.length < MAX_KEPT_FAILURES) list.push(failure);
}

type ItemOutcome = Pick<
  RequestCompletedEvent,
  "iteration" | "item" | "error" | "assertions" | "scriptErrors" | "sideRequestFailures"
>;

/**
 * One item's failures, in the order Newman reports them: the pre-request scripts' failed
 * pm.sendRequest calls and errors, the request error, the test scripts' failed assertions, failed
 * pm.sendRequest calls and errors. Under `bail`, postman-runtime
 * turns the first failed assertion into an error of the test script (`AssertionFailure`).
 */
export function itemFailures(e: ItemOutcome, opts: { bail: boolean }): Failure[] {
  const item = e.item;
  const out: Failure[] = [];
  const script = (x: ItemOutcome["scriptErrors"][number]): Failure => ({
    iteration: e.iteration,
    item,
    source: "script",
    name: x.name,
    message: x.message,
    event: x.event,
  });
  const side = (event: "prerequest" | "test") => {
    for (const x of e.sideRequestFailures ?? [])
      if (x.event === event)
        out.push({
          iteration: e.iteration,
          item,
          source: "request",
          name: x.error.name,
          message: x.error.message,
          sideRequest: { method: x.method, url: x.url },
        });
  };
  side("prerequest");
  for (const x of e.scriptErrors) if (x.event === "prerequest") out.push(script(x));
  if (e.error)
    out.push({
      iteration: e.iteration,
      item,
      source: "request",
      name: e.error.name,
      message: e.error.message,
    });
  for (const a of e.assertions) {
    if (a.passed || a.skipped) continue;
    out.push({
      iteration: e.iteration,
      item,
      source: "assertion",
      name: a.name,
      message: a.error?.message ?? "assertion failed",
      errorName: a.error?.name ?? "AssertionError",
    });
  }
  side("test");
  for (const x of e.scriptErrors) if (x.event === "test") out.push(script(x));
  const firstFailed = bailFailure(e, opts.bail);
  if (firstFailed)
    out.push(script({ name: "AssertionFailure", message: firstFailed.name, event: "test", location: "" }));
  return out;
}

/** Under `bail`, the failed assertion postman-runtime turns into a test script error, if any. */
export function bailFailure(e: Pick<ItemOutcome, "assertions" | "scriptErrors">, bail: boolean) {
  if (!bail || e.scriptErrors.some((x) => x.event === "test")) return undefined;
  return e.assertions.find((a) => !a.passed && !a.skipped);
}
