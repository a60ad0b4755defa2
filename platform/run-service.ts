/**
 * The one way to create a run. `POST /v1/runs`, monitors and the web app's routes all call `createRun`:
 * admission (quotas), idempotency, stored collection/environment resolution, workspace settings (rate
 * limits, allow lists), the plan, the run's Durable Object and the workspace index.
 *
 * Transport-free: it takes parsed input and answers a Result whose failure is a ProblemError value the
 * caller renders (the Worker) or records (a monitor). It never mutates its input.
 */

import type { WorkspaceSettings } from "../durable-objects/workspace";
import { checkCollectionLimits } from "../shared/engine/limits";
import { buildPlan, PlanError, type PlanInput, type RunPlan } from "../shared/engine/plan";
import type { CreateRunBody, RateLimit, Region, RunSummary } from "../shared/schemas/api";
import type { Collection, Environment } from "../shared/schemas/collection";
import { newSpanId, newTraceId } from "../shared/telemetry/trace";
import { config } from "./config";
import { notFound, ProblemError, refuseLimits } from "./problem";
import { runStub, workspaceStub } from "./stubs";

export interface RunServiceDeps {
  env: Env;
}

export interface CreateRunInput {
  workspaceId: string;
  /** The validated request body (inline collection or `collectionId`, …). Never mutated. */
  body: CreateRunBody;
  /** Idempotency: the client's key and a fingerprint of the exact request (e.g. SHA-256 of its text). */
  idempotency?: { key: string; fingerprint: string } | undefined;
  /** Stamped by the server for monitor runs; clients cannot set it. */
  monitorId?: string | null | undefined;
  /** The caller's trace (the API request's span): the run's span becomes its child. */
  trace?: { traceId: string; spanId: string; tracestate?: string | undefined } | undefined;
}

export type CreateRunResult =
  | { ok: true; summary: RunSummary; replayed: boolean }
  | { ok: false; problem: ProblemError };

/** Creates (or, for a repeated idempotency key, replays) a run. */
export async function createRun(deps: RunServiceDeps, input: CreateRunInput): Promise<CreateRunResult> {
  try {
    return await createRunOrThrow(deps, input);
  } catch (err) {
    if (err instanceof ProblemError) return { ok: false, problem: err };
    throw err;
  }
}

async function createRunOrThrow(deps: RunServiceDeps, input: CreateRunInput): Promise<CreateRunResult> {
  const { env } = deps;
  const { workspaceId, body } = input;
  const ws = workspaceStub(env, workspaceId);
  const resolved = await resolveResources(env, workspaceId, body);
  const runId = newRunId();
  const plan = planOrThrow({ ...resolved, iterationData: body.iterationData, options: body.options }, runId);
  const region = body.options.region ?? "auto";
  const admitted = await admit(env, input, { runId, plan, region, source: resolved.source });
  if (!admitted.ok) return admitted.result;
  const { settings } = admitted;
  // The workspace's per-origin limits are known only now (they came with the admission): a plan's
  // rateLimit is read at run time only, so applying it after buildPlan is the same as before it.
  const rateLimit = combineLimits(settings?.rateLimit, body.options.rateLimit);
  if (rateLimit) plan.options = { ...plan.options, rateLimit };
  let summary: RunSummary;
  try {
    summary = await runStub(env, workspaceId, runId, region === "auto" ? undefined : region).create({
      planJson: JSON.stringify(plan),
      workspaceId,
      requestedRegion: region,
      monitorId: input.monitorId ?? null,
      allowHosts: settings?.allowHosts ?? [],
      source: resolved.source,
      trace: {
        traceId: input.trace?.traceId ?? newTraceId(),
        spanId: newSpanId(),
        parentSpanId: input.trace?.spanId,
        tracestate: input.trace?.tracestate,
      },
    });
  } catch (err) {
    await ws.forgetRun(runId, input.idempotency?.key);
    throw err;
  }
  // No index update here: admission's row already holds this summary's fields, and the coordinator
  // upserts its own summary when the run starts (an update from here could even overwrite that).
  return { ok: true, summary, replayed: false };
}

function planOrThrow(input: PlanInput, runId: string): RunPlan {
  try {
    return buildPlan(input, runId);
  } catch (err) {
    if (err instanceof PlanError) {
      throw new ProblemError(400, "Invalid run", err.message, {
        errors: [{ pointer: err.pointer, detail: err.message }],
      });
    }
    throw err;
  }
}

type Admitted =
  | { ok: true; settings: WorkspaceSettings | null }
  | { ok: false; result: CreateRunResult & { ok: true } };

/**
 * One Workspace call claims the Idempotency-Key, checks the quotas, reserves the run's index row and
 * answers the workspace's settings. A replay answers the original run (or, when that run is gone,
 * admits this one without the key, as before); a conflict or a refusal throws its problem.
 */
async function admit(
  env: Env,
  input: CreateRunInput,
  run: { runId: string; plan: RunPlan; region: Region; source: RunSource },
): Promise<Admitted> {
  const cfg = config(env);
  const ws = workspaceStub(env, input.workspaceId);
  const request = {
    runId: run.runId,
    maxActive: cfg.MAX_ACTIVE_RUNS,
    maxPerHour: cfg.MAX_RUNS_PER_HOUR,
    collection: { id: run.plan.collection.id, name: run.plan.collection.name },
    monitorId: input.monitorId ?? null,
    requestedRegion: run.region,
    source: run.source,
  };
  let admission = await ws.admitRun({ ...request, idempotency: input.idempotency });
  if (!admission.ok && "idempotency" in admission) {
    const claim = admission.idempotency;
    if (claim.kind === "conflict") {
      throw new ProblemError(
        422,
        "Idempotency Key Reused",
        "This Idempotency-Key was already used with a different request body.",
        { type: "https://edgerun.dev/problems/idempotency-conflict" },
      );
    }
    const summary = await runStub(env, input.workspaceId, claim.runId).status();
    if (summary) return { ok: false, result: { ok: true, summary, replayed: true } };
    admission = await ws.admitRun(request);
  }
  if (admission.ok) return { ok: true, settings: admission.settings };
  if ("idempotency" in admission) throw new Error("admission without a key answered a key claim");
  throw new ProblemError(429, "Run Quota Exceeded", admission.reason, {
    type: "https://edgerun.dev/problems/run-quota",
    headers: { "Retry-After": String(admission.retryAfter) },
  });
}

/** Where a run's collection and environment came from (recorded on the run). */
export interface RunSource {
  collection?: { id: string; version: number } | undefined;
  environment?: { id: string; version: number } | undefined;
}

interface ResolvedResources {
  collection: PlanInput["collection"];
  environment?: Environment | undefined;
  globals?: Environment | undefined;
  source: RunSource;
}

/** Loads stored collections/environments by id (404 when another workspace's or unknown). */
async function resolveResources(
  env: Env,
  workspaceId: string,
  body: CreateRunBody,
): Promise<ResolvedResources> {
  const ws = workspaceStub(env, workspaceId);
  const source: RunSource = {};
  let collection: PlanInput["collection"];
  if (typeof body.collection === "string") {
    const stored = await ws.getResource({
      kind: "collection",
      id: body.collection,
      version: body.collectionVersion,
    });
    if (!stored) throw notFound("Collection", body.collection);
    collection = JSON.parse(stored.json) as Collection;
    source.collection = { id: stored.id, version: stored.version };
    refuseLimits(checkCollectionLimits(collection as Collection), "Collection Too Large");
  } else {
    collection = body.collection;
  }
  let environment: Environment | undefined;
  if (typeof body.environment === "string") {
    const stored = await ws.getResource({
      kind: "environment",
      id: body.environment,
      version: body.environmentVersion,
      reveal: true,
    });
    if (!stored) throw notFound("Environment", body.environment);
    environment = JSON.parse(stored.json) as Environment;
    source.environment = { id: stored.id, version: stored.version };
  } else {
    environment = body.environment;
  }
  return { collection, environment, globals: body.globals, source };
}

/**
 * A run's `options.rateLimit` applies on top of the workspace's own per-origin limits: the stricter
 * value of each field wins, so a run can slow itself down but never exceed its workspace's budget.
 */
export function combineLimits(
  workspace: RateLimit | undefined,
  run: RateLimit | undefined,
): RateLimit | undefined {
  if (!workspace && !run) return undefined;
  const min = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const requestsPerSecond = min(workspace?.requestsPerSecond, run?.requestsPerSecond);
  const concurrency = min(workspace?.concurrency, run?.concurrency);
  return {
    ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
  return `run_${[...bytes].map((b) => alphabet[b & 31]).join("")}`;
}
