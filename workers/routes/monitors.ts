/**
 * /v1/monitors: scheduled monitors (create, get, PATCH, delete, list, run now, history, stats).
 *
 * Everything is validated here before any Durable Object stores anything: the body's shape (zod), the
 * schedule (croner: 5-field cron, IANA zone, never-firing crons), stored collection/environment ids (404
 * when unknown or another workspace's), inline collections (normalisable), and webhook URLs (the same
 * target policy as requests). The Monitor object then only stores and schedules.
 */
import type { Context, Hono } from "hono";
import * as z from "zod";
import { config } from "../../platform/config";
import {
  invalidInput,
  notFound,
  type ProblemDetail,
  ProblemError,
  refuseLargeInlineCollection,
} from "../../platform/problem";
import { workspaceStub } from "../../platform/stubs";
import { targetCheckFor } from "../../platform/target-policy";
import { normalizeCollection } from "../../shared/engine/normalize";
import { applyBody, type MonitorConfig } from "../../shared/monitors/config";
import { scheduleIssues } from "../../shared/monitors/schedule";
import type { Collection } from "../../shared/schemas/collection";
import {
  type CreateMonitorBody,
  CreateMonitorBodySchema,
  ListQuerySchema,
  MONITOR_ID_PATTERN,
  MonitorListSchema,
  MonitorRunListSchema,
  MonitorRunNowSchema,
  MonitorSchema,
  MonitorStatsSchema,
  StatsQuerySchema,
  type UpdateMonitorBody,
  UpdateMonitorBodySchema,
} from "../../shared/schemas/monitors";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import type { AppEnv } from "../types";

const tags = ["monitors"];
const Monitor = component("Monitor", MonitorSchema);
const Params = z.object({ id: z.string().max(64) });

function monitorStub(env: Env, workspaceId: string, monitorId: string) {
  return env.MONITOR.get(env.MONITOR.idFromName(`${workspaceId}:${monitorId}`));
}

function indexStub(env: Env) {
  return env.MONITOR_INDEX.get(env.MONITOR_INDEX.idFromName("global"));
}

/** The monitor's object, or 404 (malformed ids never create an object). */
function existing(c: Context<AppEnv>, id: string) {
  if (!MONITOR_ID_PATTERN.test(id)) throw notFound("Monitor", id);
  return monitorStub(c.env, c.get("workspaceId"), id);
}

function invalid(errors: ProblemDetail[], title = "Invalid monitor"): ProblemError {
  return invalidInput(errors, title);
}

/** Body → validated configuration; throws the problem the client should see. */
async function buildConfig(
  c: Context<AppEnv>,
  body: CreateMonitorBody | UpdateMonitorBody,
  previous?: MonitorConfig,
): Promise<MonitorConfig> {
  const workspaceId = c.get("workspaceId");
  const origin = new URL(c.req.url).origin;
  const applied = applyBody({
    body,
    workspaceId,
    now: Date.now(),
    origin,
    ...(previous ? { existing: previous } : {}),
  });
  if (!applied.ok) throw invalid(applied.issues);
  const cfg = applied.config;
  const issues: ProblemDetail[] = [...scheduleIssues(cfg.schedule)];
  if ("inline" in cfg.collection) {
    try {
      normalizeCollection(cfg.collection.inline as Collection);
    } catch (err) {
      issues.push({ pointer: "/collection", detail: (err as Error).message });
    }
  }
  const ws = workspaceStub(c.env, workspaceId);
  const settings = await ws.settings();
  const check = targetCheckFor(c.env, settings?.allowHosts ?? []);
  for (const [i, n] of cfg.notifications.entries()) {
    const reason = await check(new URL(n.url));
    if (reason)
      issues.push({ pointer: `/notifications/${i}/url`, detail: `refused by the target policy: ${reason}` });
  }
  if (issues.length > 0) throw invalid(issues);
  if ("id" in cfg.collection) {
    const { id, version } = cfg.collection;
    if (!(await ws.getResource({ kind: "collection", id, version }))) throw notFound("Collection", id);
  }
  if (cfg.environment && "id" in cfg.environment) {
    const { id, version } = cfg.environment;
    if (!(await ws.getResource({ kind: "environment", id, version }))) throw notFound("Environment", id);
  }
  return cfg;
}

/** `base64url(tickAt.seq)`; anything else is a 400, never an empty page. */
function decodeRunCursor(cursor: string): { tickAt: number; seq: number } {
  try {
    const match = /^(\d{1,16})\.(\d{1,16})$/.exec(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (match) return { tickAt: Number(match[1]), seq: Number(match[2]) };
  } catch {
    // fall through
  }
  throw invalid([{ pointer: "/query/cursor", detail: "not a cursor from a previous page" }], "Invalid query");
}

function encodeRunCursor(next: { tickAt: number; seq: number }): string {
  return btoa(`${next.tickAt}.${next.seq}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Registers the monitor routes on the app (and in the OpenAPI document). */
export function monitorRoutes(app: Hono<AppEnv>): void {
  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/monitors",
      tags,
      summary: "Create a monitor",
      body: component("CreateMonitor", CreateMonitorBodySchema),
      preValidate: refuseLargeInlineCollection,
      problems: [404, 409, 413],
      responses: { 201: { description: "The monitor", schema: Monitor } },
    },
    async (c, { body }) => {
      const cfg = await buildConfig(c, body);
      const limit = config(c.env).MAX_MONITORS_PER_WORKSPACE;
      if ((await indexStub(c.env).count(cfg.workspaceId)) >= limit) {
        throw new ProblemError(
          409,
          "Monitor Limit Reached",
          `This workspace already has ${limit} monitors.`,
          {
            type: "https://edgerun.dev/problems/monitor-limit",
          },
        );
      }
      const view = await monitorStub(c.env, cfg.workspaceId, cfg.id).configure(cfg);
      return c.json(view, 201, { location: `/v1/monitors/${cfg.id}` });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/monitors",
      tags,
      summary: "List monitors",
      query: ListQuerySchema,
      responses: {
        200: { description: "A page of monitors", schema: component("MonitorList", MonitorListSchema) },
      },
    },
    async (c, { query }) => {
      if (query.cursor !== undefined && !MONITOR_ID_PATTERN.test(query.cursor)) {
        throw invalid(
          [{ pointer: "/query/cursor", detail: "not a cursor from a previous page" }],
          "Invalid query",
        );
      }
      const workspaceId = c.get("workspaceId");
      const ids = await indexStub(c.env).list({ workspaceId, limit: query.limit + 1, after: query.cursor });
      const page = ids.slice(0, query.limit);
      const views = await Promise.all(page.map((id) => monitorStub(c.env, workspaceId, id).view()));
      const nextCursor = ids.length > query.limit ? (page[page.length - 1] ?? null) : null;
      return c.json({ monitors: views.filter((v) => v !== null), nextCursor });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/monitors/{id}",
      tags,
      summary: "Get a monitor with its state and recent runs",
      params: Params,
      problems: [404],
      responses: { 200: { description: "The monitor", schema: Monitor } },
    },
    async (c, { params }) => {
      const view = await existing(c, params.id).view();
      if (!view) throw notFound("Monitor", params.id);
      return c.json(view);
    },
  );

  defineRoute(
    app,
    {
      method: "patch",
      path: "/v1/monitors/{id}",
      tags,
      summary: "Update a monitor (pause/resume with `active`; `notifications` replaces the list)",
      params: Params,
      body: component("UpdateMonitor", UpdateMonitorBodySchema),
      preValidate: refuseLargeInlineCollection,
      problems: [404, 413],
      responses: { 200: { description: "The monitor", schema: Monitor } },
    },
    async (c, { params, body }) => {
      const stub = existing(c, params.id);
      const previous = await stub.storedConfig();
      if (!previous) throw notFound("Monitor", params.id);
      const cfg = await buildConfig(c, body, previous);
      return c.json(await stub.configure(cfg));
    },
  );

  defineRoute(
    app,
    {
      method: "delete",
      path: "/v1/monitors/{id}",
      tags,
      summary: "Delete a monitor (its schedule stops; its runs stay in /v1/runs)",
      params: Params,
      problems: [404],
      responses: { 204: { description: "Deleted" } },
    },
    async (c, { params }) => {
      if (!(await existing(c, params.id).destroy())) throw notFound("Monitor", params.id);
      return c.body(null, 204);
    },
  );

  monitorRunRoutes(app);
}

function monitorRunRoutes(app: Hono<AppEnv>): void {
  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/monitors/{id}/run",
      tags,
      summary: "Run a monitor now (one run per region)",
      params: Params,
      problems: [404],
      responses: {
        202: { description: "The runs", schema: component("MonitorRunNow", MonitorRunNowSchema) },
      },
    },
    async (c, { params }) => {
      const stub = existing(c, params.id);
      if (!(await stub.exists())) throw notFound("Monitor", params.id);
      const started = await stub.runNow();
      const runs = started.map(({ region, run }) => {
        if (!run.runId.startsWith("rej_")) {
          const self = `/v1/runs/${run.runId}`;
          return {
            id: run.runId,
            status: run.status,
            region,
            links: { self, events: `${self}/events`, report: `${self}/report` },
          };
        }
        return {
          id: run.runId,
          status: run.status,
          region,
          links: { self: `/v1/monitors/${params.id}/runs` },
          reason: run.failures[0]?.message ?? "the run service refused the run",
        };
      });
      return c.json({ runs }, 202);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/monitors/{id}/runs",
      tags,
      summary: "A monitor's run history, newest first",
      params: Params,
      query: ListQuerySchema,
      problems: [404],
      responses: {
        200: { description: "A page of runs", schema: component("MonitorRunList", MonitorRunListSchema) },
      },
    },
    async (c, { params, query }) => {
      const after = query.cursor === undefined ? undefined : decodeRunCursor(query.cursor);
      const stub = existing(c, params.id);
      if (!(await stub.exists())) throw notFound("Monitor", params.id);
      const page = await stub.history({ limit: query.limit, after });
      return c.json({ runs: page.runs, nextCursor: page.next ? encodeRunCursor(page.next) : null });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/monitors/{id}/stats",
      tags,
      summary: "Uptime and p50/p95/p99 response times per region over 24 h, 7 d or 30 d",
      params: Params,
      query: StatsQuerySchema,
      problems: [404],
      responses: { 200: { description: "Stats", schema: component("MonitorStats", MonitorStatsSchema) } },
    },
    async (c, { params, query }) => {
      const stub = existing(c, params.id);
      if (!(await stub.exists())) throw notFound("Monitor", params.id);
      return c.json(await stub.stats(query.window));
    },
  );
}
