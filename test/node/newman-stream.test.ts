/**
 * The streamed Newman JSON report (`newmanReportStream`) is the same text as the in-memory report
 * (`buildNewmanReport`), for real runs (engine + QuickJS sandbox against the echo target) with
 * passing, failing and skipped assertions, request and script errors, re-visited items
 * (`setNextRequest`), folders and iterations, and it arrives in bounded chunks.
 */
import { describe, expect, inject, it } from "vitest";
import { buildPlan } from "../../shared/engine/plan";
import { collectionItems } from "../../shared/reporters/collection-json";
import {
  buildNewmanReport,
  newmanReportStream,
  type ReportContext,
} from "../../shared/reporters/newman-json";
import type { Collection } from "../../shared/schemas/collection";
import type { RunEvent, TerminalEvent } from "../../shared/schemas/events";
import { runEngine } from "../support/run-engine";

const test = (...exec: string[]) => ({ listen: "test", script: { exec } });

const COLLECTION = {
  info: { name: 'Stream <&> "quoted" \u2028', _postman_id: "stream-1" },
  item: [
    {
      name: "Folder",
      item: [
        {
          name: "passes and fails",
          request: { url: "{{base}}/get?x=1", header: [{ key: "X-Note", value: "é\u0000" }] },
          event: [
            test(
              "pm.test('passes', () => pm.response.to.have.status(200));",
              "pm.test('fails', () => pm.expect(1).to.equal(2));",
              "pm.test('fails', () => pm.expect('a').to.equal('b'));",
              "pm.test.skip('skipped', () => {});",
              "console.log('hello', pm.iteration);",
            ),
          ],
        },
        {
          name: "loops once",
          request: { method: "POST", url: "{{base}}/post", body: { mode: "raw", raw: '{"a":1}' } },
          event: [
            test(
              "const n = Number(pm.environment.get('n') || 0);",
              "pm.environment.set('n', n + 1);",
              "pm.test('loop ' + n, () => pm.expect(n).to.be.below(1));",
              "if (n < 1) postman.setNextRequest('loops once');",
            ),
          ],
        },
      ],
    },
    { name: "Unreachable", request: { url: "http://127.0.0.1:1/" } },
    { name: "Script error", request: { url: "{{base}}/get" }, event: [test("nope();")] },
  ],
};

async function run(
  collection: unknown,
  iterationCount: number,
): Promise<{ events: RunEvent[]; ctx: ReportContext }> {
  const plan = buildPlan(
    {
      collection: collection as Collection,
      environment: { name: "env", values: [{ key: "base", value: inject("targetUrl") }] },
      options: { iterationCount },
    },
    "run_stream",
  );
  const events = await runEngine(plan);
  const { tree, event } = collectionItems(plan.collection);
  const ctx: ReportContext = {
    collection: { id: plan.collection.id, name: plan.collection.name },
    items: tree,
    events: event,
    environment: { name: "env", values: [{ key: "base", value: inject("targetUrl") }] },
    globals: { values: [{ key: "g", value: 1, type: "number", enabled: false }] },
  };
  return { events, ctx };
}

async function text(chunks: AsyncIterable<string>): Promise<{ text: string; sizes: number[] }> {
  const sizes: number[] = [];
  let out = "";
  for await (const c of chunks) {
    sizes.push(c.length);
    out += c;
  }
  return { text: out, sizes };
}

async function* once(events: RunEvent[]): AsyncGenerator<RunEvent> {
  yield* events;
}

const terminalOf = (events: RunEvent[]) => events.at(-1) as TerminalEvent;

describe("newmanReportStream", () => {
  it("is byte-identical to the in-memory report when given the terminal event", async () => {
    const { events, ctx } = await run(COLLECTION, 2);
    const failures = terminalOf(events).failures;
    expect(failures.map((f) => f.source)).toEqual(expect.arrayContaining(["assertion", "request", "script"]));
    const expected = JSON.stringify(await buildNewmanReport(events, ctx));
    const streamed = await text(
      newmanReportStream(once(events), ctx, { terminal: terminalOf(events), chunkChars: 1000 }),
    );
    expect(streamed.text).toBe(expected);
    expect(streamed.sizes.length).toBeGreaterThan(2);
    const report = JSON.parse(streamed.text) as { run: { executions: unknown[]; failures: unknown[] } };
    expect(report.run.executions).toHaveLength(9); // 4 items + the loop in iteration 1, 4 in iteration 2
    expect(report.run.failures.length).toBe(failures.length);
  });

  it("is the same JSON without the terminal event (stats after the executions)", async () => {
    const { events, ctx } = await run(COLLECTION, 1);
    const expected = await buildNewmanReport(events, ctx);
    const streamed = await text(newmanReportStream(events, ctx));
    expect(JSON.parse(streamed.text)).toEqual(expected);
  });

  it("matches for a run without a terminal event and for one without requests", async () => {
    const { events, ctx } = await run(COLLECTION, 1);
    const cut = events.slice(0, -1);
    expect(JSON.parse((await text(newmanReportStream(cut, ctx))).text)).toEqual(
      await buildNewmanReport(cut, ctx),
    );
    const empty = await run({ info: { name: "empty" }, item: [] }, 1);
    const streamed = await text(
      newmanReportStream(empty.events, empty.ctx, { terminal: terminalOf(empty.events) }),
    );
    expect(streamed.text).toBe(JSON.stringify(await buildNewmanReport(empty.events, empty.ctx)));
  });

  it("yields chunks bounded by the chunk size plus one execution", async () => {
    const { events, ctx } = await run(COLLECTION, 1);
    const requests = events.filter((e) => e.type === "request.completed");
    const many: RunEvent[] = [events[0]!];
    for (let i = 0; i < 400; i++) many.push(...requests);
    many.push(terminalOf(events));
    const chunkChars = 8192;
    const largest = Math.max(...requests.map((e) => JSON.stringify(e).length * 6));
    const streamed = await text(newmanReportStream(many, ctx, { terminal: terminalOf(events), chunkChars }));
    expect(streamed.sizes.length).toBeGreaterThan(20);
    for (const size of streamed.sizes.slice(1, -1)) expect(size).toBeLessThan(chunkChars + largest);
    expect(streamed.text).toBe(JSON.stringify(await buildNewmanReport(many, ctx)));
  });
});
