/**
 * A monitor's state machine: tick outcomes move it between `unknown`, `passing` and `failing`, and only
 * the moves a person must hear about produce a notification event (signal, not noise): `failure` after
 * `notifyAfter` consecutive failed ticks, `recovery` on the first passing tick after a failure.
 * Pure, so it is unit tested in Node.
 */
import type { MonitorRun, MonitorState, NotificationEvent } from "../schemas/monitors";

export type StoredState = Omit<MonitorState, "lastRun">;

export const INITIAL_STATE: StoredState = {
  status: "unknown",
  since: null,
  consecutiveFailures: 0,
  lastFailure: null,
};

/** One line for a failed run: its first failure, or its status. */
export function failureMessage(run: MonitorRun): string {
  const f = run.failures[0];
  if (!f) return `run ${run.status}`;
  return `${f.item}${f.assertion ? ` — ${f.assertion}` : ""}: ${f.message}`;
}

/**
 * The state after a resolved tick. `failed` is the tick's failed run (any region), or null when every
 * region passed; `at` is when the tick resolved (ISO).
 */
export function advanceState(
  previous: StoredState,
  tick: { failed: MonitorRun | null; at: string; notifyAfter: number },
): { state: StoredState; event: NotificationEvent | null } {
  const state: StoredState = { ...previous };
  if (tick.failed) {
    const run = tick.failed;
    state.consecutiveFailures++;
    state.lastFailure = { runId: run.runId, at: run.finishedAt ?? tick.at, message: failureMessage(run) };
    if (state.status !== "failing" && state.consecutiveFailures >= tick.notifyAfter) {
      return { state: { ...state, status: "failing", since: tick.at }, event: "failure" };
    }
    return { state, event: null };
  }
  state.consecutiveFailures = 0;
  const event = state.status === "failing" ? "recovery" : null;
  if (state.status !== "passing") Object.assign(state, { status: "passing", since: tick.at });
  return { state, event };
}
