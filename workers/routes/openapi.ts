/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the zod schemas: the one source of API types)
 * and `GET /docs` (a readable reference page rendered from the same document).
 */
import { Hono } from "hono";
import * as z from "zod";
import { CreateRunBodySchema, ProblemSchema, RunSummarySchema } from "../../shared/schemas/api";
import { RunEventSchema } from "../../shared/schemas/events";
import type { AppEnv } from "../types";

type Json = Record<string, unknown>;

function schema(s: z.ZodType): Json {
  return z.toJSONSchema(s, { target: "draft-2020-12", unrepresentable: "any", io: "input" }) as Json;
}

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

let cached: Json | undefined;

export function openApiDocument(): Json {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "edgerun API",
      version: "1.0.0",
      description:
        "Run Postman collections in the cloud and stream results live. Errors are RFC 9457 problem+json.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer" } },
      schemas: {
        CreateRunBody: schema(CreateRunBodySchema),
        RunSummary: schema(RunSummarySchema),
        RunEvent: schema(RunEventSchema),
        Problem: schema(ProblemSchema),
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      "/v1/runs": {
        post: {
          summary: "Start a run",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", maxLength: 255 },
            },
          ],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/CreateRunBody" } } },
          },
          responses: {
            "201": {
              description: "Run created",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "400": problem("Invalid body (errors[] has a JSON pointer per problem)"),
            "401": problem("Missing or invalid API key"),
            "413": problem("A size limit was exceeded"),
            "422": problem("Idempotency-Key reused with another body"),
            "429": problem("Rate limited (see Retry-After)"),
          },
        },
        get: {
          summary: "List runs, newest first",
          parameters: ["status", "monitorId", "cursor", "limit"].map((name) => ({
            name,
            in: "query",
            required: false,
            schema: { type: "string" },
          })),
          responses: { "200": { description: "A page of runs" }, "400": problem("Invalid query") },
        },
      },
      "/v1/runs/{id}": {
        get: {
          summary: "Run status",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "Run",
              content: { "application/json": { schema: { $ref: "#/components/schemas/RunSummary" } } },
            },
            "404": problem("Unknown run"),
          },
        },
      },
      "/v1/runs/{id}/events": {
        get: {
          summary: "Run events as Server-Sent Events; send Last-Event-ID to resume",
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            { name: "Last-Event-ID", in: "header", required: false, schema: { type: "integer" } },
          ],
          responses: {
            "200": {
              description: "text/event-stream of RunEvent",
              content: { "text/event-stream": { schema: { $ref: "#/components/schemas/RunEvent" } } },
            },
            "404": problem("Unknown run"),
          },
        },
      },
      "/v1/runs/{id}/cancel": {
        post: {
          summary: "Cancel a run (idempotent)",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { "202": { description: "Cancellation accepted" }, "404": problem("Unknown run") },
        },
      },
      "/v1/runs/{id}/report": {
        get: {
          summary: "Final report (Newman JSON or JUnit XML)",
          parameters: [
            { name: "id", in: "path", required: true, schema: { type: "string" } },
            {
              name: "format",
              in: "query",
              required: false,
              schema: { type: "string", enum: ["newman", "junit"] },
            },
          ],
          responses: {
            "200": { description: "Report" },
            "404": problem("Unknown run"),
            "409": problem("Run not finished"),
          },
        },
      },
      "/healthz": { get: { summary: "Liveness", security: [], responses: { "200": { description: "OK" } } } },
    },
  };
  return cached;
}

export const openapi = new Hono<AppEnv>();

openapi.get("/openapi.json", (c) => c.json(openApiDocument()));

openapi.get("/docs", (c) => {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { summary?: string }>> };
  const rows = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(
        ([method, op]) =>
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${path}</code></td><td>${op.summary ?? ""}</td></tr>`,
      ),
    )
    .join("\n");
  return c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>edgerun API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.3rem .8rem;border-bottom:1px solid #ddd}code{font-size:90%}</style>
</head><body><h1>edgerun API</h1><p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>. Errors are <code>application/problem+json</code> (RFC 9457).
The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p><table>${rows}</table></body></html>`);
});
