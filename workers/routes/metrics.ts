/**
 * `GET /v1/metrics`: the workspace's runs, pass rate and request-time percentiles over 24 h and 7 d.
 * Point-level metrics go to Analytics Engine (platform/telemetry.ts); this summary is computed from the
 * workspace's own run index so it works everywhere, locally included.
 */
import type { Hono } from "hono";
import { workspaceStub } from "../../platform/stubs";
import type { RunSummary } from "../../shared/schemas/api";
import { type MetricsRow, WorkspaceMetricsSchema, windowMetrics } from "../../shared/telemetry/metrics";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import type { AppEnv } from "../types";

component("WorkspaceMetrics", WorkspaceMetricsSchema);

export function metricsRoutes(app: Hono<AppEnv>): void {
  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/metrics",
      tags: ["metrics"],
      summary: "The workspace's runs, pass rate and p50/p95 request time over 24 h and 7 d",
      responses: { 200: { description: "Metrics per window", schema: WorkspaceMetricsSchema } },
    },
    async (c) => {
      const now = Date.now();
      const rows = await workspaceStub(c.env, c.get("workspaceId")).metricsRows(
        new Date(now - 7 * 86_400_000).toISOString(),
      );
      const parsed: Array<MetricsRow & { created: number }> = rows.map((r) => {
        const summary = JSON.parse(r.data) as RunSummary;
        return {
          summary,
          times: r.request_times ? (JSON.parse(r.request_times) as { n: number; t: number[] }) : null,
          created: Date.parse(summary.createdAt),
        };
      });
      return c.json({
        generatedAt: new Date(now).toISOString(),
        windows: [
          windowMetrics(
            "24h",
            parsed.filter((r) => r.created >= now - 86_400_000),
          ),
          windowMetrics("7d", parsed),
        ],
      });
    },
  );
}
