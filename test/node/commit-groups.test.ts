import { describe, expect, it } from "vitest";
import { CommitGroups, MAX_GROUP_STEPS } from "../../durable-objects/commit-groups";

describe("group commit policy", () => {
  it("starts a slice with one step, then groups as many fast steps as fit the interval", () => {
    const g = new CommitGroups({ intervalMs: 10, resend: 0 });
    expect(g.begin(40, 0)).toEqual({ size: 1, inflight: 1 });
    expect(g.stepDone(2, 2)).toBe(false);
    expect(g.begin(40, 2).size).toBe(5);
    expect(g.stepDone(0, 2)).toBe(false);
    expect(g.begin(40, 2).size).toBe(MAX_GROUP_STEPS);
    expect(g.begin(3, 2).size).toBe(3);
  });

  it("starts the next slice of the same object at the pace the last one ended with", () => {
    const first = new CommitGroups({ intervalMs: 10, resend: 0 });
    first.begin(40, 0);
    first.stepDone(2, 2);
    const next = new CommitGroups({ intervalMs: 10, resend: 0, stepMs: first.stepMs });
    expect(next.nextInflight(40)).toBe(5);
    expect(next.begin(40, 0)).toEqual({ size: 5, inflight: 5 });
    // A crashed group's re-sends still bound what is recorded as in flight.
    expect(new CommitGroups({ intervalMs: 10, resend: 8, stepMs: 2 }).begin(40, 0).inflight).toBe(8);
  });

  it("commits a slow step alone and ends a group that used its interval", () => {
    const g = new CommitGroups({ intervalMs: 10, resend: 0 });
    g.begin(40, 0);
    expect(g.stepDone(250, 250)).toBe(true);
    expect(g.begin(40, 250).size).toBe(1);
  });

  it("commits every step with an interval of 0", () => {
    const g = new CommitGroups({ intervalMs: 0, resend: 0 });
    g.begin(40, 0);
    expect(g.stepDone(0, 0)).toBe(true);
    expect(g.begin(40, 0).size).toBe(1);
  });

  it("takes a larger bound where a crash cannot resume (the CLI: 100 ms, 200 steps)", () => {
    const g = new CommitGroups({ intervalMs: 100, resend: 0, stepMs: 1, maxSteps: 200 });
    expect(g.begin(1000, 0).size).toBe(100);
    g.stepDone(0.2, 1);
    expect(g.begin(1000, 1).size).toBe(200);
    expect(g.begin(150, 1).size).toBe(150);
    // A slow step still commits alone.
    expect(g.stepDone(120, 121)).toBe(true);
    expect(g.begin(1000, 121).size).toBe(1);
  });

  it("flags as re-sent exactly the steps of the group that was in flight at a crash", () => {
    const g = new CommitGroups({ intervalMs: 10, resend: 3 });
    expect(g.begin(40, 0).inflight).toBe(3);
    expect([g.takeResend(), g.takeResend(), g.takeResend(), g.takeResend()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("tells the commit before a group what that group will record as in flight", () => {
    const g = new CommitGroups({ intervalMs: 10, resend: 2 });
    expect(g.nextInflight(40)).toBe(g.begin(40, 0).inflight);
    g.takeResend();
    g.stepDone(2, 2);
    // One resend left, pace 2 ms: the next group is 5 steps.
    expect(g.nextInflight(40)).toBe(5);
    expect(g.nextInflight(3)).toBe(3);
    expect(g.begin(40, 2).inflight).toBe(5);
    g.stepDone(50, 52);
    expect(g.nextInflight(40)).toBe(1);
  });
});
