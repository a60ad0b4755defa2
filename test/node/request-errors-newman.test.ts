/**
 * Differential against real Newman 6.2.2: the words for a main request that got no response. A refused
 * connection, a request past `--timeout-request`, an unsupported protocol, a port out of range and a
 * redirect loop past Newman's default maxRedirects (10) each fail with Newman's error name and message
 * in the JSON report's `run.failures`, and the execution's `requestError` carries Node's fields
 * (errno, code, syscall, address, port). CI logs and report parsers match on exactly these. Name lookups
 * are left out: this machine has no DNS (the mapping is unit-tested in send-error.test.ts).
 */
import { describe, expect, inject, it } from "vitest";
import { runBoth } from "./cli-pair";

function collection(base: string) {
  const item = (name: string, url: string) => ({ name, request: { method: "GET", url } });
  return {
    info: {
      name: "request errors",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    item: [
      item("refused", "http://127.0.0.1:1/x"),
      item("timeout", `${base}/delay/2000`),
      item("protocol", "ftp://example.com/x"),
      item("port", "http://127.0.0.1:99999/x"),
      item("redirect loop", `${base}/redirect/15`),
      item("fine", `${base}/get`),
    ],
  };
}

interface Report {
  run: {
    stats: { requests: { total: number; failed: number } };
    failures: Array<{ error: { name: string; message: string }; source?: { name?: string } }>;
    executions: Array<{ item: { name: string }; requestError?: Record<string, unknown> }>;
  };
}

/** The port the echo server got this run is no part of the words being compared. */
const unport = (text: string, base: string) => text.split(base).join("<base>");

describe("a main request's error (vs Newman)", () => {
  it("refused, timed out, bad protocol, bad port and a redirect loop fail with Newman's words", async () => {
    const base = inject("targetUrl");
    const both = await runBoth<Report>({ collection: collection(base), args: ["--timeout-request", "300"] });
    expect(both.oursCode).toBe(both.newmanCode);
    const seen = (r: Report) => ({
      requests: r.run.stats.requests,
      failures: r.run.failures.map((f) => [f.source?.name, f.error.name, unport(f.error.message, base)]),
      requestErrors: r.run.executions.map((e) => [e.item.name, e.requestError ?? null]),
    });
    const mine = seen(both.ours);
    expect(mine).toEqual(seen(both.newman));
    expect(mine.failures).toContainEqual(["refused", "Error", "connect ECONNREFUSED 127.0.0.1:1"]);
    expect(mine.failures).toContainEqual(["timeout", "Error", "ESOCKETTIMEDOUT"]);
  }, 60_000);
});
