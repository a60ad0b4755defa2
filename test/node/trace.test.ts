/** W3C trace context parsing and the OTLP JSON encoding, checked against the specifications' rules. */
import { describe, expect, it } from "vitest";
import { windowMetrics } from "../../shared/telemetry/metrics";
import {
  encodeOtlp,
  formatTraceparent,
  parseOtlpHeaders,
  parseTraceparent,
} from "../../shared/telemetry/trace";

describe("trace context", () => {
  it("parses valid traceparent headers and refuses invalid ones", () => {
    const header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(parseTraceparent(header)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      flags: 1,
    });
    expect(formatTraceparent(parseTraceparent(header)!)).toBe(header);
    for (const bad of [
      "",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "garbage",
    ]) {
      expect(parseTraceparent(bad), bad).toBeNull();
    }
  });

  it("encodes spans as OTLP JSON with nanosecond strings and typed attributes", () => {
    const body = JSON.parse(
      encodeOtlp(
        [
          {
            traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
            spanId: "00f067aa0ba902b7",
            name: "GET",
            kind: 3,
            startMs: 1_700_000_000_000,
            endMs: 1_700_000_000_250.5,
            attributes: {
              "http.response.status_code": 200,
              "url.full": "https://x.test/",
              ok: true,
              ratio: 0.5,
              absent: undefined,
            },
          },
        ],
        { "service.name": "edgerun" },
      ),
    );
    const span = body.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.startTimeUnixNano).toBe("1700000000000000000");
    expect(span.endTimeUnixNano).toBe("1700000000250500000");
    expect(span.attributes).toEqual([
      { key: "http.response.status_code", value: { intValue: "200" } },
      { key: "url.full", value: { stringValue: "https://x.test/" } },
      { key: "ok", value: { boolValue: true } },
      { key: "ratio", value: { doubleValue: 0.5 } },
    ]);
    expect(body.resourceSpans[0].resource.attributes).toEqual([
      { key: "service.name", value: { stringValue: "edgerun" } },
    ]);
  });

  it("parses OTEL_EXPORTER_OTLP_HEADERS", () => {
    expect(parseOtlpHeaders("x-honeycomb-team=abc, Authorization=Basic%20dXNlcg==,bad,=x")).toEqual({
      "x-honeycomb-team": "abc",
      Authorization: "Basic dXNlcg==",
    });
  });

  it("weights request-time samples by the requests they stand for", () => {
    const run = (status: "completed" | "failed", failed: number) => ({
      status,
      stats: { requests: { total: 10, pending: 0, failed: 0 }, assertions: { total: 2, pending: 0, failed } },
    });
    const m = windowMetrics("24h", [
      { summary: run("completed", 0) as never, times: { n: 1000, t: [100, 100, 100, 100] } },
      { summary: run("completed", 1) as never, times: { n: 4, t: [1, 1, 1, 1] } },
      { summary: run("failed", 0) as never, times: null },
    ]);
    expect(m.runs).toMatchObject({ total: 3, completed: 2, failed: 1 });
    expect(m.passRate).toBeCloseTo(33.33, 1);
    expect(m.requestTime).toEqual({ p50: 100, p95: 100 });
  });
});
