/**
 * The streamed JUnit report (`junitReportStream`) is byte-identical to the string the reporter built
 * before it streamed (the inline snapshot below was taken from that implementation), is produced from
 * a one-pass async event source, and yields the document in pieces (head, one per suite, tail) instead
 * of one string.
 */
import { describe, expect, it, vi } from "vitest";
import { localReports, RunTally } from "../../cli/partial-report";
import { buildJUnitReport, junitReportStream } from "../../shared/reporters/junit";
import { buildNewmanReport } from "../../shared/reporters/newman-json";
import type { RequestCompletedEvent, RunEvent, TerminalEvent } from "../../shared/schemas/events";

const envelope = { v: 1 as const, runId: "run_junit_stream", ts: "2026-12-01T10:00:00.000Z" };

function request(over: Partial<RequestCompletedEvent> & Pick<RequestCompletedEvent, "item">): RunEvent {
  return {
    ...envelope,
    type: "request.completed",
    iteration: 0,
    request: { method: "GET", url: "http://127.0.0.1/get", headers: [] },
    response: { code: 200, status: "OK", headers: [], size: 10, timeMs: 12, bodyPreview: "{}" },
    assertions: [],
    console: [],
    scriptErrors: [],
    scripts: { prerequest: 0, test: 1 },
    ...over,
  };
}

const A = { id: "item-a", name: 'Get "quoted" & <tagged>', path: ["Folder.A", "Sub"] };
const B = { id: "item-b", name: "", path: [] };
const C = { id: "item-c", name: "Broken\u0001 ]]> request", path: ["Folder.A"] };

function events(iterations: number): RunEvent[] {
  const out: RunEvent[] = [];
  for (let i = 0; i < iterations; i++) {
    out.push(
      request({
        item: A,
        iteration: i,
        response: { code: 200, status: "OK", headers: [], size: 5, timeMs: 10 + i, bodyPreview: "" },
        assertions: [
          { name: "passes", passed: true, skipped: false },
          {
            name: "fails <sometimes>",
            passed: i % 2 === 1,
            skipped: false,
            ...(i % 2 === 1
              ? {}
              : { error: { name: "AssertionError", message: `expected ${i} to equal 2` } }),
          },
          { name: "skipped", passed: true, skipped: true },
        ],
      }),
      request({ item: B, iteration: i, assertions: [] }),
      request({
        item: C,
        iteration: i,
        response: undefined,
        error: { name: "Error", message: "connect ECONNREFUSED ]]> & \u0002" },
        scriptErrors: [
          { name: "TypeError", message: "x is undefined", event: "test", location: "request:Broken" },
          { name: "ReferenceError", message: "y", event: "prerequest", location: "collection" },
        ],
        assertions: [{ name: "never", passed: false, skipped: false }],
      }),
    );
  }
  const terminal: TerminalEvent = {
    ...envelope,
    type: "run.completed",
    stats: {
      iterations: { total: iterations, pending: 0, failed: 0 },
      items: { total: 3 * iterations, pending: 0, failed: 0 },
      scripts: { total: 0, pending: 0, failed: 0 },
      prerequests: { total: 0, pending: 0, failed: 0 },
      requests: { total: 3 * iterations, pending: 0, failed: iterations },
      tests: { total: 3 * iterations, pending: 0, failed: 0 },
      assertions: { total: 4 * iterations, pending: 0, failed: 0 },
      testScripts: { total: 0, pending: 0, failed: 0 },
      prerequestScripts: { total: 0, pending: 0, failed: 0 },
    },
    timings: {
      started: Date.UTC(2026, 11, 1, 10),
      completed: Date.UTC(2026, 11, 1, 10, 1),
      responseAverage: 11,
      responseMin: 10,
      responseMax: 12,
      responseTotal: 33,
    },
    failures: [],
  };
  out.push(terminal);
  return out;
}

async function* oneByOne(list: RunEvent[]): AsyncGenerator<RunEvent> {
  for (const e of list) yield e;
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const ctx = { collection: { id: "col-1", name: "CI v1.2 <&>" } };

describe("junitReportStream", () => {
  it("streams the same bytes as the pre-streaming reporter (snapshot), suite by suite", async () => {
    const chunks = await collect(junitReportStream(oneByOne(events(3)), ctx));
    const text = chunks.join("");
    expect(text).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="CI v1.2 &lt;&amp;&gt;" tests="9" failures="5" errors="9" time="0.069">
        <testsuite name="Folder.A / Sub / Get &quot;quoted&quot; &amp; &lt;tagged&gt;" id="item-a" timestamp="2026-12-01T10:00:00.000Z" tests="3" failures="2" errors="0" time="0.011">
          <testcase name="passes" time="0.012" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Sub.Get &quot;quoted&quot; &amp; &lt;tagged&gt;"/>
          <testcase name="fails &lt;sometimes&gt;" time="0.012" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Sub.Get &quot;quoted&quot; &amp; &lt;tagged&gt;">
            <failure type="AssertionFailure" message="expected 0 to equal 2">
              <![CDATA[Failed 2 times.]]>
              <![CDATA[Collection JSON ID: col-1.]]>
              <![CDATA[Collection name: CI v1.2 <&>.]]>
              <![CDATA[Request name: Folder.A / Sub / Get "quoted" & <tagged>.]]>
              <![CDATA[Test description: fails <sometimes>.]]>
              <![CDATA[Error message: expected 0 to equal 2.]]>
              <![CDATA[Stacktrace: AssertionError: expected 0 to equal 2.]]>
            </failure>
          </testcase>
          <testcase name="skipped" time="0.012" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Sub.Get &quot;quoted&quot; &amp; &lt;tagged&gt;">
            <skipped/>
          </testcase>
        </testsuite>
        <testsuite name="(unnamed request)" id="item-b" timestamp="2026-12-01T10:00:00.000Z" tests="0" failures="0" errors="0" time="0.012"/>
        <testsuite name="Folder.A / Broken ]]&gt; request" id="item-c" timestamp="2026-12-01T10:00:00.000Z" tests="1" failures="3" errors="9" time="0.000">
          <testcase name="never" time="0.000" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Broken ]]&gt; request">
            <failure type="AssertionFailure" message="assertion failed">
              <![CDATA[Failed 3 times.]]>
              <![CDATA[Collection JSON ID: col-1.]]>
              <![CDATA[Collection name: CI v1.2 <&>.]]>
              <![CDATA[Request name: Folder.A / Broken ]]]]><![CDATA[> request.]]>
              <![CDATA[Test description: never.]]>
              <![CDATA[Error message: assertion failed.]]>
              <![CDATA[Stacktrace: AssertionError: assertion failed.]]>
            </failure>
          </testcase>
          <testcase name="request error" time="0.000" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Broken ]]&gt; request">
            <error type="Error" message="connect ECONNREFUSED ]]&gt; &amp; "><![CDATA[Failed 3 times. Error: connect ECONNREFUSED ]]]]><![CDATA[> & ]]></error>
          </testcase>
          <testcase name="test script error" time="0.000" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Broken ]]&gt; request">
            <error type="TypeError" message="x is undefined"><![CDATA[Failed 3 times. TypeError: x is undefined]]></error>
          </testcase>
          <testcase name="prerequest script error" time="0.000" classname="CI v1_2 &lt;&amp;&gt;.Folder_A.Broken ]]&gt; request">
            <error type="ReferenceError" message="y"><![CDATA[Failed 3 times. ReferenceError: y]]></error>
          </testcase>
          <system-err><![CDATA[Iteration: 0
      RequestError: Error: connect ECONNREFUSED ]]]]><![CDATA[> & 

      ---
      testScriptError: TypeError: x is undefined
      ---
      prerequestScriptError: ReferenceError: y
      ---
      Iteration: 1
      RequestError: Error: connect ECONNREFUSED ]]]]><![CDATA[> & 

      ---
      testScriptError: TypeError: x is undefined
      ---
      prerequestScriptError: ReferenceError: y
      ---
      Iteration: 2
      RequestError: Error: connect ECONNREFUSED ]]]]><![CDATA[> & 

      ---
      testScriptError: TypeError: x is undefined
      ---
      prerequestScriptError: ReferenceError: y
      ---
      ]]></system-err>
        </testsuite>
      </testsuites>
      "
    `);
    expect(text).toBe(await buildJUnitReport(events(3), ctx));
    expect(chunks.length).toBe(5);
  });

  it("matches the string form for empty runs and for runs without a terminal event", async () => {
    // Without a terminal event the suites are stamped with the current time: hold the clock still.
    vi.useFakeTimers({ now: Date.parse("2026-12-01T12:00:00.000Z"), toFake: ["Date"] });
    try {
      for (const list of [[], events(2).slice(0, -1), events(1)]) {
        const streamed = (await collect(junitReportStream(oneByOne(list), ctx))).join("");
        expect(streamed).toBe(await buildJUnitReport(list, ctx));
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps one aggregate per item: many iterations give the same number of pieces", async () => {
    const chunks = await collect(junitReportStream(oneByOne(events(200)), ctx));
    expect(chunks.length).toBe(5);
    expect(chunks.join("")).toContain('failures="100"');
  });
});

describe("the CLI's local fallback reports (RunTally spool)", () => {
  it("replays the spooled events: the same JUnit bytes and the same Newman report, twice over", async () => {
    const list = events(3);
    const tally = new RunTally(true);
    try {
      for (const e of list) tally.add(e);
      const reports = localReports({ not: "a collection" }, tally);
      const expected = await buildJUnitReport(list, ctx);
      const fallbackCtx = { collection: { id: "unknown", name: "collection" } };
      expect((await collect(reports.junit())).join("")).toBe(await buildJUnitReport(list, fallbackCtx));
      expect((await collect(reports.junit())).join("")).toBe((await collect(reports.junit())).join(""));
      expect(expected).toContain("CI v1.2 &lt;&amp;&gt;");
      const json = JSON.parse((await collect(reports.json())).join("")) as unknown;
      expect(json).toEqual(JSON.parse(JSON.stringify(await buildNewmanReport(list, fallbackCtx))));
    } finally {
      tally.dispose();
    }
  });

  it("replays runs larger than one spool write, and keeps events in memory without a temp dir", async () => {
    const list = events(1000);
    const expected = await buildJUnitReport(list, { collection: { id: "unknown", name: "collection" } });
    const saved = process.env.TMPDIR;
    for (const tmp of [saved, "/nonexistent/edgerun-spool-test"]) {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
      const tally = new RunTally(true);
      try {
        for (const e of list) tally.add(e);
        expect((await collect(localReports(undefined, tally).junit())).join("")).toBe(expected);
      } finally {
        tally.dispose();
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
    }
  });

  it("keeps nothing when no report was asked for, and nothing after dispose", async () => {
    const off = new RunTally(false);
    off.add(events(1)[0]!);
    expect(await collect(localReports(undefined, off).junit())).toEqual(
      await collect(junitReportStream([], { collection: { id: "unknown", name: "collection" } })),
    );
    const on = new RunTally(true);
    on.add(events(1)[0]!);
    on.dispose();
    on.dispose();
    const replay: RunEvent[] = [];
    for await (const e of on.events()) replay.push(e);
    expect(replay).toEqual([]);
  });
});
