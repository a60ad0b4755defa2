/**
 * The OpenAPI 3.1 document, generated from the route registry and the zod schemas (the one source of
 * API types). Named schemas become `components.schemas`; the `$defs` zod emits for recursive schemas are
 * hoisted into components with prefixed names so every `$ref` resolves from the document root.
 */
import * as z from "zod";
import { ProblemSchema } from "../../shared/schemas/api";
import { type ResponseSpec, type RouteSpec, routeRegistry } from "./route";

type Json = Record<string, unknown>;

const names = new Map<z.ZodType, string>();

/** Registers a schema as a named component; returns the schema unchanged (use it inline in specs). */
export function component<T extends z.ZodType>(name: string, schema: T): T {
  names.set(schema, name);
  return schema;
}

component("Problem", ProblemSchema);

const STANDARD_PROBLEMS: Record<number, string> = {
  400: "Invalid input (errors[] has a JSON pointer per problem)",
  401: "Missing or invalid credentials",
  404: "Unknown resource (or another workspace's)",
  405: "Method not allowed (see Allow)",
  409: "Conflict with the resource's state",
  412: "If-Match did not match the current version",
  413: "A size limit was exceeded",
  415: "The body must be application/json",
  422: "Semantically invalid (e.g. an Idempotency-Key reused with another body)",
  429: "Rate limited (see Retry-After and RateLimit headers)",
  503: "The runtime failed internally (locally: out of file descriptors); retry after Retry-After",
};

class Builder {
  readonly schemas: Record<string, Json> = {};

  ref(schema: z.ZodType, io: "input" | "output", fallbackName: string): Json {
    const name = names.get(schema) ?? fallbackName;
    const key = io === "input" && names.has(schema) && this.#hasDistinctInput(schema) ? `${name}Input` : name;
    if (!this.schemas[key]) this.schemas[key] = this.#convert(schema, io, key);
    return { $ref: `#/components/schemas/${key}` };
  }

  inline(schema: z.ZodType, io: "input" | "output"): Json {
    const json = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io }) as Json;
    delete json.$schema;
    return json;
  }

  #hasDistinctInput(schema: z.ZodType): boolean {
    return JSON.stringify(this.inline(schema, "input")) !== JSON.stringify(this.inline(schema, "output"));
  }

  #convert(schema: z.ZodType, io: "input" | "output", key: string): Json {
    const json = this.inline(schema, io);
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    const rename = (ref: string) =>
      ref === "#"
        ? `#/components/schemas/${key}`
        : ref.replace(/^#\/\$defs\//, `#/components/schemas/${key}_`);
    const rewrite = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(rewrite);
      else if (node && typeof node === "object") {
        const obj = node as Json;
        if (typeof obj.$ref === "string") obj.$ref = rename(obj.$ref);
        for (const v of Object.values(obj)) rewrite(v);
      }
    };
    rewrite(json);
    for (const [defName, def] of Object.entries(defs)) {
      rewrite(def);
      this.schemas[`${key}_${defName}`] = def;
    }
    return json;
  }
}

function parameters(b: Builder, spec: RouteSpec): Json[] {
  const out: Json[] = [];
  const add = (where: "path" | "query", schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = b.inline(schema, "output") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = prop as Json & { description?: string };
      out.push({
        name,
        in: where,
        required: where === "path" || (json.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add("path", spec.params);
  add("query", spec.query);
  for (const [name, description] of Object.entries(spec.headers ?? {})) {
    out.push({ name, in: "header", required: false, description, schema: { type: "string" } });
  }
  return out;
}

function response(b: Builder, spec: RouteSpec, status: number, r: ResponseSpec): Json {
  const type = r.contentType ?? (status >= 400 ? "application/problem+json" : "application/json");
  const name = `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+/g, "_")}_${status}`;
  return {
    description: r.description,
    ...(r.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }]),
          ),
        }
      : {}),
    ...(r.schema
      ? {
          content: {
            [type]: { schema: b.ref(r.schema, "output", name) },
            ...(r.alternative
              ? {
                  [r.alternative.contentType]: {
                    schema: b.ref(
                      r.alternative.schema,
                      "output",
                      `${name}_${r.alternative.contentType.replace(/\W+/g, "_")}`,
                    ),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(!r.schema && status >= 400
      ? { content: { [type]: { schema: b.ref(ProblemSchema, "output", "Problem") } } }
      : {}),
  };
}

function operation(b: Builder, spec: RouteSpec): Json {
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(spec.responses))
    responses[status] = response(b, spec, Number(status), r);
  const problems = new Set(spec.problems ?? []);
  if (spec.security !== "none") problems.add(401);
  if (spec.security === undefined || spec.security === "apiKey") problems.add(429);
  if (spec.body) for (const s of [400, 413, 415]) problems.add(s);
  if (spec.params || spec.query) problems.add(400);
  // Any operation that reaches a Durable Object can meet the runtime's own failure (runtime-errors.ts).
  problems.add(503);
  for (const s of [...problems].sort()) {
    responses[String(s)] ??= response(b, spec, s, { description: STANDARD_PROBLEMS[s] ?? "Problem" });
  }
  const opName = `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+/g, "_")}`;
  return {
    operationId: opName.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()).replace(/_/g, ""),
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    security:
      spec.security === "none" ? [] : spec.security === "admin" ? [{ adminToken: [] }] : [{ apiKey: [] }],
    parameters: parameters(b, spec),
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: b.ref(spec.body, "input", `${opName}_body`) } },
          },
        }
      : {}),
    responses,
  };
}

let cached: Json | undefined;

/** The whole document (built once per isolate from the routes registered at start-up). */
export function openApiDocument(): Json {
  if (cached) return cached;
  const b = new Builder();
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of routeRegistry) {
    paths[spec.path] ??= {};
    paths[spec.path]![spec.method] = operation(b, spec);
  }
  cached = {
    openapi: "3.1.0",
    info: {
      title: "edgerun API",
      version: "1.0.0",
      description:
        "Run Postman collections in the cloud and stream results live. Errors are RFC 9457 problem+json; " +
        "validation errors list a JSON pointer per problem. A method a path does not serve is 405 with an " +
        "`Allow` header.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(routeRegistry.flatMap((r) => r.tags))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "A workspace API key" },
        adminToken: { type: "http", scheme: "bearer", description: "The deployment's admin token" },
      },
      schemas: b.schemas,
    },
    paths,
  };
  return cached;
}
