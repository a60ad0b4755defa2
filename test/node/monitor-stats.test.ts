import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deliveryHeaders, nextDeliveryAt, slackPayload, webhookPayload } from "../../shared/monitors/notify";
import { percentile, responseTimeOf, statOf, windowStats } from "../../shared/monitors/stats";

const ctx = {
  event: "failure" as const,
  monitor: { id: "mon_abcdefghij", name: "Checkout <api>" },
  at: "2026-01-01T00:00:00.000Z",
  state: { status: "failing" as const, since: "2026-01-01T00:00:00.000Z", consecutiveFailures: 2 },
  run: {
    runId: "run_x",
    region: "weur",
    status: "completed",
    tickAt: "2026-01-01T00:00:00.000Z",
    failures: [{ item: "Get cart", assertion: "status is 200", message: "expected 500 to equal 200" }],
  },
  link: "https://edgerun.test/v1/monitors/mon_abcdefghij",
};

describe("monitor stats", () => {
  it("nearest-rank percentiles and response-time summary", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 50)).toBeNull();
    expect(responseTimeOf([30, 10, 20])).toEqual({ mean: 20, p50: 20, p95: 30, p99: 30 });
  });

  it("uptime per region and hourly series over 24 h", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    const rows = [
      { tickAt: now - 3600_000 * 2 + 1, region: "weur", passed: true, times: [10, 20] },
      { tickAt: now - 3600_000 * 2 + 2, region: "weur", passed: false, times: [30] },
      { tickAt: now - 1000, region: "enam", passed: true, times: [40] },
      { tickAt: now - 3600_000 * 30, region: "enam", passed: false, times: [99] },
    ];
    const s = windowStats(rows, "24h", now);
    expect(s.overall).toMatchObject({ runs: 3, passed: 2, failed: 1, uptime: 66.7, p50: 20 });
    expect(s.regions.weur).toMatchObject({ runs: 2, uptime: 50 });
    expect(s.regions.enam).toMatchObject({ runs: 1, uptime: 100, p99: 40 });
    expect(s.series.map((b) => [b.t, b.region, b.runs])).toEqual([
      ["2026-01-01T22:00:00.000Z", "weur", 2],
      ["2026-01-01T23:00:00.000Z", "enam", 1],
    ]);
    expect(statOf([]).uptime).toBeNull();
  });
});

describe("monitor notifications", () => {
  it("signs timestamp.body with HMAC-SHA256 (verified with node:crypto)", async () => {
    const body = JSON.stringify(webhookPayload(ctx));
    const nowMs = 1_767_225_600_123;
    const h = await deliveryHeaders({ body, secret: "s3cret-value", nowMs, deliveryId: "d1" });
    expect(h["x-edgerun-timestamp"]).toBe("1767225600");
    const expected = createHmac("sha256", "s3cret-value").update(`1767225600.${body}`).digest("hex");
    expect(h["x-edgerun-signature"]).toBe(`sha256=${expected}`);
    const unsigned = await deliveryHeaders({ body, secret: null, nowMs, deliveryId: "d1" });
    expect(unsigned["x-edgerun-signature"]).toBeUndefined();
  });

  it("builds webhook and Slack payloads", () => {
    expect(webhookPayload(ctx)).toMatchObject({ type: "monitor.failure", monitor: { id: ctx.monitor.id } });
    const slack = slackPayload(ctx);
    expect(slack.text).toMatch(/is failing/);
    expect(JSON.stringify(slack.blocks)).toContain("Checkout &lt;api&gt;");
    expect(slackPayload({ ...ctx, event: "recovery" }).text).toMatch(/recovered/);
  });

  it("backs off 30 s, 2 min, 10 min, then gives up", () => {
    expect([1, 2, 3, 4].map((a) => nextDeliveryAt(a, 0))).toEqual([30_000, 120_000, 600_000, null]);
  });
});
