/**
 * JUnit XML as Newman's junit reporter writes it, so CI dashboards that parse Newman's file read ours:
 * one <testsuite> per item (all iterations of the item aggregated), one <testcase> per distinct
 * assertion name with a <failure> saying how many times it failed, request and script errors in
 * <system-err>. Memory grows with the number of items and assertion names, not with run length.
 *
 * Where Newman's file trips CI parsers, ours follows what Jenkins, Surefire and GitLab expect (checked
 * against test/fixtures/junit.xsd): every suite has a name, `classname` is the folder path
 * (`Collection.Folder.Request`, which Jenkins shows as package and class), times are seconds, every
 * failure has `message` and `type`, request and script errors are also `<error>` test cases (so a
 * request that never answered is not a green suite), and `<system-err>` comes after the test cases.
 */
import type { RequestCompletedEvent, RunEvent } from "../schemas/events";
import type { EventSource, ReportContext } from "./newman-json";

const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** XML-escapes text, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function cdata(text: string): string {
  return `<![CDATA[${text.replace(INVALID_XML, "").replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
}

/** `Collection.Folder.Sub.Request`: dots inside a name would split packages, so they become `_`. */
export function className(segments: string[]): string {
  return segments.map((seg) => seg.replace(/\./g, "_").trim() || "_").join(".");
}

interface Suite {
  id: string;
  name: string;
  /** Folder names, then the request's own name. */
  path: string[];
  timeSum: number;
  lastTime: number;
  executions: number;
  tests: number;
  failures: number;
  errors: number;
  errorText: string;
  /** Per assertion name: how often it failed and the first failure (all the report prints). */
  cases: Map<string, { skipped: boolean; failed: number; first?: { name: string; message: string } }>;
  /** Request/script errors by kind (`request error`, `test script error`, …): count and the first one. */
  errorCases: Map<string, { count: number; first: { name: string; message: string } }>;
}

function addError(suite: Suite, kind: string, error: { name: string; message: string }): void {
  const entry = suite.errorCases.get(kind);
  if (entry) entry.count++;
  else suite.errorCases.set(kind, { count: 1, first: error });
}

function absorb(suite: Suite, e: RequestCompletedEvent): void {
  const time = (e.response?.timeMs ?? 0) / 1000;
  suite.executions++;
  suite.timeSum += time;
  suite.lastTime = time;
  // Newman records each failed pm.sendRequest as one more errored execution of the item.
  for (const side of e.sideRequestFailures ?? []) {
    suite.errors++;
    suite.errorText += `Iteration: ${e.iteration}\nRequestError: ${side.error.name}: ${side.error.message}\n\n---\n`;
    addError(suite, "request error", side.error);
  }
  let msg = `Iteration: ${e.iteration}\n`;
  let errored = false;
  if (e.error) {
    suite.errors++;
    errored = true;
    msg += `RequestError: ${e.error.name}: ${e.error.message}\n`;
    addError(suite, "request error", e.error);
  }
  msg += "\n---\n";
  for (const s of e.scriptErrors) {
    suite.errors++;
    errored = true;
    msg += `${s.event === "test" ? "testScript" : "prerequestScript"}Error: ${s.name}: ${s.message}\n---\n`;
    addError(suite, `${s.event === "test" ? "test" : "prerequest"} script error`, s);
  }
  if (errored) suite.errorText += msg;
  for (const a of e.assertions) {
    const entry = suite.cases.get(a.name) ?? { skipped: a.skipped, failed: 0 };
    if (!a.passed && !a.skipped) {
      suite.failures++;
      entry.failed++;
      entry.first ??= a.error ?? { name: "AssertionError", message: "assertion failed" };
    } else if (!entry.failed) {
      entry.skipped = a.skipped;
    }
    suite.cases.set(a.name, entry);
  }
  suite.tests = e.assertions.length;
}

function renderSuite(s: Suite, timestamp: string, ctx: ReportContext): string {
  const cls = className([ctx.collection.name, ...s.path]);
  const cases = [...s.cases].map(([name, c]) => {
    const open = `<testcase name="${xmlEscape(name)}" time="${s.lastTime.toFixed(3)}" classname="${xmlEscape(cls)}"`;
    const first = c.first;
    if (first) {
      const body = [
        `Failed ${c.failed} times.`,
        `Collection JSON ID: ${ctx.collection.id}.`,
        `Collection name: ${ctx.collection.name}.`,
        `Request name: ${s.name}.`,
        `Test description: ${name}.`,
        `Error message: ${first.message}.`,
        `Stacktrace: ${first.name}: ${first.message}.`,
      ]
        .map(cdata)
        .join("\n        ");
      return `${open}>\n      <failure type="AssertionFailure" message="${xmlEscape(first.message)}">\n        ${body}\n      </failure>\n    </testcase>`;
    }
    return c.skipped ? `${open}>\n      <skipped/>\n    </testcase>` : `${open}/>`;
  });
  for (const [kind, { count, first }] of s.errorCases) {
    const text = cdata(`Failed ${count} times. ${first.name}: ${first.message}`);
    cases.push(
      `<testcase name="${xmlEscape(kind)}" time="${s.lastTime.toFixed(3)}" classname="${xmlEscape(cls)}">\n      <error type="${xmlEscape(first.name || "Error")}" message="${xmlEscape(first.message)}">${text}</error>\n    </testcase>`,
    );
  }
  if (s.errorText) cases.push(`<system-err>${cdata(s.errorText)}</system-err>`);
  const mean = s.executions ? s.timeSum / s.executions : 0;
  const head = `  <testsuite name="${xmlEscape(s.name)}" id="${xmlEscape(s.id)}" timestamp="${timestamp}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" time="${mean.toFixed(3)}"`;
  return cases.length ? `${head}>\n    ${cases.join("\n    ")}\n  </testsuite>` : `${head}/>`;
}

function newSuite(item: RequestCompletedEvent["item"]): Suite {
  const path = [...item.path, item.name || "(unnamed request)"];
  return {
    id: item.id,
    name: path.join(" / "),
    path,
    timeSum: 0,
    lastTime: 0,
    executions: 0,
    tests: 0,
    failures: 0,
    errors: 0,
    errorText: "",
    cases: new Map(),
    errorCases: new Map(),
  };
}

/** One pass over the events: a bounded aggregate per item, plus the run's totals. */
async function aggregate(events: EventSource) {
  const suites = new Map<string, Suite>();
  let started = 0;
  let tests = 0;
  let totalTime = 0;
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type === "request.completed") {
      let suite = suites.get(e.item.id);
      if (!suite) {
        suite = newSuite(e.item);
        suites.set(e.item.id, suite);
      }
      absorb(suite, e);
      totalTime += (e.response?.timeMs ?? 0) / 1000;
    } else if (e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled") {
      started = e.timings.started;
      tests = e.stats.tests.total;
    }
  }
  return { suites: [...suites.values()], started, tests, totalTime };
}

/**
 * Streams the JUnit XML: the events are read once into one aggregate per item (Newman's format sums
 * every iteration of an item into its suite, and the root element carries the totals, so nothing can
 * be written before the last event), then the document is yielded suite by suite, so memory follows
 * the number of items rather than the run's length and no single string holds the whole report.
 * The API's `?format=junit` and the CLI's local fallback write this.
 */
export async function* junitReportStream(events: EventSource, ctx: ReportContext): AsyncGenerator<string> {
  const { suites, started, tests, totalTime } = await aggregate(events);
  const timestamp = new Date(started || Date.now()).toISOString();
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(ctx.collection.name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${totalTime.toFixed(3)}">\n`;
  for (const s of suites) yield `${renderSuite(s, timestamp, ctx)}\n`;
  yield suites.length ? "</testsuites>\n" : "\n</testsuites>\n";
}

/** Builds the JUnit XML as one string (tests, small runs); consumes the events once. */
export async function buildJUnitReport(events: EventSource, ctx: ReportContext): Promise<string> {
  let out = "";
  for await (const chunk of junitReportStream(events, ctx)) out += chunk;
  return out;
}
