/**
 * The collection runner: an explicit, serialisable cursor over iterations × items.
 *
 * `step()` executes at most one item and returns the events it produced with the next state. The caller
 * (a Durable Object, the Node test harness, a benchmark) persists state and events together; feeding a
 * persisted state back into a fresh Runner continues exactly where the run left off.
 */
import type { EventBody, Failure, RunEvent, RunStats } from "../schemas/events";
import { CookieJar } from "./cookie-jar";
import { executeItem, type ItemDeps } from "./execute-item";
import type { RunPlan } from "./plan";
import { addResponseTime, emptyStats, emptyTimings, pushFailure, type TimingAcc, toRunTimings } from "./stats";
import type { Cookie, Scopes } from "./types";

export type { RunPlan };

export interface RunState {
  v: 1;
  iteration: number;
  /** Index into plan.collection.items of the next item to execute. */
  index: number;
  iterationOpen: boolean;
  /** No further items in this iteration (setNextRequest(null) or unknown target). */
  iterationStopped: boolean;
  /** Stop the whole run after the current item (bail). */
  halted: boolean;
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
}

export class Runner {
  readonly #plan: RunPlan;
  readonly #deps: ItemDeps;

  constructor(plan: RunPlan, deps: ItemDeps) {
    this.#plan = plan;
    this.#deps = deps;
  }

  /** The initial state and the run.started event. */
  start(region: string): { state: RunState; events: RunEvent[] } {
    const plan = this.#plan;
    const state: RunState = {
      v: 1,
      iteration: 0,
      index: 0,
      iterationOpen: false,
      iterationStopped: false,
      halted: false,
      scopes: {
        globals: plan.globals,
        collection: plan.collection.variables,
        environment: plan.environment.values,
        ...(plan.environment.name ? { environmentName: plan.environment.name } : {}),
      },
      cookies: [],
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
      }),
    ];
    return { state, events };
  }

  /** Executes the next item (opening and closing iterations around it as needed). */
  async step(input: RunState): Promise<StepResult> {
    const plan = this.#plan;
    const state: RunState = structuredClone(input);
    const events: RunEvent[] = [];
    const items = plan.collection.items;

    for (;;) {
      if (state.halted || state.iteration >= plan.iterations) return { state, events, done: true, waitMs: 0 };
      if (!state.iterationOpen) {
        state.iterationOpen = true;
        state.iterationStopped = false;
        state.index = 0;
        events.push(this.#envelope({ type: "iteration.started", iteration: state.iteration }));
      }
      if (state.iterationStopped || state.index >= items.length) {
        events.push(this.#envelope({ type: "iteration.completed", iteration: state.iteration }));
        state.stats.iterations.total += 1;
        state.iteration += 1;
        state.iterationOpen = false;
        continue;
      }
      break;
    }

    const item = items[state.index]!;
    const jar = new CookieJar(state.cookies);
    const data = plan.data.length ? (plan.data[Math.min(state.iteration, plan.data.length - 1)] ?? {}) : {};
    const result = await executeItem(
      item,
      { ...state.scopes, data, local: [] },
      jar,
      {
        iteration: state.iteration,
        iterationCount: plan.iterations,
        collectionName: plan.collection.name,
        timeoutRequest: plan.options.timeoutRequest,
        timeoutScript: plan.options.timeoutScript,
        ignoreRedirects: plan.options.ignoreRedirects,
        insecure: plan.options.insecure,
      },
      this.#deps,
    );
    const { data: _data, local: _local, ...persisted } = result.scopes;
    state.scopes = persisted;
    state.cookies = result.cookies.toJSON();
    const failed = this.#account(state, result, item);
    const event = this.#envelope({
      type: "request.completed",
      ...result.event,
      ...(input.resending ? { resent: true } : {}),
    });
    events.push(event);

    if (result.nextRequest) {
      const target = result.nextRequest.target;
      const next = target === null ? -1 : items.findIndex((i) => i.name === target || i.id === target);
      if (next < 0) state.iterationStopped = true;
      else state.index = next;
    } else {
      state.index += 1;
    }
    if (failed && plan.options.bail) state.halted = true;
    const more = !state.halted && !(state.iteration + 1 >= plan.iterations && state.index >= items.length);
    return { state, events, done: false, waitMs: more ? (plan.options.delayRequest ?? 0) : 0 };
  }

  /** The terminal event, with the stats and failures accumulated in state. */
  finish(state: RunState, outcome: "completed" | "failed" | "cancelled", reason?: string): { state: RunState; events: RunEvent[] } {
    const events: RunEvent[] = [];
    const next = structuredClone(state);
    if (next.iterationOpen && outcome === "completed") {
      events.push(this.#envelope({ type: "iteration.completed", iteration: next.iteration }));
      next.stats.iterations.total += 1;
      next.iterationOpen = false;
    }
    const common = { stats: next.stats, timings: toRunTimings(next.timings, this.#deps.now()), failures: next.failures };
    if (outcome === "failed") {
      pushFailure(next.failures, { iteration: next.iteration, source: "run", name: "RunError", message: reason ?? "run failed" });
      events.push(this.#envelope({ type: "run.failed", ...common, failures: next.failures, reason: reason ?? "run failed" }));
    } else if (outcome === "cancelled") {
      events.push(this.#envelope({ type: "run.cancelled", ...common }));
    } else {
      events.push(this.#envelope({ type: "run.completed", ...common }));
    }
    return { state: next, events };
  }

  #account(state: RunState, result: Awaited<ReturnType<typeof executeItem>>, item: RunPlan["collection"]["items"][number]): boolean {
    const s = state.stats;
    const ref = { id: item.id, name: item.name, path: item.path };
    const c = result.scriptCounts;
    let failed = false;
    s.items.total += 1;
    s.scripts.total += c.prerequest + c.test;
    s.scripts.failed += c.prerequestFailed + c.testFailed;
    s.prerequestScripts.total += c.prerequest;
    s.prerequestScripts.failed += c.prerequestFailed;
    s.testScripts.total += c.test;
    s.testScripts.failed += c.testFailed;
    if (c.prerequest > 0) s.prerequests.total += 1;
    if (c.test > 0) s.tests.total += 1;
    if (!result.event.skipped) s.requests.total += 1;
    if (result.requestError) {
      s.requests.failed += 1;
      failed = true;
      const err = result.event.error!;
      pushFailure(state.failures, { iteration: state.iteration, item: ref, source: "request", name: err.name, message: err.message });
    }
    if (result.response) addResponseTime(state.timings, result.response.responseTime);
    for (const a of result.event.assertions) {
      s.assertions.total += 1;
      if (!a.passed && !a.skipped) {
        s.assertions.failed += 1;
        failed = true;
        pushFailure(state.failures, {
          iteration: state.iteration,
          item: ref,
          source: "assertion",
          name: a.name,
          message: a.error?.message ?? "assertion failed",
        });
      }
    }
    for (const e of result.event.scriptErrors) {
      failed = true;
      pushFailure(state.failures, { iteration: state.iteration, item: ref, source: "script", name: e.name, message: `${e.location}: ${e.message}` });
    }
    if (failed) s.items.failed += 1;
    return failed;
  }

  #envelope(body: EventBody): RunEvent {
    return { v: 1, runId: this.#plan.runId, ts: new Date(this.#deps.now()).toISOString(), ...body } as RunEvent;
  }
}
