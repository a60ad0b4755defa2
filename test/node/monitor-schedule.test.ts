import { describe, expect, it } from "vitest";
import { catchUp, jitterMs, nextTick, scheduleIssues } from "../../shared/monitors/schedule";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("monitor schedule", () => {
  it("interval ticks sit on a grid anchored at the monitor's anchor", () => {
    const anchor = at("2026-01-01T00:00:00.000Z");
    const s = { intervalSeconds: 10 };
    expect(iso(nextTick(s, { after: anchor, anchor }))).toBe("2026-01-01T00:00:10.000Z");
    expect(iso(nextTick(s, { after: anchor + 9_999, anchor }))).toBe("2026-01-01T00:00:10.000Z");
    expect(iso(nextTick(s, { after: anchor + 10_000, anchor }))).toBe("2026-01-01T00:00:20.000Z");
    expect(iso(nextTick(s, { after: anchor - 5_000, anchor }))).toBe("2026-01-01T00:00:00.000Z");
  });

  it("cron ticks follow the time zone", () => {
    const s = { cron: "0 9 * * *", timezone: "Asia/Tokyo" };
    const after = at("2026-06-01T12:00:00Z");
    expect(iso(nextTick(s, { after, anchor: 0 }))).toBe("2026-06-02T00:00:00.000Z");
    const ny = { cron: "0 9 * * 1", timezone: "America/New_York" };
    expect(iso(nextTick(ny, { after, anchor: 0 }))).toBe("2026-06-01T13:00:00.000Z"); // Monday 09:00 EDT;
  });

  it("a fixed-time cron in the spring-forward gap runs once, right after the gap (Europe/Berlin)", () => {
    const s = { cron: "30 2 * * *", timezone: "Europe/Berlin" };
    // 2026-03-29: clocks jump 02:00 → 03:00 CET→CEST; 02:30 does not exist.
    const gapDay = nextTick(s, { after: at("2026-03-28T12:00:00Z"), anchor: 0 });
    expect(iso(gapDay)).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(iso(nextTick(s, { after: gapDay!, anchor: 0 }))).toBe("2026-03-30T00:30:00.000Z"); // 02:30 CEST
  });

  it("an interval-style cron runs on both occurrences of the repeated hour (America/New_York fall back)", () => {
    const s = { cron: "*/30 * * * *", timezone: "America/New_York" };
    const ticks: Array<string | null> = [];
    let t = at("2026-11-01T05:10:00Z"); // 01:10 EDT
    for (let i = 0; i < 4; i++) {
      const n = nextTick(s, { after: t, anchor: 0 });
      ticks.push(iso(n));
      t = n!;
    }
    expect(ticks).toEqual([
      "2026-11-01T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T06:30:00.000Z", // 01:30 EST
      "2026-11-01T07:00:00.000Z", // 02:00 EST
    ]);
  });

  it("catch-up after downtime runs one tick (the latest due) and resumes on the grid", () => {
    const anchor = at("2026-01-01T00:00:00Z");
    const s = { intervalSeconds: 60 };
    const r = catchUp(s, { due: anchor + 60_000, now: anchor + 10 * 60_000 + 5_000, anchor });
    expect(iso(r.tickAt)).toBe("2026-01-01T00:10:00.000Z");
    expect(iso(r.next)).toBe("2026-01-01T00:11:00.000Z");
    expect(r.skipped).toBe(9);
    const onTime = catchUp(s, { due: anchor + 60_000, now: anchor + 60_500, anchor });
    expect(onTime).toEqual({ tickAt: anchor + 60_000, next: anchor + 120_000, skipped: 0 });
    const cron = catchUp(
      { cron: "0 * * * *", timezone: "UTC" },
      { due: at("2026-01-01T01:00:00Z"), now: at("2026-01-01T05:30:00Z"), anchor: 0 },
    );
    expect(iso(cron.tickAt)).toBe("2026-01-01T05:00:00.000Z");
    expect(iso(cron.next)).toBe("2026-01-01T06:00:00.000Z");
  });

  it("validates cron syntax, field count, time zones and crons that never fire", () => {
    expect(scheduleIssues({ cron: "*/5 * * * *", timezone: "Europe/Berlin" })).toEqual([]);
    expect(scheduleIssues({ intervalSeconds: 10 })).toEqual([]);
    expect(scheduleIssues({ cron: "61 * * * *", timezone: "UTC" })[0]?.pointer).toBe("/schedule/cron");
    expect(scheduleIssues({ cron: "* * * * * *", timezone: "UTC" })[0]?.detail).toMatch(/5 parts/);
    expect(scheduleIssues({ cron: "0 0 30 2 *", timezone: "UTC" })[0]?.detail).toMatch(/never fires/);
    const tz = scheduleIssues({ cron: "* * * * *", timezone: "Mars/Olympus" });
    expect(tz).toEqual([
      { pointer: "/schedule/timezone", detail: expect.stringMatching(/unknown time zone/) },
    ]);
  });

  it("jitter is deterministic per monitor and bounded by 2 s and a tenth of the gap", () => {
    expect(jitterMs("mon_a", 10_000)).toBe(jitterMs("mon_a", 10_000));
    for (const id of ["mon_a", "mon_b", "mon_c", "mon_d"]) {
      expect(jitterMs(id, 10_000)).toBeLessThanOrEqual(1000);
      expect(jitterMs(id, 3_600_000)).toBeLessThanOrEqual(2000);
      expect(jitterMs(id, 3_600_000)).toBeGreaterThanOrEqual(0);
    }
  });
});
