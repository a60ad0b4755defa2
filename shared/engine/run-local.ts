/**
 * Drives a Runner to completion in-process (Node tests, golden tests, benchmarks), optionally
 * checkpointing through JSON after every step exactly like the Durable Object does, to prove that a
 * serialised state resumes identically.
 */
import type { RunEvent } from "../schemas/events";
import type { ItemDeps } from "./execute-item";
import { Runner, type RunPlan, type RunState } from "./runner";

export interface LocalRunOptions {
  /** Round-trip the state through JSON and a brand-new Runner after every step. */
  checkpoint?: boolean;
  /** Called for every event as it is produced (streaming consumers, constant memory). */
  onEvent?: (event: RunEvent, seq: number) => void;
  /** Keep events in the result (default true; benchmarks turn it off). */
  collect?: boolean;
  /** Honour delayRequest by sleeping (default true). */
  sleep?: boolean;
}

export interface LocalRunResult {
  events: RunEvent[];
  state: RunState;
  count: number;
}

export async function runLocal(
  plan: RunPlan,
  deps: ItemDeps,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const collect = options.collect ?? true;
  const events: RunEvent[] = [];
  let seq = 0;
  const emit = (list: RunEvent[]) => {
    for (const e of list) {
      seq += 1;
      options.onEvent?.(e, seq);
      if (collect) events.push(e);
    }
  };
  // Checkpointing re-reads the plan once, as a Durable Object slice does; the state goes through JSON
  // every step. (Re-serialising the immutable plan per step measured JSON, not restart safety.)
  const stored = options.checkpoint ? (JSON.parse(JSON.stringify(plan)) as RunPlan) : plan;
  let runner = new Runner(stored, deps);
  const started = runner.start("local");
  emit(started.events);
  let state = started.state;
  for (;;) {
    if (options.checkpoint) {
      state = JSON.parse(JSON.stringify(state)) as RunState;
      runner = new Runner(stored, deps);
    }
    const step = await runner.step(state);
    state = step.state;
    if (step.aborted) {
      const done = runner.finish(state, step.aborted.outcome, step.aborted.reason);
      emit([...step.events, ...done.events]);
      return { events, state: done.state, count: seq };
    }
    if (step.done) {
      const done = runner.finish(state, "completed");
      emit([...step.events, ...done.events]);
      return { events, state: done.state, count: seq };
    }
    emit(step.events);
    if (step.waitMs > 0 && options.sleep !== false) await new Promise((r) => setTimeout(r, step.waitMs));
  }
}
