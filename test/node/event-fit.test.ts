/**
 * An event past one stored row's size is shrunk to a bound (event-fit.ts): long strings cut, the largest
 * lists keep their first entries, the event says what it lost; an event that fits is left as it is.
 */
import { describe, expect, it } from "vitest";
import { fitEvent, jsonBytes, MAX_EVENT_BYTES } from "../../shared/engine/event-fit";
import type { RequestCompletedEvent, RunEvent } from "../../shared/schemas/events";

/** The envelope and empty lists every request event has (JSON: the shape is all this test needs). */
const BASE = JSON.parse(
  '{"v":1,"runId":"run_x","ts":"2026-12-02T00:00:00.000Z","type":"request.completed","iteration":0,' +
    '"item":{"id":"i","name":"item","path":[]},"assertions":[],"console":[],"scriptErrors":[]}',
) as RequestCompletedEvent;

function requestEvent(extra: Partial<RequestCompletedEvent>): RunEvent {
  return { ...BASE, request: { method: "GET", url: "http://example.test/", headers: [] }, ...extra };
}

const shrink = (event: RunEvent, max?: number) => fitEvent(event, JSON.stringify(event), max);

describe("fitEvent", () => {
  it("returns an event that fits as it is, the very same objects", () => {
    const event = requestEvent({ assertions: [{ name: "ok", passed: true, skipped: false }] });
    const json = JSON.stringify(event);
    const out = fitEvent(event, json);
    expect(out.event).toBe(event);
    expect(out.json).toBe(json);
  });

  it("keeps the first assertions of 100,000 and says how many it dropped", () => {
    const assertions = Array.from({ length: 100_000 }, (_, i) => ({
      name: `${"t".repeat(120)}${i}`,
      passed: i % 2 === 0,
      skipped: false,
    }));
    const event = requestEvent({ assertions });
    const out = shrink(event);
    expect(jsonBytes(out.json)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(JSON.parse(out.json)).toEqual(out.event);
    const e = out.event as RequestCompletedEvent;
    expect(e.assertions.length).toBeGreaterThan(1000);
    expect(e.assertions.slice(0, 3).map((a) => a.name)).toEqual(assertions.slice(0, 3).map((a) => a.name));
    expect(e.truncated?.dropped["/assertions"]).toBe(100_000 - e.assertions.length);
    expect(e.truncated?.bytes).toBeGreaterThan(MAX_EVENT_BYTES);
    expect(e.console.at(-1)).toMatchObject({ level: "warn" });
    expect(e.console.at(-1)?.message).toMatch(/past the 1048576-byte limit.*of assertions/);
    // The input is not changed.
    expect((event as RequestCompletedEvent).assertions).toHaveLength(100_000);
  });

  it("cuts a 3 MB test name and thousands of multi-byte headers to fit", () => {
    const headers = Array.from({ length: 12_000 }, (_, i) => ({ key: `X-${i}`, value: "é".repeat(1000) }));
    const event = requestEvent({
      request: { method: "GET", url: "http://example.test/", headers },
      assertions: [{ name: "n".repeat(3_000_000), passed: true, skipped: false }],
    });
    const out = shrink(event);
    expect(new TextEncoder().encode(out.json).length).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    const e = out.event as RequestCompletedEvent;
    expect(e.assertions[0]?.name.length).toBeLessThanOrEqual(8 * 1024);
    expect(e.assertions[0]?.name.endsWith("…")).toBe(true);
    expect(e.request.headers.length).toBeLessThan(12_000);
    expect(e.truncated?.dropped["/request/headers"]).toBe(12_000 - e.request.headers.length);
  });

  it("bounds an event with no list to shorten by cutting its strings harder", () => {
    const event = requestEvent({
      console: [{ level: "log", message: "x".repeat(7000) }],
      request: { method: "GET", url: `http://example.test/${"p".repeat(7000)}`, headers: [] },
    });
    const out = shrink(event, 4096);
    expect(jsonBytes(out.json, 4096)).toBeLessThanOrEqual(4096 + 1024); // + the note it adds
    expect((out.event as RequestCompletedEvent).request.url.length).toBeLessThanOrEqual(256);
  });
});
