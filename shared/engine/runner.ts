/**
 * The collection runner: an explicit, serialisable cursor over iterations × items.
 *
 * `step()` executes at most one item and returns the events it produced with the next state. The caller
 * (a Durable Object, the Node test harness, a benchmark) persists state and events together; feeding a
 * persisted state back into a fresh Runner continues exactly where the run left off.
 */
import type { EventBody, Failure, RunEvent, RunStats } from "../schemas/events";
import type { ScopeSet } from "../security/mask";
import type { Masker } from "../security/masker";
import { abortReason, type LinkedSignal, linkSignal } from "./abort";
import { CookieJar, cookiesFromJar } from "./cookie-jar";
import { executeItem, type ItemDeps } from "./execute-item";
import { IsoTimestamps } from "./iso-timestamps";
import { sameSignature, scopeSignature } from "./masker-scopes";
import type { RunPlan } from "./plan";
import { maskerParts, runMasker } from "./run-masker";
import {
  addResponseTime,
  bailFailure,
  emptyStats,
  emptyTimings,
  itemFailures,
  pushFailure,
  type TimingAcc,
  toRunTimings,
} from "./stats";
import { stepCopy } from "./step-copy";
import type { Cookie, Scopes } from "./types";

export type { RunPlan };

/** One iteration in progress. Sequential runs have one lane whose scopes carry over between iterations. */
export interface Lane {
  iteration: number;
  /** Index into plan.collection.items of the next item to execute. */
  index: number;
  open: boolean;
  /** No further items in this iteration (setNextRequest(null) or an unknown target). */
  stopped: boolean;
  /** `local` (pm.variables.set) lives for the whole run, as in Newman 6. */
  scopes: Omit<Scopes, "data" | "local"> & { local?: Scopes["local"] };
  cookies: Cookie[];
}

export interface RunState {
  v: 1;
  lanes: Lane[];
  /** Next iteration number not yet assigned to a lane. */
  nextIteration: number;
  /** Stop the whole run after the current items (bail). */
  halted: boolean;
  /** Scopes of the most recently finished iteration (exported at the end with parallel lanes). */
  scopes: Omit<Scopes, "data" | "local">;
  cookies: Cookie[];
  stats: RunStats;
  timings: TimingAcc;
  failures: Failure[];
  /** Set by the owner while a request is in flight; a resumed state with it set re-sends and flags the event. */
  inflight?: boolean;
  resending?: boolean;
}

export interface StepResult {
  state: RunState;
  events: RunEvent[];
  done: boolean;
  /** Delay the owner should wait before the next step (delayRequest). */
  waitMs: number;
  /**
   * Set when `deps.signal` fired (outcome `cancelled`) or the run's deadline `options.timeout` passed
   * (outcome `failed`) before or during this step: the owner commits `events` and finishes the run with
   * this outcome. An item cut short still produced its request.completed (error `AbortError`, cursor
   * advanced past it); a step aborted before it began returns the state unchanged and no events.
   */
  aborted?: { outcome: "cancelled" | "failed"; reason: string };
}

interface StepSignal {
  signal: AbortSignal | undefined;
  /** Set when the step derived its own signal (a run deadline): disposed after the step. */
  link?: LinkedSignal;
  deadline: number | undefined;
}

export class Runner {
  readonly #plan: RunPlan;
  readonly #deps: ItemDeps;

  readonly #masker: Masker;
  readonly #dynamicTemplates: boolean;

  constructor(plan: RunPlan, deps: ItemDeps) {
    this.#plan = plan;
    this.#deps = deps;
    this.#masker = runMasker(plan);
    this.#dynamicTemplates = JSON.stringify(maskerParts(plan).templates).includes("{{$");
  }

  get parallel(): number {
    return Math.max(1, Math.min(this.#plan.options.parallel ?? 1, 6));
  }

  /** The initial state and the run.started event. */
  start(region: string): { state: RunState; events: RunEvent[] } {
    const plan = this.#plan;
    const scopes = {
      globals: plan.globals,
      collection: plan.collection.variables,
      environment: plan.environment.values,
      ...(plan.environment.name ? { environmentName: plan.environment.name } : {}),
    };
    const state: RunState = {
      v: 1,
      lanes: [],
      nextIteration: 0,
      halted: false,
      scopes,
      cookies: cookiesFromJar(plan.options.cookies ?? [], this.#deps.now()),
      stats: emptyStats(),
      timings: emptyTimings(this.#deps.now()),
      failures: [],
    };
    const events = [
      this.#envelope({
        type: "run.started",
        collection: { id: plan.collection.id, name: plan.collection.name },
        iterations: plan.iterations,
        items: plan.collection.items.length,
        region,
        ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
      }),
    ];
    return { state, events };
  }

  /**
   * Executes the next item of every active lane (one lane unless `parallel` > 1), opening and closing
   * iterations around them. Lanes run concurrently; their events are appended in lane order.
   */
  async step(input: RunState): Promise<StepResult> {
    // `resending` marks only the step right after a crash; it must not leak into later steps.
    const { resending: _resending, ...rest } = input;
    const state = stepCopy(rest);
    const events: RunEvent[] = [];
    const abort = this.#stepSignal(state);
    try {
      if (abort.signal?.aborted)
        return { state, events, done: false, waitMs: 0, aborted: this.#abortOutcome(abort) };
      const result = await this.#step(input, state, events, abort.signal);
      return abort.signal?.aborted ? { ...result, aborted: this.#abortOutcome(abort) } : result;
    } finally {
      abort.link?.dispose();
    }
  }

  /**
   * The step's signal: the owner's (cancel) and the run's deadline (`options.timeout` from the start).
   * Without a deadline it is the owner's own signal: no derived controller per step.
   */
  #stepSignal(state: RunState): StepSignal {
    const timeout = this.#plan.options.timeout;
    const deadline = timeout ? state.timings.started + timeout : undefined;
    if (deadline === undefined) return { signal: this.#deps.signal, deadline };
    const link = linkSignal([this.#deps.signal], deadline - this.#deps.now(), { timer: this.#deps.timer });
    return { signal: link.signal, link, deadline };
  }

  #abortOutcome(abort: StepSignal): NonNullable<StepResult["aborted"]> {
    const timeout = this.#plan.options.timeout;
    if (abort.link?.timedOut() || (abort.deadline !== undefined && this.#deps.now() >= abort.deadline))
      return { outcome: "failed", reason: `run exceeded its timeout of ${timeout} ms` };
    return { outcome: "cancelled", reason: abort.signal ? abortReason(abort.signal) : "run aborted" };
  }

  async #step(
    input: RunState,
    state: RunState,
    events: RunEvent[],
    signal: AbortSignal | undefined,
  ): Promise<StepResult> {
    const plan = this.#plan;
    const items = plan.collection.items;

    // Close finished lanes and fill free ones with new iterations.
    for (;;) {
      for (const lane of state.lanes) {
        if (!lane.open) {
          lane.open = true;
          events.push(this.#envelope({ type: "iteration.started", iteration: lane.iteration }));
        }
      }
      const finished = state.lanes.filter((l) => l.stopped || l.index >= items.length);
      if (
        finished.length === 0 &&
        (state.lanes.length >= this.parallel || state.nextIteration >= plan.iterations || state.halted)
      )
        break;
      for (const lane of finished) {
        events.push(this.#envelope({ type: "iteration.completed", iteration: lane.iteration }));
        state.stats.iterations.total += 1;
        state.scopes = lane.scopes;
        state.cookies = lane.cookies;
      }
      state.lanes = state.lanes.filter((l) => !finished.includes(l));
      if (state.halted) break;
      while (state.lanes.length < this.parallel && state.nextIteration < plan.iterations) {
        // Sequential runs carry scopes from one iteration to the next; parallel lanes start isolated.
        const seed = this.parallel > 1 ? this.start("").state : state;
        state.lanes.push({
          iteration: state.nextIteration++,
          index: 0,
          open: false,
          stopped: false,
          scopes: structuredClone(seed.scopes),
          cookies: structuredClone(seed.cookies),
        });
      }
      if (state.lanes.length === 0) break;
    }
    if (state.lanes.length === 0 || state.halted) {
      for (const lane of state.lanes) {
        events.push(this.#envelope({ type: "iteration.completed", iteration: lane.iteration }));
        state.stats.iterations.total += 1;
      }
      state.lanes = [];
      return { state, events, done: true, waitMs: 0 };
    }
    // An iteration that just opened is its own step: its event is committed (and reaches live
    // subscribers) before the iteration's first request, which may be slow, runs.
    if (events.some((e) => e.type === "iteration.started")) return { state, events, done: false, waitMs: 0 };

    const results = await Promise.all(state.lanes.map((lane) => this.#runLane(lane, signal)));
    // Secrets scripts set (and tokens credential templates now resolve to) are masked from here on.
    this.#updateMasker([state.scopes, ...results.map((r) => r.result.scopes)]);
    let failedAny = false;
    state.lanes.forEach((lane, i) => {
      const { result, item } = results[i]!;
      const { data: _data, ...persisted } = result.scopes;
      lane.scopes = persisted;
      lane.cookies = result.cookies.toJSON();
      failedAny = this.#account(state, lane.iteration, result, item) || failedAny;
      events.push(this.#requestEvent(result.event, input.resending === true));
      if (result.nextRequest) {
        const target = result.nextRequest.target;
        const next = target === null ? -1 : items.findIndex((it) => it.name === target || it.id === target);
        if (next < 0) lane.stopped = true;
        else lane.index = next;
      } else {
        lane.index += 1;
      }
    });
    if (failedAny && plan.options.bail) state.halted = true;
    const more =
      !state.halted &&
      (state.nextIteration < plan.iterations ||
        state.lanes.some((l) => !l.stopped && l.index < items.length));
    return { state, events, done: false, waitMs: more ? (plan.options.delayRequest ?? 0) : 0 };
  }

  async #runLane(lane: Lane, signal: AbortSignal | undefined) {
    const plan = this.#plan;
    const item = plan.collection.items[lane.index]!;
    const data = plan.data.length ? (plan.data[Math.min(lane.iteration, plan.data.length - 1)] ?? {}) : {};
    const result = await executeItem(
      item,
      { ...lane.scopes, data, local: lane.scopes.local ?? [] },
      new CookieJar(lane.cookies),
      {
        iteration: lane.iteration,
        iterationCount: plan.iterations,
        collectionName: plan.collection.name,
        timeoutRequest: plan.options.timeoutRequest,
        timeoutScript: plan.options.timeoutScript,
        ignoreRedirects: plan.options.ignoreRedirects,
        insecure: plan.options.insecure,
        retry: plan.options.retry,
        bail: plan.options.bail === true,
      },
      { ...this.#deps, signal },
    );
    return { result, item };
  }

  /** The terminal event, with the stats and failures accumulated in state. */
  finish(
    state: RunState,
    outcome: "completed" | "failed" | "cancelled",
    reason?: string,
  ): { state: RunState; events: RunEvent[] } {
    const events: RunEvent[] = [];
    const next = structuredClone(state);
    this.#updateMasker([next.scopes, ...next.lanes.map((l) => l.scopes)]);
    const lastIteration = Math.max(0, next.nextIteration - 1);
    const common = {
      stats: next.stats,
      timings: toRunTimings(next.timings, this.#deps.now()),
      failures: next.failures,
    };
    if (outcome === "failed") {
      // Past the cap too: the report rebuilds the others from the events, never this one.
      next.failures.push({
        iteration: lastIteration,
        source: "run",
        name: "RunError",
        message: reason ?? "run failed",
      });
      events.push(
        this.#envelope({
          type: "run.failed",
          ...common,
          failures: next.failures,
          reason: reason ?? "run failed",
        }),
      );
    } else if (outcome === "cancelled") {
      events.push(this.#envelope({ type: "run.cancelled", ...common }));
    } else {
      events.push(this.#envelope({ type: "run.completed", ...common }));
    }
    return { state: next, events };
  }

  #account(
    state: RunState,
    iteration: number,
    result: Awaited<ReturnType<typeof executeItem>>,
    item: RunPlan["collection"]["items"][number],
  ): boolean {
    const s = state.stats;
    const ref = { id: item.id, name: item.name, path: item.path };
    const c = result.scriptCounts;
    s.items.total += 1;
    s.scripts.total += c.prerequest + c.test;
    s.scripts.failed += c.prerequestFailed + c.testFailed;
    s.prerequestScripts.total += c.prerequest;
    s.prerequestScripts.failed += c.prerequestFailed;
    s.testScripts.total += c.test;
    s.testScripts.failed += c.testFailed;
    // Newman's `prerequests`/`tests` count the item's prerequest and test phases (scripts or not);
    // its `requests` also counts every pm.sendRequest.
    s.prerequests.total += 1;
    if (!result.event.skipped) {
      s.tests.total += 1;
      s.requests.total += 1;
    }
    s.requests.total += result.sideRequests.total;
    s.requests.failed += result.sideRequests.failed;
    if (result.requestError) s.requests.failed += 1;
    if (result.response) addResponseTime(state.timings, result.response.responseTime);
    for (const a of result.event.assertions) {
      s.assertions.total += 1;
      if (!a.passed && !a.skipped) s.assertions.failed += 1;
    }
    // Under --bail, postman-runtime turns the first failed assertion into an error of the test script
    // (Newman then counts a failed test script and lists an `AssertionFailure`); mirror its numbers.
    const bail = this.#plan.options.bail === true;
    const failures = itemFailures({ ...result.event, item: ref, iteration }, { bail });
    const bailed = bailFailure(result.event, bail);
    if (bailed) {
      if (bailed.event === "prerequest") s.prerequestScripts.failed += 1;
      else s.testScripts.failed += 1;
      s.scripts.failed += 1;
    }
    for (const f of failures) pushFailure(state.failures, f);
    const failed = failures.length > 0;
    // Newman counts an item as failed only for runtime errors of the runner itself, never for test
    // or request failures (those have their own counters), so `items.failed` stays 0 here too.
    return failed;
  }

  /** What the masker last derived its secrets from (see masker-scopes.ts); undefined: re-derive. */
  #maskedScopes: unknown[] | undefined;

  /**
   * `Masker.update`, skipped when the scopes hold what they held at the last update. Never skipped
   * when a credential template uses a dynamic variable (`{{$timestamp}}`: it resolves anew each time).
   */
  #updateMasker(sets: ScopeSet[]): void {
    const signature = this.#dynamicTemplates ? undefined : scopeSignature(sets);
    if (sameSignature(signature, this.#maskedScopes)) return;
    this.#masker.update(sets);
    this.#maskedScopes = signature;
  }

  /** Every event leaves the engine through here, masked: no output path can skip masking. */
  #envelope(body: EventBody): RunEvent {
    return this.#masker.maskEvent({
      v: 1,
      runId: this.#plan.runId,
      ts: this.#timestamp(),
      ...body,
    } as RunEvent);
  }

  /** `#envelope` of a request.completed, built in one object (the event is the largest of a run). */
  #requestEvent(event: Awaited<ReturnType<typeof executeItem>>["event"], resent: boolean): RunEvent {
    return this.#masker.maskEvent({
      v: 1,
      runId: this.#plan.runId,
      ts: this.#timestamp(),
      type: "request.completed",
      ...event,
      ...(resent ? { resent: true } : {}),
    } as RunEvent);
  }

  readonly #iso = new IsoTimestamps();

  /** ISO time of `now()` (see IsoTimestamps: a step's events mostly share a second). */
  #timestamp(): string {
    return this.#iso.format(this.#deps.now());
  }
}
