/**
 * /v1/runs: create, inspect, stream, cancel, report and list runs.
 *
 * Validation happens entirely in the Worker before any Durable Object is touched, so a rejected request
 * stores nothing. Run objects are named `<workspace>:<run id>`: another workspace's id cannot reach them.
 */
import { Hono } from "hono";
import { config } from "../../platform/config";
import { log } from "../../platform/log";
import { notFound, ProblemError, validationProblem } from "../../platform/problem";
import { checkCollectionLimits } from "../../shared/engine/limits";
import { buildPlan, PlanError } from "../../shared/engine/plan";
import { buildJUnitReport, buildNewmanReport, type ReportContext } from "../../shared/reporters";
import {
  CreateRunBodySchema,
  type RateLimit as LimitSpec,
  RunStatusSchema,
  type RunSummary,
} from "../../shared/schemas/api";
import type { RunEvent } from "../../shared/schemas/events";
import { sha256Hex } from "../middleware/auth";
import type { AppEnv } from "../types";

const MAX_BODY_BYTES = 12 * 1024 * 1024;

export const runs = new Hono<AppEnv>();

function runStub(env: Env, workspaceId: string, runId: string, locationHint?: DurableObjectLocationHint) {
  const id = env.RUN_COORDINATOR.idFromName(`${workspaceId}:${runId}`);
  return env.RUN_COORDINATOR.get(id, locationHint ? { locationHint } : undefined);
}

function workspaceStub(env: Env, workspaceId: string) {
  return env.WORKSPACE.get(env.WORKSPACE.idFromName(workspaceId));
}

/** Resolves a run id to its coordinator only if the workspace index knows it (no object is created for guesses). */
async function existingRun(env: Env, workspaceId: string, runId: string) {
  if (!/^run_[a-z0-9]{10,40}$/.test(runId) || !(await workspaceStub(env, workspaceId).hasRun(runId))) {
    throw notFound("Run", runId);
  }
  return runStub(env, workspaceId, runId);
}

function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  return `run_${[...bytes].map((b) => alphabet[b & 31]).join("")}`;
}

async function readJson(req: Request): Promise<{ text: string; value: unknown }> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) {
    throw new ProblemError(
      413,
      "Payload Too Large",
      `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes.`,
    );
  }
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new ProblemError(
      413,
      "Payload Too Large",
      `The request body exceeds the limit of ${MAX_BODY_BYTES} bytes.`,
    );
  }
  try {
    return { text, value: JSON.parse(text) as unknown };
  } catch (err) {
    throw new ProblemError(
      400,
      "Malformed JSON",
      `The request body is not valid JSON: ${(err as Error).message}`,
      {
        errors: [{ pointer: "", detail: "not valid JSON" }],
      },
    );
  }
}

runs.post("/", async (c) => {
  const { text, value } = await readJson(c.req.raw);
  const raw = value as { collection?: unknown } | null;
  if (raw && typeof raw === "object" && raw.collection && typeof raw.collection === "object") {
    const limits = checkCollectionLimits(raw.collection);
    if (limits.length > 0) {
      throw new ProblemError(413, "Collection Too Large", limits[0]!.message, {
        type: "https://edgerun.dev/problems/limit",
        errors: limits.map((l) => ({ pointer: `/collection${l.pointer}`, detail: l.message })),
      });
    }
  }
  const parsed = CreateRunBodySchema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error);
  const body = parsed.data;
  if (typeof body.collection === "string" || typeof body.environment === "string") {
    throw notFound(
      typeof body.collection === "string" ? "Collection" : "Environment",
      String(typeof body.collection === "string" ? body.collection : body.environment),
    );
  }
  const workspaceId = c.get("workspaceId");
  const ws = workspaceStub(c.env, workspaceId);
  const settings = await ws.settings();
  const rateLimit = combineLimits(settings?.rateLimit, body.options.rateLimit);
  if (rateLimit) body.options.rateLimit = rateLimit;
  const runId = newRunId();
  let plan: ReturnType<typeof buildPlan>;
  try {
    plan = buildPlan(body, runId);
  } catch (err) {
    if (err instanceof PlanError) {
      throw new ProblemError(400, "Invalid run", err.message, {
        errors: [{ pointer: err.pointer, detail: err.message }],
      });
    }
    throw err;
  }

  const admission = await ws.admitRun(config(c.env).MAX_ACTIVE_RUNS, config(c.env).MAX_RUNS_PER_HOUR);
  if (!admission.ok) {
    throw new ProblemError(429, "Run Quota Exceeded", admission.reason, {
      type: "https://edgerun.dev/problems/run-quota",
      headers: { "Retry-After": String(admission.retryAfter) },
    });
  }
  const idemKey = c.req.header("idempotency-key");
  if (idemKey !== undefined) {
    if (idemKey.length === 0 || idemKey.length > 255) {
      throw new ProblemError(400, "Invalid Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.");
    }
    const claim = await ws.claimIdempotencyKey(idemKey, await sha256Hex(text), runId);
    if (claim.kind === "conflict") {
      throw new ProblemError(
        422,
        "Idempotency Key Reused",
        "This Idempotency-Key was already used with a different request body.",
        {
          type: "https://edgerun.dev/problems/idempotency-conflict",
        },
      );
    }
    if (claim.kind === "replay") {
      const summary = await runStub(c.env, workspaceId, claim.runId).status();
      if (summary)
        return c.json(created(summary), 201, { location: summary.links.self, "idempotent-replayed": "true" });
    }
  }

  const region = body.options.region ?? "auto";
  const stub = runStub(c.env, workspaceId, runId, region === "auto" ? undefined : region);
  let summary: RunSummary;
  try {
    summary = await stub.create({
      plan,
      workspaceId,
      requestedRegion: region,
      monitorId: body.monitorId ?? null,
      allowHosts: settings?.allowHosts ?? [],
    });
  } catch (err) {
    if (idemKey) await ws.releaseIdempotencyKey(idemKey, runId);
    throw err;
  }
  await ws.recordRun(summary);
  log.info("run accepted", { runId, workspaceId, region });
  return c.json(created(summary), 201, { location: summary.links.self });
});

/**
 * A run's `options.rateLimit` applies on top of the workspace's own per-origin limits: the stricter
 * value of each field wins, so a run can slow itself down but never exceed its workspace's budget.
 */
export function combineLimits(
  workspace: LimitSpec | undefined,
  run: LimitSpec | undefined,
): LimitSpec | undefined {
  if (!workspace && !run) return undefined;
  const min = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const requestsPerSecond = min(workspace?.requestsPerSecond, run?.requestsPerSecond);
  const concurrency = min(workspace?.concurrency, run?.concurrency);
  return {
    ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

function created(summary: RunSummary) {
  return { id: summary.id, status: summary.status, links: summary.links, run: summary };
}

runs.get("/", async (c) => {
  const status = c.req.query("status");
  const limitRaw = c.req.query("limit");
  const limit = limitRaw === undefined ? 20 : Number(limitRaw);
  const errors: Array<{ pointer: string; detail: string }> = [];
  if (status !== undefined && !RunStatusSchema.safeParse(status).success) {
    errors.push({
      pointer: "/query/status",
      detail: `status must be one of ${RunStatusSchema.options.join(", ")}`,
    });
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    errors.push({ pointer: "/query/limit", detail: "limit must be an integer from 1 to 100" });
  }
  if (errors.length) throw new ProblemError(400, "Invalid query", errors[0]!.detail, { errors });
  const page = await workspaceStub(c.env, c.get("workspaceId")).listRuns({
    limit,
    ...(status ? { status: status as RunSummary["status"] } : {}),
    ...(c.req.query("monitorId") ? { monitorId: c.req.query("monitorId")! } : {}),
    ...(c.req.query("cursor") ? { cursor: c.req.query("cursor")! } : {}),
  });
  return c.json({ runs: page.runs, nextCursor: page.nextCursor });
});

runs.get("/:id", async (c) => {
  const stub = await existingRun(c.env, c.get("workspaceId"), c.req.param("id"));
  const summary = await stub.status();
  if (!summary) throw notFound("Run", c.req.param("id"));
  return c.json(summary);
});

runs.get("/:id/events", async (c) => {
  const stub = await existingRun(c.env, c.get("workspaceId"), c.req.param("id"));
  const res = await stub.fetch(c.req.raw);
  // Re-wrap: a Durable Object's response has immutable headers, and middleware adds rate-limit headers.
  return new Response(res.body, { status: res.status, headers: new Headers(res.headers) });
});

runs.post("/:id/cancel", async (c) => {
  const stub = await existingRun(c.env, c.get("workspaceId"), c.req.param("id"));
  const summary = await stub.cancel();
  if (!summary) throw notFound("Run", c.req.param("id"));
  return c.json(summary, 202);
});

runs.get("/:id/report", async (c) => {
  const format = c.req.query("format") ?? "newman";
  if (format !== "newman" && format !== "junit") {
    throw new ProblemError(400, "Invalid query", "format must be 'newman' or 'junit'", {
      errors: [{ pointer: "/query/format", detail: "must be 'newman' or 'junit'" }],
    });
  }
  const stub = await existingRun(c.env, c.get("workspaceId"), c.req.param("id"));
  const summary = await stub.status();
  if (!summary) throw notFound("Run", c.req.param("id"));
  if (summary.status === "queued" || summary.status === "running") {
    throw new ProblemError(
      409,
      "Run Not Finished",
      `Run ${summary.id} is ${summary.status}; the report is available when it ends.`,
    );
  }
  const events = pagedEvents(stub);
  const context = JSON.parse(await stub.reportContext()) as ReportContext;
  if (format === "junit") {
    return c.body(await buildJUnitReport(events, context), 200, {
      "content-type": "application/xml; charset=utf-8",
    });
  }
  return c.json(await buildNewmanReport(events, context));
});

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
