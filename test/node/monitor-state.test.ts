import { describe, expect, it } from "vitest";
import { advanceState, INITIAL_STATE } from "../../shared/monitors/state";
import type { MonitorRun } from "../../shared/schemas/monitors";

const failedRun = (runId: string): MonitorRun => ({
  runId,
  tickAt: "2026-01-01T00:00:00.000Z",
  region: "weur",
  attempt: 0,
  status: "completed",
  passed: false,
  startedAt: "2026-01-01T00:00:00.000Z",
  finishedAt: "2026-01-01T00:00:01.000Z",
  durationMs: 1000,
  requests: { total: 1, failed: 0 },
  assertions: { total: 1, failed: 1 },
  responseTime: null,
  failures: [{ item: "Get", assertion: "is 200", message: "expected 500 to equal 200" }],
});

describe("monitor state machine", () => {
  it("notifies failure only after notifyAfter consecutive failed ticks, then once on recovery", () => {
    const events: Array<string | null> = [];
    let state = INITIAL_STATE;
    const step = (failed: MonitorRun | null, at: string) => {
      const next = advanceState(state, { failed, at, notifyAfter: 2 });
      state = next.state;
      events.push(next.event);
    };
    step(null, "t1");
    expect(state).toMatchObject({ status: "passing", since: "t1" });
    step(failedRun("r2"), "t2");
    expect(state).toMatchObject({ status: "passing", consecutiveFailures: 1 });
    step(failedRun("r3"), "t3");
    expect(state).toMatchObject({ status: "failing", since: "t3", consecutiveFailures: 2 });
    expect(state.lastFailure).toEqual({
      runId: "r3",
      at: "2026-01-01T00:00:01.000Z",
      message: "Get — is 200: expected 500 to equal 200",
    });
    step(failedRun("r4"), "t4");
    step(null, "t5");
    step(null, "t6");
    expect(events).toEqual([null, null, "failure", null, "recovery", null]);
    expect(state).toMatchObject({ status: "passing", since: "t5", consecutiveFailures: 0 });
    expect(state.lastFailure?.runId).toBe("r4");
  });

  it("a monitor failing from its first tick with notifyAfter 1 notifies at once", () => {
    const { state, event } = advanceState(INITIAL_STATE, {
      failed: failedRun("r1"),
      at: "t1",
      notifyAfter: 1,
    });
    expect(event).toBe("failure");
    expect(state.status).toBe("failing");
  });
});
