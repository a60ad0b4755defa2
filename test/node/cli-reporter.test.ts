import { describe, expect, it } from "vitest";
import { CliReporter } from "../../cli/cli-reporter";
import type { RunEvent } from "../../shared/schemas/events";

const base = { v: 1 as const, runId: "run_x", ts: "2026-12-01T00:00:00.000Z" };
const counter = (total: number, failed = 0) => ({ total, pending: 0, failed });

function run(requests: number, keep: number): RunEvent[] {
  const events: RunEvent[] = [
    {
      ...base,
      type: "run.started",
      collection: { id: "c", name: "C" },
      iterations: 1,
      items: requests,
      region: "local",
    },
    { ...base, type: "iteration.started", iteration: 0 },
  ];
  const failures = [];
  for (let i = 0; i < requests; i++) {
    const item = { id: `r${i}`, name: `request ${i}`, path: [] };
    events.push({
      ...base,
      type: "request.completed",
      iteration: 0,
      item,
      request: { method: "GET", url: `http://example.test/${i}`, headers: [] },
      response: {
        code: 500,
        status: "Internal Server Error",
        headers: [],
        size: 1,
        timeMs: 1,
        bodyPreview: "",
      },
      assertions: [
        {
          name: "is 200",
          passed: false,
          skipped: false,
          error: { name: "AssertionError", message: `failure ${i}` },
        },
      ],
      console: [],
      scriptErrors: [],
      scripts: { prerequest: 0, test: 1 },
    } as RunEvent);
    failures.push({
      iteration: 0,
      item,
      source: "assertion" as const,
      name: "is 200",
      message: `failure ${i}`,
    });
  }
  events.push({
    ...base,
    type: "run.completed",
    stats: {
      iterations: counter(1),
      items: counter(requests),
      scripts: counter(requests),
      prerequests: counter(requests),
      requests: counter(requests),
      tests: counter(requests),
      assertions: counter(requests, requests),
      testScripts: counter(requests),
      prerequestScripts: counter(0),
    },
    timings: {
      started: 0,
      completed: 1000,
      responseAverage: 1,
      responseMin: 1,
      responseMax: 1,
      responseTotal: requests,
    },
    failures: failures.slice(0, keep),
  } as RunEvent);
  return events;
}

function summary(events: RunEvent[]): string {
  let text = "";
  const reporter = new CliReporter({ write: (t) => (text += t), isTTY: false }, false);
  for (const e of events) reporter.onEvent(e);
  return text.slice(text.lastIndexOf("#  failure"));
}

describe("the CLI reporter's failure list", () => {
  it("lists every failure, as Newman does, even when the terminal event kept only the first 200", () => {
    const text = summary(run(250, 200));
    expect(text).toMatch(/ 250\. +AssertionError/);
    expect(text).toContain("failure 249");
    expect(text).not.toMatch(/ 251\. /);
  });

  it("uses the terminal event's list when it is complete", () => {
    const text = summary(run(3, 3));
    expect(text).toMatch(/ 3\. +AssertionError/);
    expect(text).not.toMatch(/ 4\. /);
  });
});

describe("the CLI reporter's live lines, laid out as Newman's", () => {
  it("prints folders once, script output where it happened, errors numbered in Newman's order", () => {
    let text = "";
    const reporter = new CliReporter({ write: (t) => (text += t), isTTY: false }, false);
    const response = {
      code: 200,
      status: "OK",
      headers: [{ key: "a", value: "b" }],
      size: 10,
      timeMs: 12.7,
      bodyPreview: "",
    };
    const item = (name: string, path: string[]) => ({ id: name, name, path });
    const done = (over: Record<string, unknown>) =>
      ({
        ...base,
        type: "request.completed",
        iteration: 0,
        request: { method: "GET", url: "http://example.test/", headers: [] },
        assertions: [],
        console: [],
        scriptErrors: [],
        scripts: { prerequest: 0, test: 0 },
        ...over,
      }) as unknown as RunEvent;
    reporter.onEvent({
      ...base,
      type: "run.started",
      collection: { id: "c", name: "C" },
      iterations: 1,
      items: 3,
      region: "l",
    });
    reporter.onEvent(
      done({
        item: item("one", ["Users"]),
        response,
        console: [
          { level: "log", message: "before", event: "prerequest", afterAssertions: 0 },
          { level: "log", message: "between", event: "test", afterAssertions: 1 },
        ],
        scriptErrors: [{ name: "TypeError", message: "x", event: "prerequest", location: "request:one" }],
        assertions: [
          { name: "first", passed: true, skipped: false },
          { name: "second", passed: false, skipped: false, error: { name: "AssertionError", message: "no" } },
          { name: "third", passed: true, skipped: true },
        ],
      }),
    );
    reporter.onEvent(done({ item: item("two", ["Users"]), response, nextRequest: "root" }));
    reporter.onEvent(
      done({ item: item("root", []), error: { name: "RequestError", message: "could not reach x" } }),
    );
    expect(text.split("\n").slice(0, 26)).toEqual([
      "edgerun",
      "",
      "C",
      "",
      "❏ Users",
      "↳ one",
      "  ┌",
      "  │ before",
      "  └",
      "  1⠄ TypeError in prerequest-script",
      "  GET http://example.test/ [200 OK, 35B, 12ms]",
      "  ✓  first",
      "  ┌",
      "  │ between",
      "  └",
      "  2. second",
      "  -  [skipped] third",
      "",
      "↳ two",
      "  GET http://example.test/ [200 OK, 35B, 12ms]",
      "",
      "Attempting to set next request to root",
      "",
      "→ root",
      "  GET http://example.test/ [errored]",
      "     could not reach x",
    ]);
  });
});
