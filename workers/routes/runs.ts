/**
 * /v1/runs: create, inspect, stream, cancel, report and list runs. Each route parses, calls the run
 * service or the run's Durable Object, and renders.
 */
import type { Hono } from "hono";
import * as z from "zod";
import { sha256Hex } from "../../platform/keys";
import { notFound, ProblemError, refuseLargeInlineCollection } from "../../platform/problem";
import { createRun } from "../../platform/run-service";
import { runStub, workspaceStub } from "../../platform/stubs";
import { htmlReport, type ReportContext } from "../../shared/reporters";
import { junitReportStream } from "../../shared/reporters/junit";
import { newmanReportStream } from "../../shared/reporters/newman-json";
import {
  CreatedRunSchema,
  CreateRunBodySchema,
  RunCookiesSchema,
  RunListSchema,
  RunStatusSchema,
  type RunSummary,
  RunSummarySchema,
} from "../../shared/schemas/api";
import {
  type RunEvent,
  RunEventSchema,
  TERMINAL_EVENTS,
  type TerminalEvent,
} from "../../shared/schemas/events";
import { PageQuerySchema } from "../../shared/schemas/resources";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import { TtlCache } from "../ttl-cache";
import type { AppEnv } from "../types";

const RunIdParams = z.object({ id: z.string().describe("Run id (`run_…`)") });
const ListQuery = PageQuerySchema.extend({
  status: RunStatusSchema.optional(),
  monitorId: z.string().max(128).optional(),
});
const ReportQuery = z.object({ format: z.enum(["newman", "junit", "html"]).default("newman") });

component("CreateRunBody", CreateRunBodySchema);
component("CreatedRun", CreatedRunSchema);
component("RunSummary", RunSummarySchema);
component("RunList", RunListSchema);
component("RunEvent", RunEventSchema);

/**
 * Runs this isolate created lately: following a run right after creating it (the CLI, the web app,
 * `POST` then `GET …/events`) needs no index lookup. Runs leave the index only at the end of their
 * retention (hours), so a bound of minutes can never answer for a forgotten run.
 */
const recentRuns = new TtlCache<true>({ ttlMs: 10 * 60_000, max: 2000 });

/** Resolves a run id to its coordinator only if the workspace index knows it (no object is created for guesses). */
async function existingRun(env: Env, workspaceId: string, runId: string) {
  const known = recentRuns.get(`${workspaceId}:${runId}`) !== undefined;
  if (
    !known &&
    (!/^run_[a-z0-9]{10,40}$/.test(runId) || !(await workspaceStub(env, workspaceId).hasRun(runId)))
  ) {
    throw notFound("Run", runId);
  }
  return runStub(env, workspaceId, runId);
}

/** Whether the client asked for an event stream (`Accept: text/event-stream`, not refused with q=0). */
function wantsEventStream(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((range) => {
    const [type, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    return type === "text/event-stream" && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** A run object's SSE response re-wrapped: its headers are immutable, and middleware adds rate-limit headers. */
function eventStream(res: Response, status: number, extra: Record<string, string> = {}): Response {
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(res.body, { status: res.ok ? status : res.status, headers });
}

const created = (summary: RunSummary) => ({
  id: summary.id,
  status: summary.status,
  links: summary.links,
  run: summary,
});

export function runRoutes(app: Hono<AppEnv>): void {
  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/runs",
      tags: ["runs"],
      summary: "Start a run",
      description:
        'Runs an inline Postman collection (v2.0/v2.1) or a stored one (`collection: "col_…"`, optionally ' +
        "`collectionVersion`), with an environment, globals, iteration data and options.",
      headers: {
        "Idempotency-Key": "Replays the same run for the same key and body within 24 h (1–255 chars)",
        traceparent: "W3C trace context: the run's span continues the caller's trace",
      },
      body: CreateRunBodySchema,
      preValidate: refuseLargeInlineCollection,
      problems: [404, 422, 429],
      responses: {
        201: {
          description:
            "Run created (or replayed for a repeated Idempotency-Key). With `Accept: text/event-stream` the " +
            "answer is the run's event stream from its first event, as `GET /v1/runs/{id}/events` gives it " +
            "(the run's URL in `Location`): one request starts and follows a run, and no event waits for a " +
            "second connection. A rejection is problem+json either way.",
          schema: CreatedRunSchema,
          alternative: { contentType: "text/event-stream", schema: RunEventSchema },
        },
      },
    },
    async (c, { body, rawBody }) => {
      const key = c.req.header("idempotency-key");
      if (key !== undefined && (key.length === 0 || key.length > 255)) {
        throw new ProblemError(
          400,
          "Invalid Idempotency-Key",
          "Idempotency-Key must be 1 to 255 characters.",
          {
            errors: [{ pointer: "/headers/idempotency-key", detail: "must be 1 to 255 characters" }],
          },
        );
      }
      const result = await createRun(
        { env: c.env },
        {
          workspaceId: c.get("workspaceId"),
          body,
          idempotency: key !== undefined ? { key, fingerprint: await sha256Hex(rawBody!.text) } : undefined,
          trace: c.get("trace"),
        },
      );
      if (!result.ok) throw result.problem;
      recentRuns.set(`${c.get("workspaceId")}:${result.summary.id}`, true);
      const headers: Record<string, string> = { location: result.summary.links.self };
      if (result.replayed) headers["idempotent-replayed"] = "true";
      if (wantsEventStream(c.req.header("accept"))) {
        const stub = runStub(c.env, c.get("workspaceId"), result.summary.id);
        const events = new Request(new URL(result.summary.links.events, c.req.url));
        return eventStream(await stub.fetch(events), 201, headers);
      }
      return c.json(created(result.summary), 201, headers);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/runs",
      tags: ["runs"],
      summary: "List runs, newest first",
      query: ListQuery,
      responses: { 200: { description: "A page of runs", schema: RunListSchema } },
    },
    async (c, { query }) => {
      const page = await workspaceStub(c.env, c.get("workspaceId")).listRuns({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.monitorId ? { monitorId: query.monitorId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return c.json({ runs: page.runs, nextCursor: page.nextCursor });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/runs/{id}",
      tags: ["runs"],
      summary: "Run status, timestamps, region and stats",
      params: RunIdParams,
      problems: [404],
      responses: { 200: { description: "The run", schema: RunSummarySchema } },
    },
    async (c, { params }) => {
      const summary = await (await existingRun(c.env, c.get("workspaceId"), params.id)).status();
      if (!summary) throw notFound("Run", params.id);
      return c.json(summary);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/runs/{id}/events",
      tags: ["runs"],
      summary: "The run's events as Server-Sent Events",
      description:
        "Each message has `id:` (per-run sequence from 1, no gaps), `event:` (the type) and `data:` (one RunEvent " +
        "JSON object with `v: 1`). Send `Last-Event-ID` (a non-negative integer) to receive exactly the events " +
        "after it; anything else replays from the start and says so in a comment line. A finished run's stream " +
        "replays everything and closes after the terminal event; comment heartbeats keep idle streams open.",
      params: RunIdParams,
      headers: { "Last-Event-ID": "Resume after this event id" },
      problems: [404],
      responses: {
        200: {
          description: "text/event-stream of RunEvent",
          schema: RunEventSchema,
          contentType: "text/event-stream",
        },
      },
    },
    async (c, { params }) => {
      const stub = await existingRun(c.env, c.get("workspaceId"), params.id);
      const res = await stub.fetch(c.req.raw);
      return eventStream(res, res.status);
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/runs/{id}/cancel",
      tags: ["runs"],
      summary: "Cancel a run (idempotent)",
      description: "The in-flight request is aborted; the run ends `cancelled` with the stats so far.",
      params: RunIdParams,
      problems: [404],
      responses: { 202: { description: "Cancellation accepted", schema: RunSummarySchema } },
    },
    async (c, { params }) => {
      const summary = await (await existingRun(c.env, c.get("workspaceId"), params.id)).cancel();
      if (!summary) throw notFound("Run", params.id);
      return c.json(summary, 202);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/runs/{id}/report",
      tags: ["runs"],
      summary: "The final report: Newman JSON, JUnit XML or a self-contained HTML page",
      params: RunIdParams,
      query: ReportQuery,
      problems: [404, 409],
      responses: {
        200: {
          description:
            "The report (`application/json` for newman, `application/xml` for junit, `text/html` for html — streamed)",
        },
      },
    },
    async (c, { params, query }) => {
      const stub = await existingRun(c.env, c.get("workspaceId"), params.id);
      const summary = await stub.status();
      if (!summary) throw notFound("Run", params.id);
      if (summary.status === "queued" || summary.status === "running") {
        throw new ProblemError(
          409,
          "Run Not Finished",
          `Run ${summary.id} is ${summary.status}; the report is available when it ends.`,
        );
      }
      const events = pagedEvents(stub);
      const context = JSON.parse(await stub.reportContext()) as ReportContext;
      if (query.format === "html") {
        return new Response(await textStream(htmlReport(events, context)), {
          headers: {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy":
              "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
          },
        });
      }
      if (query.format === "junit") {
        return new Response(await textStream(junitReportStream(events, context)), {
          headers: { "content-type": "application/xml; charset=utf-8" },
        });
      }
      // Streamed as it is generated (constant memory); the terminal event first keeps Newman's key order.
      const [last] = await stub.events(Math.max(0, summary.lastEventId - 1), 1);
      const end = last ? (JSON.parse(last) as RunEvent) : undefined;
      const terminal = end && TERMINAL_EVENTS.has(end.type) ? (end as TerminalEvent) : undefined;
      return new Response(
        await textStream(newmanReportStream(events, context, terminal ? { terminal } : {})),
        {
          headers: { "content-type": "application/json" },
        },
      );
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/runs/{id}/cookies",
      tags: ["runs"],
      summary: "The run's cookie jar, as Newman's --export-cookie-jar writes it",
      description:
        "The cookies the run holds after its last committed request (the final jar once it has ended), in " +
        "tough-cookie's serialisation; a run can start from such a list (`options.cookies`). Values that " +
        "match the run's secrets are masked.",
      params: RunIdParams,
      problems: [404],
      responses: { 200: { description: "The cookie jar", schema: RunCookiesSchema } },
    },
    async (c, { params }) => {
      const stub = await existingRun(c.env, c.get("workspaceId"), params.id);
      if (!(await stub.status())) throw notFound("Run", params.id);
      return c.body(await stub.cookieJar(), 200, { "content-type": "application/json" });
    },
  );
}

/** A text generator as a byte stream that is pulled as the client reads (constant memory). */
async function textStream(chunks: AsyncGenerator<string>): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  // The first chunk is produced before answering: a failure there is still a problem+json answer.
  const first = await chunks.next();
  let pending: string | undefined = first.done ? undefined : first.value;
  let finished = first.done === true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(encoder.encode(pending));
        pending = undefined;
        return;
      }
      if (finished) return controller.close();
      const next = await chunks.next();
      if (next.done) {
        finished = true;
        controller.close();
      } else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** Streams a run's stored events page by page so a report never needs the whole log at once. */
async function* pagedEvents(stub: ReturnType<typeof runStub>): AsyncGenerator<RunEvent> {
  let after = 0;
  for (;;) {
    const page = await stub.events(after, 1000);
    for (const json of page) yield JSON.parse(json) as RunEvent;
    if (page.length < 1000) return;
    after += page.length;
  }
}
