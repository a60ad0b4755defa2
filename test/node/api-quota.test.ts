/**
 * The Workspace object's in-memory API quota: fixed windows aligned to the clock, counted per key, a
 * new window starts at 1, `reset` counts down to the window's end, and a full table prunes old windows
 * first.
 */
import { describe, expect, it } from "vitest";
import { ApiQuotaCounter } from "../../durable-objects/api-quota";

const WINDOW = 60;
const start = 1_000 * 60_000; // a window boundary

describe("ApiQuotaCounter", () => {
  it("counts per key within a window and refuses past the limit", () => {
    const q = new ApiQuotaCounter();
    const call = (keyHash: string, now: number) => q.consume({ keyHash, limit: 2, windowSec: WINDOW, now });
    expect(call("a", start)).toEqual({ allowed: true, limit: 2, remaining: 1, reset: 60 });
    expect(call("a", start + 15_000)).toEqual({ allowed: true, limit: 2, remaining: 0, reset: 45 });
    expect(call("a", start + 59_999)).toEqual({ allowed: false, limit: 2, remaining: 0, reset: 1 });
    expect(call("b", start + 59_999).remaining).toBe(1);
  });

  it("starts the next window at 1", () => {
    const q = new ApiQuotaCounter();
    for (let i = 0; i < 5; i++) q.consume({ keyHash: "a", limit: 3, windowSec: WINDOW, now: start + i });
    expect(q.consume({ keyHash: "a", limit: 3, windowSec: WINDOW, now: start + 60_000 })).toMatchObject({
      allowed: true,
      remaining: 2,
      reset: 60,
    });
  });

  it("keeps counting the current window's keys when the table is full of old windows", () => {
    const q = new ApiQuotaCounter();
    for (let i = 0; i < 10_000; i++)
      q.consume({ keyHash: `old-${i}`, limit: 5, windowSec: WINDOW, now: start });
    q.consume({ keyHash: "hot", limit: 5, windowSec: WINDOW, now: start + 60_000 });
    const later = start + 60_001;
    expect(q.consume({ keyHash: "hot", limit: 5, windowSec: WINDOW, now: later }).remaining).toBe(3);
    expect(q.consume({ keyHash: "old-1", limit: 5, windowSec: WINDOW, now: later }).remaining).toBe(4);
  });
});
