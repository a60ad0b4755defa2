/**
 * Run statistics in Newman's shape, accumulated incrementally as items complete, so the terminal event
 * and the report carry the same numbers without re-reading the event log.
 */
import type {
  Counter,
  Failure,
  RequestCompletedEvent,
  RunStats,
  RunTimings,
  ScriptError,
} from "../schemas/events";
import { phaseSteps } from "./item-timeline";

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
  /** Welford's sum of squared deviations from the mean (absent from state checkpointed before it). */
  m2?: number;
}

export function emptyTimings(now: number): TimingAcc {
  return { started: now, count: 0, total: 0, min: 0, max: 0 };
}

/** Adds one response's time; the deviation is Welford's running form (one pass, the state stays small). */
export function addResponseTime(t: TimingAcc, ms: number): void {
  t.min = t.count === 0 ? ms : Math.min(t.min, ms);
  t.max = Math.max(t.max, ms);
  const before = t.count ? t.total / t.count : 0;
  t.total += ms;
  t.count += 1;
  t.m2 = (t.m2 ?? 0) + (ms - before) * (ms - t.total / t.count);
}

export function toRunTimings(t: TimingAcc, completed?: number): RunTimings {
  return {
    started: t.started,
    ...(completed !== undefined ? { completed } : {}),
    responseAverage: t.count ? t.total / t.count : 0,
    responseMin: t.min,
    responseMax: t.max,
    responseTotal: t.total,
    responseSd: t.count ? Math.sqrt((t.m2 ?? 0) / t.count) : 0,
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
  | "iteration"
  | "item"
  | "error"
  | "assertions"
  | "scriptErrors"
  | "sideRequestFailures"
  | "console"
  | "sideRequests"
>;

/**
 * One item's failures, in the order Newman reports them, which is the order they happened: the
 * pre-request scripts' failed assertions, failed pm.sendRequest calls and errors, the request error,
 * then the test scripts'. Under `bail`, postman-runtime turns the first failed assertion into an error
 * of the test script (`AssertionFailure`).
 */
export function itemFailures(e: ItemOutcome, opts: { bail: boolean }): Failure[] {
  const out: Failure[] = [];
  // Most items fail nothing: no order to rebuild.
  const clean = !e.error && !e.scriptErrors.length && !e.sideRequestFailures?.length;
  if (clean && e.assertions.every((a) => a.passed || a.skipped)) return out;
  const base = { iteration: e.iteration, item: e.item };
  const script = (x: Pick<ScriptError, "name" | "message" | "event">): Failure => ({
    ...base,
    source: "script",
    name: x.name,
    message: x.message,
    event: x.event,
  });
  const side = (x: { method: string; url: string; error?: { name: string; message: string } }): Failure => ({
    ...base,
    source: "request",
    name: x.error?.name ?? "RequestError",
    message: x.error?.message ?? "request failed",
    sideRequest: { method: x.method, url: x.url },
  });
  for (const phase of ["prerequest", "test"] as const) {
    if (phase === "test" && e.error)
      out.push({ ...base, source: "request", name: e.error.name, message: e.error.message });
    let placedSides = 0;
    for (const step of phaseSteps(e, phase)) {
      if (step.kind === "error") out.push(script(step.error));
      else if (step.kind === "side" && !step.request.response) {
        placedSides++;
        out.push(side(step.request));
      } else if (step.kind === "assertion" && !step.assertion.passed && !step.assertion.skipped) {
        const a = step.assertion;
        out.push({
          ...base,
          source: "assertion",
          name: a.name,
          message: a.error?.message ?? "assertion failed",
          errorName: a.error?.name ?? "AssertionError",
        });
      }
    }
    // Failed calls past the listed ones (or from a stream that lists none) close their phase.
    const unplaced = (e.sideRequestFailures ?? []).filter((x) => x.event === phase).slice(placedSides);
    for (const x of unplaced) out.push(side(x));
  }
  const bailed = bailFailure(e, opts.bail);
  if (bailed)
    out.push(script({ name: "AssertionFailure", message: bailed.names.join(", "), event: bailed.event }));
  return out;
}

/**
 * Under `bail`, the failed assertions postman-runtime turns into an error of their script, named
 * `AssertionFailure` with their names joined by ", " (the item stops at that script, so they are the
 * failed assertions of the first failing phase), unless the script threw: the thrown error takes
 * precedence. The phase says which script counter Newman marks failed.
 */
export function bailFailure(
  e: Pick<ItemOutcome, "assertions" | "scriptErrors">,
  bail: boolean,
): { names: string[]; event: "prerequest" | "test" } | undefined {
  if (!bail) return undefined;
  const failed = e.assertions.filter((a) => !a.passed && !a.skipped);
  if (failed.length === 0) return undefined;
  const event = failed[0]!.event ?? "test";
  if (e.scriptErrors.some((x) => x.event === event)) return undefined;
  return { names: failed.filter((a) => (a.event ?? "test") === event).map((a) => a.name), event };
}
