/**
 * Routes are defined once: `defineRoute` registers the Hono handler *and* records the route's
 * parameters, body and responses for the OpenAPI document, so the document cannot drift from what the
 * Worker actually serves (a test compares both).
 *
 * Input is validated here, before any handler or Durable Object runs: a rejected request stores nothing.
 * Handlers receive parsed values (`params`, `query`, `body`) and never see raw input.
 */
import type { Context, Hono } from "hono";
import type * as z from "zod";
import { ProblemError, validationProblem } from "../../platform/problem";
import type { AppEnv } from "../types";
import { type JsonBody, readJsonBody } from "./body";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface ResponseSpec {
  description: string;
  /** A schema registered with `component()`, or a simple inline schema. */
  schema?: z.ZodType;
  /** Defaults to application/json (or application/problem+json for status ≥ 400). */
  contentType?: string;
  /** The same status in another media type the client may ask for with `Accept` (e.g. an event stream). */
  alternative?: { contentType: string; schema: z.ZodType };
  headers?: Record<string, string>;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** OpenAPI-style path, e.g. `/v1/runs/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `apiKey` (default), `admin` or `none`: documents the middleware that guards the path. */
  security?: "apiKey" | "admin" | "none";
  params?: P;
  query?: Q;
  /** Documented request headers (name → description). */
  headers?: Record<string, string>;
  body?: B;
  /** Extra checks on the raw JSON before the schema parses it (e.g. size limits with pointers). */
  preValidate?: (raw: unknown) => void;
  /** Status codes of the problem+json answers this route may give besides auth and rate limits. */
  problems?: number[];
  responses: Record<number, ResponseSpec>;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The exact request text (only for routes with a body): idempotency fingerprints. */
  rawBody: JsonBody | null;
}

/** Every route defined so far, in definition order: the OpenAPI document is generated from this. */
export const routeRegistry: RouteSpec[] = [];

/** Registers a route on the app and in the registry. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  app: Hono<AppEnv>,
  spec: RouteSpec<P, Q, B>,
  handler: (c: Context<AppEnv>, input: RouteInput<P, Q, B>) => Response | Promise<Response>,
): void {
  routeRegistry.push(spec as unknown as RouteSpec);
  const honoPath = spec.path.replace(/\{([^}]+)\}/g, ":$1");
  app.on(spec.method.toUpperCase(), honoPath, async (c) => {
    const params = parse(spec.params, c.req.param(), "/params", "Invalid path parameter");
    const query = parse(spec.query, c.req.query(), "/query", "Invalid query");
    let rawBody: JsonBody | null = null;
    let body: unknown;
    if (spec.body) {
      rawBody = await readJsonBody(c.req.raw);
      spec.preValidate?.(rawBody.value);
      body = parse(spec.body, rawBody.value, "", "Invalid request body");
    }
    return handler(c, {
      params: params as z.output<P>,
      query: query as z.output<Q>,
      body: body as z.output<B>,
      rawBody,
    });
  });
}

function parse(schema: z.ZodType | undefined, value: unknown, prefix: string, title: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error, prefix, title);
  return parsed.data;
}

/** Path patterns of the registry as regular expressions, for 405 answers with `Allow`. */
export function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const spec of routeRegistry) {
    const pattern = new RegExp(`^${spec.path.replace(/\{[^}]+\}/g, "[^/]+")}/?$`);
    if (pattern.test(path)) methods.add(spec.method.toUpperCase());
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods];
}

/** 405 problem for a known path with another method. */
export function methodNotAllowed(method: string, allow: string[]): ProblemError {
  return new ProblemError(
    405,
    "Method Not Allowed",
    `${method} is not supported here; use ${allow.join(", ")}.`,
    {
      headers: { Allow: allow.join(", ") },
    },
  );
}
