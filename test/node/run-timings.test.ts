/**
 * Response timings. The run's (terminal event, Newman's `run.timings.responseSd`): the population
 * deviation, kept as a running sum so a checkpointed run resumes it. The CLI summary's line: Newman's
 * own arithmetic (run/summary.js), checked against Newman's summary fed the same requests.
 */
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ResponseStats } from "../../cli/run-stats";
import { addResponseTime, emptyTimings, type TimingAcc, toRunTimings } from "../../shared/engine/stats";

const NewmanSummary = createRequire(import.meta.url)("newman/lib/run/summary") as new (
  emitter: EventEmitter,
  options: object,
) => unknown;

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

describe("the CLI summary's response times (vs Newman's run/summary.js)", () => {
  it("counts every request in the divisor and skips one without a time, as Newman does", () => {
    const times = [undefined, 10, 0, 20, 3, 250, undefined, 7, 7, 0, 1];
    const emitter = new EventEmitter();
    const summary = new NewmanSummary(emitter, {}) as { run: { timings: Record<string, number> } };
    const ours = new ResponseStats();
    times.forEach((t, i) => {
      const response = { responseTime: t, size: () => ({ body: 0, headers: 0 }) };
      emitter.emit(
        "request",
        t === undefined ? new Error("refused") : null,
        t === undefined ? {} : { response },
      );
      ours.add(t, i + 1);
    });
    const want = summary.run.timings;
    const got = ours.get()!;
    expect(got.average).toBeCloseTo(want.responseAverage!, 10);
    expect(got.sd).toBeCloseTo(want.responseSd!, 10);
    expect([got.min, got.max]).toEqual([want.responseMin, want.responseMax]);
    expect(new ResponseStats().get()).toBe(undefined);
  });
});
