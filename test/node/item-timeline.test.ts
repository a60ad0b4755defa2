import { describe, expect, it } from "vitest";
import { phaseSteps, type Step } from "../../shared/engine/item-timeline";
import type { RequestCompletedEvent } from "../../shared/schemas/events";

type Parts = Pick<RequestCompletedEvent, "assertions" | "console" | "scriptErrors" | "sideRequests">;

const pass = (name: string, event?: "prerequest" | "test") => ({
  name,
  passed: true,
  skipped: false,
  ...(event ? { event } : {}),
});
const log = (message: string, event: "prerequest" | "test" | undefined, afterAssertions?: number) => ({
  level: "log" as const,
  message,
  ...(event ? { event } : {}),
  ...(afterAssertions === undefined ? {} : { afterAssertions }),
});
const label = (s: Step) =>
  s.kind === "assertion"
    ? s.assertion.name
    : s.kind === "console"
      ? s.entry.message
      : s.kind === "side"
        ? `side ${s.request.url}`
        : `error ${s.error.message}`;

describe("an item's phase in the order it happened", () => {
  it("places answers and errors by the assertions and console entries before them", () => {
    const e: Parts = {
      assertions: [pass("a", "prerequest"), pass("cb", "prerequest"), pass("t", "test")],
      console: [log("sync", "prerequest", 1), log("in cb", "prerequest", 1), log("warn", undefined)],
      scriptErrors: [
        {
          name: "Error",
          message: "late",
          event: "prerequest",
          location: "l",
          afterAssertions: 2,
          afterConsole: 2,
        },
      ],
      sideRequests: [
        { event: "prerequest", method: "GET", url: "/1", afterAssertions: 1, afterConsole: 1 },
        { event: "test", method: "GET", url: "/2", afterAssertions: 2, afterConsole: 3 },
      ],
    };
    expect(phaseSteps(e, "prerequest").map(label)).toEqual([
      "a",
      "sync",
      "side /1",
      "in cb",
      "cb",
      "error late",
    ]);
    // The runner's warning belongs to neither phase; the test phase counts it among earlier output.
    expect(phaseSteps(e, "test").map(label)).toEqual(["side /2", "t"]);
  });

  it("reads an older stream as its reporters did: no phase is the test script's, unplaced errors last", () => {
    const e: Parts = {
      assertions: [pass("one"), pass("two")],
      console: [log("first", "test")],
      scriptErrors: [{ name: "Error", message: "boom", event: "test", location: "l" }],
    };
    expect(phaseSteps(e, "prerequest")).toEqual([]);
    expect(phaseSteps(e, "test").map(label)).toEqual(["first", "one", "two", "error boom"]);
  });
});
