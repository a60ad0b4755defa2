/**
 * The OpenAPI document is generated from the same route table that registers the Worker's routes: this
 * checks it is a valid OpenAPI 3.1 document (a real validator), that every registered route is in it,
 * and that every route of the public contract is registered.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { openApiDocument } from "../../workers/openapi/document";
import { apiMarkdown, formatReadme, replaceApiSection } from "../../workers/openapi/readme";

const CONTRACT = [
  "POST /v1/runs",
  "GET /v1/runs",
  "GET /v1/runs/{id}",
  "GET /v1/runs/{id}/events",
  "GET /v1/runs/{id}/report",
  "POST /v1/runs/{id}/cancel",
  "POST /v1/collections",
  "GET /v1/collections",
  "GET /v1/collections/{id}",
  "PUT /v1/collections/{id}",
  "DELETE /v1/collections/{id}",
  "POST /v1/environments",
  "GET /v1/environments",
  "GET /v1/environments/{id}",
  "PUT /v1/environments/{id}",
  "DELETE /v1/environments/{id}",
  "POST /v1/admin/workspaces",
  "POST /v1/admin/workspaces/{id}/keys",
  "GET /v1/admin/workspaces/{id}/keys",
  "DELETE /v1/admin/workspaces/{id}/keys/{keyId}",
  "GET /healthz",
  "GET /readyz",
  "GET /v1/metrics",
  "POST /v1/monitors",
  "GET /v1/monitors",
  "GET /v1/monitors/{id}",
  "PATCH /v1/monitors/{id}",
  "DELETE /v1/monitors/{id}",
  "POST /v1/monitors/{id}/run",
  "GET /v1/monitors/{id}/runs",
];

describe("OpenAPI document", () => {
  const app = createApp();
  const doc = openApiDocument() as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  const documented = new Set(
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    ),
  );

  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("lists every route the Worker registers (and nothing it does not)", () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, "{$1}")}`),
    );
    expect([...registered].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !registered.has(r))).toEqual([]);
  });

  it("covers every route of the public contract", () => {
    expect(CONTRACT.filter((r) => !documented.has(r))).toEqual([]);
  });

  it("documents problem+json errors and the event stream", () => {
    const post = doc.paths["/v1/runs"]!.post!;
    for (const status of ["400", "401", "413", "415", "429"]) expect(post.responses[status]).toBeDefined();
    const events = doc.paths["/v1/runs/{id}/events"]!.get!.responses["200"] as {
      content: Record<string, unknown>;
    };
    expect(Object.keys(events.content)).toEqual(["text/event-stream"]);
  });

  it("matches the README's generated API section (run `npm run docs:api` after changing routes)", () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8");
    expect(formatReadme(replaceApiSection(readme, apiMarkdown()))).toBe(readme);
  });
});
