/**
 * Telemetry asserted as data: the spans a run exports to a local OTLP collector (the echo target's
 * recorder), parent/child links into the caller's trace, HTTP client attributes, `traceparent` arriving
 * at the target, readiness, the metrics summary, and the access/metric log lines.
 */
import { describe, expect, it, vi } from "vitest";
import { api, collection, readSse, startRun, target } from "./helpers";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

async function exportedSpans(traceId: string): Promise<OtlpSpan[]> {
  const res = await fetch(`${target()}/hooks-log/otel`);
  const { deliveries } = (await res.json()) as {
    deliveries: Array<{ body: string; headers: Record<string, string> }>;
  };
  return deliveries
    .flatMap(
      (d) =>
        (JSON.parse(d.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> })
          .resourceSpans,
    )
    .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
    .filter((s) => s.traceId === traceId);
}

const attr = (span: OtlpSpan, key: string) => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

describe("telemetry", () => {
  it("continues the caller's trace: API span → run span → one span per request, traceparent sent to the target", async () => {
    const traceId = crypto.randomUUID().replace(/-/g, "");
    const callerSpan = "00f067aa0ba902b7";
    const tests = [
      `pm.test("traceparent reached the target", () => pm.expect(pm.response.json().headers.traceparent).to.match(/^00-${traceId}-[0-9a-f]{16}-01$/));`,
    ];
    const { id, res } = await startRun(
      {
        collection: collection("Traced", [
          { name: "first", url: `${target()}/get?a=1`, tests },
          { name: "second", url: `${target()}/status/503`, tests: [] },
        ]),
        options: { propagateTrace: true },
      },
      { traceparent: `00-${traceId}-${callerSpan}-01` },
    );
    expect(res.status).toBe(201);
    const events = await readSse(await api(`/v1/runs/${id}/events`));
    const first = events.find((e) => e.event === "request.completed")!.data as {
      assertions: Array<{ passed: boolean }>;
    };
    expect(first.assertions).toEqual([expect.objectContaining({ passed: true })]);

    const spans = await vi.waitFor(
      async () => {
        const s = await exportedSpans(traceId);
        if (!s.some((x) => attr(x, "edgerun.run.id") === id)) throw new Error("run span not exported yet");
        return s;
      },
      { timeout: 10_000, interval: 100 },
    );
    const server = spans.find((s) => s.kind === 2 && s.name === "POST /v1/runs")!;
    expect(server.parentSpanId).toBe(callerSpan);
    const run = spans.find((s) => attr(s, "edgerun.run.id") === id)!;
    expect(run.parentSpanId).toBe(server.spanId);
    expect(attr(run, "edgerun.run.verdict")).toBe("passed");
    expect(attr(run, "edgerun.requests.total")).toBe("2");
    const requests = spans.filter((s) => s.kind === 3 && s.parentSpanId === run.spanId);
    expect(requests).toHaveLength(2);
    const [get, unavailable] = [...requests].sort((a, b) =>
      String(attr(a, "url.full")).localeCompare(String(attr(b, "url.full"))),
    );
    expect(attr(get!, "http.request.method")).toBe("GET");
    expect(attr(get!, "url.full")).toBe(`${target()}/get?a=1`);
    expect(attr(get!, "server.address")).toBe("127.0.0.1");
    expect(attr(get!, "http.response.status_code")).toBe("200");
    expect(attr(unavailable!, "http.response.status_code")).toBe("503");
    expect(attr(unavailable!, "error.type")).toBe("503");
  });

  it("answers /readyz with every check passing", async () => {
    const res = await api("/readyz", { key: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => c.name)).toEqual(["workspace-object", "bindings", "sandbox"]);
  });

  it("summarises a workspace's runs and request times, and logs access and metric lines", async () => {
    const created = await api("/v1/admin/workspaces", {
      method: "POST",
      key: "edgerun-test-admin",
      body: JSON.stringify({ name: "metrics" }),
    });
    const { apiKey: key } = (await created.json()) as { apiKey: string };
    const spy = vi.spyOn(console, "log");
    const res = await api("/v1/runs", {
      method: "POST",
      key,
      body: JSON.stringify({
        collection: collection("Metrics", [
          {
            name: "ok",
            url: `${target()}/get`,
            tests: ["pm.test('ok', () => pm.response.to.have.status(200));"],
          },
          { name: "bad", url: `${target()}/get`, tests: ["pm.test('fails', () => pm.expect(1).to.eql(2));"] },
        ]),
      }),
    });
    const { id } = (await res.json()) as { id: string };
    await readSse(await api(`/v1/runs/${id}/events`, { key }));
    const metrics = await vi.waitFor(async () => {
      const m = (await (await api("/v1/metrics", { key })).json()) as {
        windows: Array<{
          window: string;
          runs: { total: number; completed: number };
          passRate: number | null;
          requestTime: { p50: number } | null;
          assertions: { failed: number };
        }>;
      };
      if (m.windows[0]!.runs.completed < 1) throw new Error("not indexed yet");
      return m;
    });
    expect(metrics.windows.map((w) => w.window)).toEqual(["24h", "7d"]);
    expect(metrics.windows[0]).toMatchObject({
      runs: { total: 1, completed: 1 },
      passRate: 0,
      assertions: { failed: 1 },
    });
    expect(metrics.windows[0]!.requestTime?.p50).toBeGreaterThanOrEqual(0);
    const lines = spy.mock.calls
      .map((c) => String(c[0]))
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    spy.mockRestore();
    const access = lines.find((l) => l.msg === "request" && l.route === "/v1/runs" && l.method === "POST");
    expect(access).toMatchObject({ level: "info", status: 201 });
    expect(typeof access?.durationMs).toBe("number");
    expect(String(access?.traceId)).toMatch(/^[0-9a-f]{32}$/);
    const metricNames = lines.filter((l) => l.msg === "metric").map((l) => l.metric);
    expect(metricNames).toEqual(
      expect.arrayContaining(["run.started", "requests.executed", "assertions.failed", "run.completed"]),
    );
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});
