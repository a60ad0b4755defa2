/**
 * The run's response timings (terminal event, Newman's `run.timings`): the standard deviation is the
 * population one Newman reports, kept as a running sum so a checkpointed run resumes it exactly.
 */
import { describe, expect, it } from "vitest";
import { addResponseTime, emptyTimings, type TimingAcc, toRunTimings } from "../../shared/engine/stats";

describe("toRunTimings", () => {
  it("reports the responses' mean, extremes and population standard deviation", () => {
    const t = emptyTimings(0);
    for (const ms of [2, 4, 4, 4, 5, 5, 7, 9]) addResponseTime(t, ms);
    expect(toRunTimings(t, 1)).toMatchObject({
      responseAverage: 5,
      responseMin: 2,
      responseMax: 9,
      responseSd: 2,
    });
  });

  it("resumes from a checkpoint (JSON), also one written before the deviation was kept", () => {
    const t = emptyTimings(0);
    addResponseTime(t, 10);
    const resumed = JSON.parse(JSON.stringify(t)) as TimingAcc;
    addResponseTime(resumed, 20);
    expect(toRunTimings(resumed).responseSd).toBe(5);
    const older: TimingAcc = { started: 0, count: 1, total: 10, min: 10, max: 10 };
    addResponseTime(older, 20);
    expect(toRunTimings(older).responseSd).toBe(5);
    expect(toRunTimings(emptyTimings(0)).responseSd).toBe(0);
  });
});
