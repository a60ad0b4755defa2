/**
 * Public API request/response schemas (API-CONTRACT.md §2). The OpenAPI document is generated from these.
 */
import * as z from "zod";
import { CollectionSchema, EnvironmentSchema } from "./collection";
import { CollectionV3InputSchema } from "./collection-v3";
import { RunStatsSchema, RunTimingsSchema } from "./events";

export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export const RegionSchema = z.enum(["auto", ...REGIONS]);
export type Region = z.infer<typeof RegionSchema>;

/**
 * Per-origin limits: a run's `options.rateLimit` and a workspace's default use this one shape, and the
 * HostLimiter enforces it (the stricter value of each field wins when both apply).
 */
export const RateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive().max(10_000).optional(),
  concurrency: z.number().int().min(1).max(100).optional(),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

const ms = (max: number) => z.number().int().min(0).max(max);

/**
 * A cookie in tough-cookie's serialisation (`key`, `value`, `domain`, …): what Newman's `--cookie-jar`
 * files hold. Other fields of that format (`creation`, `lastAccessed`, …) are accepted and ignored.
 */
export const JarCookieSchema = z.object({
  key: z.string().max(4096),
  value: z.string().max(4096),
  domain: z.string().min(1).max(255),
  path: z.string().max(2048).optional(),
  /** ISO 8601 time, `"Infinity"` (a session cookie) or epoch ms. */
  expires: z.union([z.string().max(64), z.number()]).optional(),
  httpOnly: z.boolean().optional(),
  secure: z.boolean().optional(),
  hostOnly: z.boolean().optional(),
  sameSite: z.string().max(16).optional(),
});
export type JarCookie = z.infer<typeof JarCookieSchema>;

/** `GET /v1/runs/{id}/cookies`: the run's jar in tough-cookie's serialisation. */
export const RunCookiesSchema = z.object({
  cookies: z.array(JarCookieSchema.extend({ creation: z.string().optional() })),
});
export type RunCookies = z.infer<typeof RunCookiesSchema>;

export const RunOptionsSchema = z
  .strictObject({
    iterationCount: z.number().int().min(1).max(10_000).optional(),
    folder: z.array(z.string().min(1).max(512)).max(100).optional(),
    delayRequest: ms(60_000).optional(),
    timeoutRequest: ms(300_000).optional(),
    timeoutScript: ms(60_000).optional(),
    /** Whole-run timeout in ms; the run ends `failed` when exceeded. */
    timeout: ms(24 * 3600_000).optional(),
    bail: z.boolean().optional(),
    ignoreRedirects: z.boolean().optional(),
    insecure: z.boolean().optional(),
    region: RegionSchema.optional(),
    parallel: z.number().int().min(1).max(6).optional(),
    retry: z.number().int().min(0).max(10).optional(),
    rateLimit: RateLimitSchema.optional(),
    /** Send W3C `traceparent`/`tracestate` to targets, continuing the run's trace. */
    propagateTrace: z.boolean().optional(),
    /** The cookie jar the run starts with (Newman's `--cookie-jar`); expired cookies are dropped. */
    cookies: z.array(JarCookieSchema).max(3000).optional(),
  })
  .default({});
export type RunOptions = z.infer<typeof RunOptionsSchema>;

/** A data file's size, whichever form it comes in: CSV text, or rows measured as their JSON text. */
const MAX_DATA_CHARS = 5 * 1024 * 1024;

export const IterationDataSchema = z.union([
  z
    .array(z.record(z.string(), z.unknown()))
    .max(10_000)
    .refine((rows) => JSON.stringify(rows).length <= MAX_DATA_CHARS, {
      message: `iterationData is larger than ${MAX_DATA_CHARS} characters as JSON (5 MiB, as a CSV file)`,
    }),
  z.string().max(MAX_DATA_CHARS),
]);

/** A stored resource id (`col_…`, `env_…`). */
export const ResourceIdSchema = z
  .string()
  .regex(/^(col|env)_[a-z0-9]{8,40}$/, "must be a stored resource id");

const CreateRunFieldsSchema = z.strictObject({
  /** An inline Postman collection, or the id of a stored one. */
  collection: z.union([CollectionSchema, CollectionV3InputSchema, ResourceIdSchema]).optional(),
  /** A stored collection's id: the same as passing the id as `collection` (give one of the two). */
  collectionId: ResourceIdSchema.optional(),
  /** With a stored collection: the version to run (default: the latest). */
  collectionVersion: z.number().int().min(1).optional(),
  environment: z.union([EnvironmentSchema, ResourceIdSchema]).optional(),
  /** A stored environment's id: the same as passing the id as `environment`. */
  environmentId: ResourceIdSchema.optional(),
  environmentVersion: z.number().int().min(1).optional(),
  globals: EnvironmentSchema.optional(),
  iterationData: IterationDataSchema.optional(),
  options: RunOptionsSchema,
});

/** Exactly one of a pair (`collection` / `collectionId`) may be given; the first is required when `required`. */
function checkAlternatives(
  ctx: z.RefinementCtx,
  pair: { inline: unknown; id: unknown; name: string; required: boolean },
): void {
  if (pair.inline !== undefined && pair.id !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [`${pair.name}Id`],
      message: `give either ${pair.name} or ${pair.name}Id, not both`,
    });
  } else if (pair.required && pair.inline === undefined && pair.id === undefined) {
    ctx.addIssue({
      code: "custom",
      path: [pair.name],
      message: `a ${pair.name} (inline or a stored id) or a ${pair.name}Id is required`,
    });
  }
}

/**
 * The body of `POST /v1/runs`. The contract names stored resources either way (`collection: "col_…"` or
 * `collectionId: "col_…"`, as monitors do); both are accepted and folded into `collection` / `environment`, so
 * everything downstream sees one shape.
 */
export const CreateRunBodySchema = CreateRunFieldsSchema.superRefine((body, ctx) => {
  checkAlternatives(ctx, {
    inline: body.collection,
    id: body.collectionId,
    name: "collection",
    required: true,
  });
  checkAlternatives(ctx, {
    inline: body.environment,
    id: body.environmentId,
    name: "environment",
    required: false,
  });
}).transform(({ collectionId, environmentId, ...rest }) => {
  const collection = rest.collection ?? collectionId;
  // superRefine has already rejected a body with neither; this only narrows the type.
  if (collection === undefined) throw new Error("collection is required");
  const environment = rest.environment ?? environmentId;
  return { ...rest, collection, ...(environment === undefined ? {} : { environment }) };
});
export type CreateRunBody = z.infer<typeof CreateRunBodySchema>;

export const RunStatusSchema = z.enum(["queued", "running", "completed", "failed", "cancelled"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunSummarySchema = z.object({
  id: z.string(),
  status: RunStatusSchema,
  collection: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  region: z.object({ requested: RegionSchema, actual: z.string().nullable() }),
  monitorId: z.string().nullable(),
  stats: RunStatsSchema.nullable(),
  timings: RunTimingsSchema.nullable(),
  reason: z.string().nullable(),
  lastEventId: z.number(),
  links: z.object({ self: z.string(), events: z.string(), report: z.string() }),
  /** The stored collection/environment versions the run used, when it was started from ids. */
  source: z
    .object({
      collection: z.object({ id: z.string(), version: z.number() }).optional(),
      environment: z.object({ id: z.string(), version: z.number() }).optional(),
    })
    .optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** The answer to `POST /v1/runs`. */
export const CreatedRunSchema = z.object({
  id: z.string(),
  status: RunStatusSchema,
  links: RunSummarySchema.shape.links,
  run: RunSummarySchema,
});

export const RunListSchema = z.object({ runs: z.array(RunSummarySchema), nextCursor: z.string().nullable() });

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
