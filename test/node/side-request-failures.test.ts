/**
 * Differential against real Newman 6.2.2: a `pm.sendRequest` that gets no response is a run failure
 * (listed in `run.failures` with the side request as its source, counted in `requests.failed`, exit
 * code 1), and same-named failing tests keep their own `assertion:N`. Both CLIs run as child processes
 * against the local echo target; the refused side request goes to 127.0.0.1:1.
 */
import { describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

const script = (listen: string, ...exec: string[]) => ({ listen, script: { type: "text/javascript", exec } });

function collection(base: string) {
  return {
    info: { name: "side", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
    item: [
      {
        name: "send",
        event: [
          script(
            "prerequest",
            "pm.sendRequest('http://127.0.0.1:1/token', function () {});",
            "pm.sendRequest({ url: '', method: 'POST' }, function () {});",
          ),
          script(
            "test",
            "pm.test('same', function () { pm.expect(1).to.eql(1); });",
            "pm.test('same', function () { undefined.x; });",
            "pm.test('same', function () { undefined.y; });",
          ),
        ],
        request: { method: "GET", url: `${base}/get` },
      },
    ],
  };
}

interface Report {
  run: {
    stats: { requests: { total: number; failed: number } };
    failures: Array<{
      at: string;
      error: { name: string; message: string; index?: number };
      source: { name?: string; request?: { method: string; url: { host?: string[] } } };
    }>;
  };
}

/** What both reports must agree on (error texts of refused connections are Node's in Newman). */
function shape(r: Report) {
  return {
    requests: r.run.stats.requests,
    failures: r.run.failures.map((f) => ({
      at: f.at,
      named: f.source.name !== undefined,
      method: f.source.request?.method,
      host: f.source.request?.url.host?.join(".") || undefined,
      index: f.error.index,
      ...(f.error.message.includes("url is empty") ? { message: f.error.message } : {}),
    })),
  };
}

describe("failed pm.sendRequest and same-named tests (vs Newman)", () => {
  it("lists, counts and exits as Newman does", async () => {
    const both = await runBoth<Report>({ collection: collection(inject("targetUrl")) });
    expect(both.oursCode).toBe(both.newmanCode);
    expect(both.newmanCode).toBe(1);
    const a = shape(both.ours);
    expect(a).toEqual(shape(both.newman));
    expect(a.failures.map((f) => f.at)).toEqual([
      "request",
      "request",
      "assertion:1 in test-script",
      "assertion:2 in test-script",
    ]);
  }, 60_000);
});
