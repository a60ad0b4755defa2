/**
 * Differential against real Newman 6.2.2: what a pm.sendRequest callback gets. A falsy request is
 * answered at once with "sendrequest: nothing to request" and nothing is sent; a request with an empty
 * URL, a refused connection (127.0.0.1:1) and a timeout hand the callback Newman's error object (a plain
 * object with Node's fields, `{}` for the empty URL) and an empty response. Each script reports what it
 * saw in its tests' names, which both JSON reports carry; `edgerun run` runs its scripts in V8.
 */
import { describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

/** A test whose name is what the script saw (`seen` is an expression of the callback's scope). */
const report = (label: string, seen: string) =>
  `pm.test('${label} ' + JSON.stringify(${seen}), function () {});`;

/** What a failed request's callback saw: its error and response as scripts read them. */
const FAILED = [
  "[JSON.stringify(err), Object.keys(err).join(), String(err), err instanceof Error, typeof err.message,",
  "typeof res, res && res.code, res && res.text(), res && res.headers.count(), args, self === pm]",
].join(" ");

const failing = (label: string, req: string) =>
  [
    `pm.sendRequest(${req}, function (err, res) { var args = arguments.length, self = this;`,
    `  ${report(label, FAILED)} });`,
  ].join("\n");

const FALSY = [
  "var seen = [];",
  "['', undefined, null, 0, false].forEach(function (req) {",
  "  var sync = true, got;",
  "  var r = pm.sendRequest(req, function (err) { got = [sync, arguments.length, err instanceof Error, err.name, err.message, this === pm]; });",
  "  sync = false; seen.push([got, r]);",
  "});",
  "seen.push(pm.sendRequest(''));",
  report("falsy", "seen"),
].join("\n");

const script = (...exec: string[]) => ({ listen: "test", script: { type: "text/javascript", exec } });

function collection(base: string) {
  const item = (name: string, source: string) => ({
    name,
    event: [script(source)],
    request: { method: "GET", url: `${base}/get?${name}` },
  });
  return {
    info: {
      name: "callbacks",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: [
      item("falsy", FALSY),
      item("empty url", failing("empty", "{ url: '', method: 'POST' }")),
      item("refused", failing("refused", "'http://127.0.0.1:1/x'")),
      item("timeout", failing("timeout", `'${base}/delay/2000'`)),
    ],
  };
}

interface Report {
  run: {
    stats: { requests: { total: number; failed: number } };
    executions: Array<{ assertions?: Array<{ assertion: string }> }>;
  };
}

describe("what a pm.sendRequest callback gets (vs Newman)", () => {
  it("a falsy request, an empty URL, a refused connection and a timeout", async () => {
    const both = await runBoth<Report>({
      collection: collection(inject("targetUrl")),
      args: ["--timeout-request", "300"],
    });
    expect(both.oursCode).toBe(both.newmanCode);
    const seen = (r: Report) => ({
      requests: r.run.stats.requests,
      // Newman's report lists a test made in a pm.sendRequest callback twice: each name once.
      seen: [...new Set(r.run.executions.flatMap((e) => (e.assertions ?? []).map((a) => a.assertion)))],
    });
    const mine = seen(both.ours);
    expect(mine).toEqual(seen(both.newman));
    expect(mine.seen).toHaveLength(4);
    expect(mine.seen[2]).toContain('{\\"errno\\":-111,\\"code\\":\\"ECONNREFUSED\\"');
  }, 60_000);
});
