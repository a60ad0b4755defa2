/**
 * The copy of a run's state that one `Runner.step` works on (see `stepCopy`): split from runner.ts,
 * which owns the state's shape.
 */
import type { RunStats } from "../schemas/events";
import type { RunState } from "./runner";

/**
 * The state a step works on: a copy of everything a step mutates in place (the lanes' cursors, stats,
 * timings, the failure list), sharing what it only replaces (scopes and cookie lists, which the engine
 * never mutates: scripts work on a serialised copy). The input stays untouched, so a step that throws
 * leaves the caller's state as it was; cheaper than `structuredClone` of the whole state per step.
 */
export function stepCopy(state: Omit<RunState, "resending">): RunState {
  const s = state.stats;
  const stats: RunStats = {
    iterations: { ...s.iterations },
    items: { ...s.items },
    scripts: { ...s.scripts },
    prerequests: { ...s.prerequests },
    requests: { ...s.requests },
    tests: { ...s.tests },
    assertions: { ...s.assertions },
    testScripts: { ...s.testScripts },
    prerequestScripts: { ...s.prerequestScripts },
  };
  return {
    ...state,
    lanes: state.lanes.map((l) => ({ ...l })),
    scopes: state.scopes,
    stats,
    timings: { ...state.timings },
    failures: [...state.failures],
  };
}
