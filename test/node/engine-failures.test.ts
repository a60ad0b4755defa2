/**
 * Failures without a cap (Newman has none): the engine state and the terminal event keep at most
 * MAX_KEPT_FAILURES, and the Newman report lists every failure, rebuilt from the request.completed
 * events by the same function the engine accounts with. Real engine, QuickJS and the echo target.
 */
import { describe, expect, inject, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { itemFailures, MAX_KEPT_FAILURES } from "../../shared/engine/stats";
import { buildNewmanReport, newmanReportStream } from "../../shared/reporters/newman-json";
import type { Collection } from "../../shared/schemas/collection";
import type { RequestCompletedEvent, RunEvent, TerminalEvent } from "../../shared/schemas/events";
import { runEngine } from "../support/run-engine";

const script = (listen: string, ...exec: string[]) => ({ listen, script: { exec } });

const MIXED = {
  info: { name: "failures" },
  item: [
    {
      name: "assertions",
      request: { url: "{{base}}/get" },
      event: [
        script("prerequest", "nope();"),
        script(
          "test",
          "pm.test('passes', () => {});",
          "pm.test('fails', () => pm.expect(1).to.equal(2));",
          "pm.test('throws', () => null.x);",
          "pm.test.skip('skipped', () => {});",
          "alsoNope();",
        ),
      ],
    },
    { name: "unreachable", request: { url: "http://127.0.0.1:1/" } },
    {
      name: "one failure",
      request: { url: "{{base}}/get" },
      event: [script("test", "pm.test('f', () => pm.expect(1).to.equal(3));")],
    },
  ],
};

async function run(collection: unknown, options: { iterationCount?: number; bail?: boolean }) {
  const plan = buildPlan(
    {
      collection: collection as Collection,
      environment: { values: [{ key: "base", value: inject("targetUrl") }] },
      options,
    },
    "run_failures",
  );
  const events = await runEngine(plan);
  const ctx = { collection: { id: plan.collection.id, name: plan.collection.name } };
  return { events, ctx, terminal: events.at(-1) as TerminalEvent };
}

const completed = (events: RunEvent[]) =>
  events.filter((e): e is RequestCompletedEvent => e.type === "request.completed");

describe("failures", () => {
  it.each([false, true])("rebuilt from the events equal the engine's own list (bail: %s)", async (bail) => {
    const { events, terminal } = await run(MIXED, { iterationCount: 2, bail });
    expect(terminal.failures.length).toBeGreaterThan(bail ? 0 : 8);
    expect(completed(events).flatMap((e) => itemFailures(e, { bail }))).toEqual(terminal.failures);
  });

  it("past the cap: state and terminal event stay bounded, the Newman report lists them all", async () => {
    const n = MAX_KEPT_FAILURES + 40;
    const { events, ctx, terminal } = await run(
      { info: { name: "many" }, item: [{ name: "unreachable", request: { url: "http://127.0.0.1:1/" } }] },
      { iterationCount: n },
    );
    expect(terminal.stats.requests.failed).toBe(n);
    expect(terminal.failures).toHaveLength(MAX_KEPT_FAILURES);
    const report = await buildNewmanReport(events, ctx);
    expect(report.run.failures).toHaveLength(n);
    expect(report.run.failures.map((f) => (f as { cursor: { iteration: number } }).cursor.iteration)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    let streamed = "";
    for await (const chunk of newmanReportStream(events, ctx, { terminal })) streamed += chunk;
    expect(streamed).toBe(JSON.stringify(report));
  }, 60_000);
});
