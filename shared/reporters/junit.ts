/**
 * JUnit XML as Newman's junit reporter writes it, so CI dashboards that parse Newman's file read ours:
 * one <testsuite> per item (all iterations of the item aggregated), one <testcase> per distinct
 * assertion name with a <failure> saying how many times it failed, request and script errors in
 * <system-err>. Memory grows with the number of items and assertion names, not with run length.
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

/** lodash's `upperFirst(camelCase(name))`, which Newman uses for `classname`. */
export function className(name: string): string {
  const words = name.match(/[A-Z]{2,}(?=[A-Z][a-z]+\d*|\b)|[A-Z]?[a-z]+\d*|[A-Z]+|\d+/g) ?? [];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join("");
}

interface Suite {
  id: string;
  name: string;
  timeSum: number;
  lastTime: number;
  executions: number;
  tests: number;
  failures: number;
  errors: number;
  errorText: string;
  cases: Map<string, { skipped: boolean; failures: Array<{ name: string; message: string }> }>;
}

function absorb(suite: Suite, e: RequestCompletedEvent): void {
  const time = (e.response?.timeMs ?? 0) / 1000;
  suite.executions++;
  suite.timeSum += time;
  suite.lastTime = time;
  let msg = `Iteration: ${e.iteration}\n`;
  let errored = false;
  if (e.error) {
    suite.errors++;
    errored = true;
    msg += `RequestError: ${e.error.name}: ${e.error.message}\n`;
  }
  msg += "\n---\n";
  for (const s of e.scriptErrors) {
    suite.errors++;
    errored = true;
    msg += `${s.event === "test" ? "testScript" : "prerequestScript"}Error: ${s.name}: ${s.message}\n---\n`;
  }
  if (errored) suite.errorText += msg;
  for (const a of e.assertions) {
    const entry = suite.cases.get(a.name) ?? { skipped: a.skipped, failures: [] };
    if (!a.passed && !a.skipped) {
      suite.failures++;
      entry.failures.push(a.error ?? { name: "AssertionError", message: "assertion failed" });
    } else if (!entry.failures.length) {
      entry.skipped = a.skipped;
    }
    suite.cases.set(a.name, entry);
  }
  suite.tests = e.assertions.length;
}

function renderSuite(s: Suite, timestamp: string, ctx: ReportContext): string {
  const cls = className(s.name);
  const cases = [...s.cases].map(([name, c]) => {
    const open = `<testcase name="${xmlEscape(name)}" time="${s.lastTime.toFixed(3)}" classname="${xmlEscape(cls)}"`;
    if (c.failures.length) {
      const first = c.failures[0]!;
      const body = [
        `Failed ${c.failures.length} times.`,
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
  if (s.errorText) cases.unshift(`<system-err>${cdata(s.errorText)}</system-err>`);
  const mean = s.executions ? s.timeSum / s.executions : 0;
  const head = `  <testsuite name="${xmlEscape(s.name)}" id="${xmlEscape(s.id)}" timestamp="${timestamp}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" time="${mean.toFixed(3)}"`;
  return cases.length ? `${head}>\n    ${cases.join("\n    ")}\n  </testsuite>` : `${head}/>`;
}

/** Builds the JUnit XML; consumes the events once. */
export async function buildJUnitReport(events: EventSource, ctx: ReportContext): Promise<string> {
  const suites = new Map<string, Suite>();
  let started = 0;
  let tests = 0;
  let totalTime = 0;
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type === "request.completed") {
      let suite = suites.get(e.item.id);
      if (!suite) {
        const name = [...e.item.path, e.item.name].join(" / ");
        suite = {
          id: e.item.id,
          name,
          timeSum: 0,
          lastTime: 0,
          executions: 0,
          tests: 0,
          failures: 0,
          errors: 0,
          errorText: "",
          cases: new Map(),
        };
        suites.set(e.item.id, suite);
      }
      absorb(suite, e);
      totalTime += (e.response?.timeMs ?? 0) / 1000;
    } else if (e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled") {
      started = e.timings.started;
      tests = e.stats.tests.total;
    }
  }
  const timestamp = new Date(started || Date.now()).toISOString();
  const body = [...suites.values()].map((s) => renderSuite(s, timestamp, ctx)).join("\n");
  const failures = [...suites.values()].reduce((n, s) => n + s.failures, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(ctx.collection.name)}" tests="${tests}" failures="${failures}" time="${totalTime.toFixed(3)}">\n${body}\n</testsuites>\n`;
}
