/**
 * JUnit XML like newman's junit reporter: one <testsuite> per request execution, one <testcase> per
 * assertion, <failure> for failed assertions, <error> for request and script errors.
 */
import type { RunEvent } from "../schemas/events";
import type { EventSource, ReportContext } from "./newman-json";

/** XML-escapes text, dropping characters XML 1.0 cannot carry. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export async function buildJUnitReport(events: EventSource, ctx: ReportContext): Promise<string> {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let totalMs = 0;
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type !== "request.completed") continue;
    const name = [...e.item.path, e.item.name].join(" / ");
    const time = (e.response?.timeMs ?? 0) / 1000;
    totalMs += e.response?.timeMs ?? 0;
    const cases: string[] = [];
    let suiteFailures = 0;
    let suiteErrors = 0;
    for (const a of e.assertions) {
      const open = `<testcase name="${xmlEscape(a.name)}" time="${time.toFixed(3)}" classname="${xmlEscape(name)}">`;
      if (a.skipped) cases.push(`${open}<skipped/></testcase>`);
      else if (!a.passed) {
        suiteFailures++;
        const msg = xmlEscape(a.error?.message ?? "assertion failed");
        cases.push(
          `${open}<failure type="AssertionFailure" message="${msg}"><![CDATA[Failed 1 times.]]><![CDATA[${(a.error?.message ?? "").replace(/]]>/g, "]]]]><![CDATA[>")}]]></failure></testcase>`,
        );
      } else cases.push(`${open}</testcase>`);
    }
    const errs = [...(e.error ? [e.error] : []), ...e.scriptErrors];
    for (const err of errs) {
      suiteErrors++;
      cases.push(
        `<testcase name="${xmlEscape(err.name)}" classname="${xmlEscape(name)}"><error type="${xmlEscape(err.name)}" message="${xmlEscape(err.message)}"/></testcase>`,
      );
    }
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    suites.push(
      `  <testsuite name="${xmlEscape(name)}" id="${xmlEscape(e.item.id)}" timestamp="${xmlEscape(e.ts)}" tests="${cases.length}" failures="${suiteFailures}" errors="${suiteErrors}" time="${time.toFixed(3)}">\n    ${cases.join("\n    ")}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(ctx.collection.name)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${(totalMs / 1000).toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
