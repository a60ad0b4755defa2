// The bookkeeping of one script execution: its output, its first error, the async work it started
// (awaited before the script counts as finished), console capture and virtual timers.
import type { AssertionResult, ConsoleEntry } from "../../schemas/events";
import type { PreludeInput, PreludeOutput } from "../contract";
import { encodeArgs, functionText } from "./console-args";
import { v8Message, v8Name } from "./v8-messages";

type Limits = PreludeInput["limits"];
type Fn = (...args: unknown[]) => unknown;

/** What one script execution accumulates. */
export interface ScriptRun {
  out: PreludeOutput & { assertions: AssertionResult[]; console: ConsoleEntry[] };
  /** The script's first error (thrown synchronously, by an async part, a timer or a callback). */
  error: unknown;
  consoleDropped: number;
  /** Unsettled async work the script started (host requests, the script body, async timer callbacks). */
  pending: Set<Promise<unknown>>;
  track<T>(p: T | Promise<T>): Promise<T>;
  /** Promises of pm.test callbacks that finish later (a `done` callback or a returned promise). */
  testPromises: Promise<unknown>[];
  /** Newman numbers a script's tests in call order (skipped and legacy ones included): its `at` index. */
  assertionIndex: number;
  /** pm.sendRequest calls handed to the host so far (the next call's number in `out.sideRequests`). */
  sideCalls: number;
}

/** A fresh run state for one script. */
export function createRun(): ScriptRun {
  const pending = new Set<Promise<unknown>>();
  return {
    out: { assertions: [], console: [], skipRequest: false } as unknown as ScriptRun["out"],
    error: undefined,
    consoleDropped: 0,
    pending,
    track<T>(p: T | Promise<T>): Promise<T> {
      const t: Promise<T> = Promise.resolve(p).finally(() => {
        pending.delete(t);
      });
      pending.add(t);
      return t;
    },
    testPromises: [],
    assertionIndex: 0,
    sideCalls: 0,
  };
}

/**
 * One console line: strings as they are, an Error as `Name: message`, numbers, symbols and bigints as
 * JavaScript writes them (NaN, Infinity, Symbol(s)), other values as JSON with functions written as
 * postman-sandbox sends them (nested ones too, where JSON would drop them).
 */
function format(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === "string") return a;
      if (a instanceof Error) return `${a.name}: ${a.message}`;
      if (a === undefined || typeof a === "number" || typeof a === "symbol" || typeof a === "bigint")
        return String(a);
      if (typeof a === "function") return functionText(a);
      try {
        return JSON.stringify(a, (_k, v: unknown) => (typeof v === "function" ? functionText(v) : v));
      } catch (_e) {
        return cycleSafeText(a);
      }
    })
    .join(" ");
}

/**
 * String(value) for a value JSON refused (a cycle, a bigint), as V8 writes it: an array that contains
 * itself joins to "" there. QuickJS's Array#join has no cycle check and overflows the stack.
 */
function cycleSafeText(a: unknown, seen: unknown[] = []): string {
  if (!Array.isArray(a)) return String(a);
  if (seen.includes(a)) return "";
  seen.push(a);
  const text = a.map((x: unknown) => (x === null || x === undefined ? "" : cycleSafeText(x, seen))).join(",");
  seen.pop();
  return text;
}

/** The script's console: entries and message length bounded by the host's limits. */
export function createConsole(run: ScriptRun, limits: Limits): Record<string, Fn> {
  const log =
    (level: ConsoleEntry["level"]) =>
    (...args: unknown[]) => {
      if (run.out.console.length >= limits.consoleEntries) {
        run.consoleDropped++;
        return;
      }
      let message = format(args);
      if (message.length > limits.consoleMessageChars)
        message = `${message.slice(0, limits.consoleMessageChars)}… (truncated)`;
      const encoded = encodeArgs(args, limits.consoleMessageChars);
      // `afterAssertions`: this script's assertions recorded so far (the engine adds the item's earlier ones).
      run.out.console.push({
        level,
        message,
        ...(encoded ? { args: encoded } : {}),
        afterAssertions: run.out.assertions.length,
      });
    };
  return {
    log: log("log"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    debug: log("debug"),
    // postman-sandbox's console has these six (a `clear` is a console event of its own, with no
    // arguments Newman prints as an empty line); `console.trace` is not a function there.
    clear: log("clear"),
  };
}

interface Timer {
  fn: Fn;
  at: number;
  args: unknown[];
  repeat: number;
  immediate: boolean;
}

/** Node's delay rule: anything not in 1..2^31-1 ms (0, negative, NaN, too large) becomes 1 ms. */
function nodeDelay(ms: unknown): number {
  const after = Number(ms);
  return after >= 1 && after <= 2147483647 ? after : 1;
}

/**
 * Virtual timers: they fire in due order once the script's synchronous part and microtasks are done,
 * after really waiting (host.sleep) as in Newman; the request waits for them.
 *
 * Ordering follows Node's event loop as a script run from an I/O callback sees it, so that it is the
 * same on every backend whatever the clock does while a script runs (V8's stands still during a call,
 * QuickJS's moves): a delay counts from the call, as in Node, and is at least 1 ms; timers fire by due
 * time, ties in the order they were set; `setImmediate` callbacks run before any timer.
 */
export function createTimers(limits: Limits, now: () => number) {
  let timerSeq = 0;
  let timersScheduled = 0;
  const timers = new Map<number, Timer>();
  const schedule = (
    fn: unknown,
    ms: unknown,
    args: unknown[],
    kind: "timeout" | "interval" | "immediate",
  ) => {
    if (typeof fn !== "function") return 0;
    if (++timersScheduled > limits.timers) throw new Error(`too many timers (limit ${limits.timers})`);
    const id = ++timerSeq;
    const delay = kind === "immediate" ? 0 : nodeDelay(ms);
    timers.set(id, {
      fn: fn as Fn,
      at: now() + delay,
      args,
      repeat: kind === "interval" ? delay : 0,
      immediate: kind === "immediate",
    });
    return id;
  };
  const api = {
    setTimeout: (fn: unknown, ms?: unknown, ...a: unknown[]) => schedule(fn, ms, a, "timeout"),
    setInterval: (fn: unknown, ms?: unknown, ...a: unknown[]) => schedule(fn, ms, a, "interval"),
    setImmediate: (fn: unknown, ...a: unknown[]) => schedule(fn, 0, a, "immediate"),
    clearTimeout: (id: unknown) => timers.delete(id as number),
    clearInterval: (id: unknown) => timers.delete(id as number),
    clearImmediate: (id: unknown) => timers.delete(id as number),
  };
  /** The timer due first, taken off the queue (an interval is rescheduled), and how long until it is due. */
  const next = (): { timer: Timer | undefined; wait: number } => {
    const loopNow = now();
    let nextId = 0;
    let first: Timer | undefined;
    for (const [id, t] of timers) {
      if (t.immediate) {
        [nextId, first] = [id, t];
        break;
      }
      if (!first || t.at < first.at) [nextId, first] = [id, t];
    }
    const wait = !first ? Number.POSITIVE_INFINITY : first.immediate ? 0 : first.at - loopNow;
    if (!first || wait > 0) return { timer: first, wait };
    if (first.repeat) first.at = loopNow + first.repeat;
    else timers.delete(nextId);
    return { timer: first, wait };
  };
  return { api, next };
}

/** pm.test and pm.test.skip; results keep call order even when async tests finish later. */
export function createTest(run: ScriptRun, source: string, self: () => unknown) {
  // Like postman-sandbox, a test is recorded when it settles: synchronous tests at once, tests with a
  // `done` callback or a returned promise when they finish (so async results come after sync ones).
  const unsettled = new Set<AssertionResult>();
  const test = (name: unknown, fn?: unknown) => {
    const slot: AssertionResult = {
      name: String(name),
      passed: true,
      skipped: false,
      index: run.assertionIndex++,
    };
    const settle = () => {
      if (!unsettled.delete(slot)) return;
      run.out.assertions.push(slot);
    };
    unsettled.add(slot);
    const fail = (e: unknown) => {
      slot.passed = false;
      // Newman's reporter names an error without a name (`throw "text"`, `throw { message }`) an
      // AssertionError, and words one without a message with the test's name.
      const isObject = e !== null && typeof e === "object";
      slot.error = {
        name: isObject && Reflect.get(e, "name") !== undefined ? v8Name(e) : "AssertionError",
        message: isObject && Reflect.get(e, "message") !== undefined ? v8Message(e, source) : slot.name,
      };
    };
    // Newman records a pm.test without a callback as a passed (not skipped) assertion.
    if (typeof fn !== "function") {
      settle();
      return self();
    }
    try {
      if (fn.length > 0) {
        run.testPromises.push(
          new Promise<void>((resolve) => {
            fn((err: unknown) => {
              if (err) fail(err);
              settle();
              resolve();
            });
          }),
        );
      } else {
        const r = fn();
        if (r && typeof r.then === "function")
          run.testPromises.push(
            Promise.resolve(r)
              .then(() => undefined, fail)
              .then(settle),
          );
        else settle();
      }
    } catch (e) {
      fail(e);
      settle();
    }
    return self();
  };
  test.skip = (name: unknown) => {
    run.out.assertions.push({ name: String(name), passed: true, skipped: true, index: run.assertionIndex++ });
    return self();
  };
  return test;
}
