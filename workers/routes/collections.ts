/**
 * Stored collections and environments: `/v1/collections` and `/v1/environments`. Both are the same
 * resource shape (versioned JSON documents in the workspace's Durable Object), so one route factory
 * defines both. A replace keeps the previous version (`GET …?version=N`); lists are cursor-paginated;
 * `ETag`/`If-None-Match` (304) and `If-Match` (412) guard caches and lost updates; secret-typed
 * environment values are write-only.
 */
import type { Context, Hono } from "hono";
import * as z from "zod";
import { randomToken } from "../../platform/keys";
import { notFound, ProblemError, refuseLimits, validationProblem } from "../../platform/problem";
import { workspaceStub } from "../../platform/stubs";
import { checkCollectionLimits, checkScopeLimits } from "../../shared/engine/limits";
import { normalizeCollection } from "../../shared/engine/normalize";
import { asV21Collection } from "../../shared/engine/v3/convert";
import { EnvironmentSchema } from "../../shared/schemas/collection";
import { CollectionDocumentSchema } from "../../shared/schemas/collection-v3";
import {
  PageQuerySchema,
  type ResourceKind,
  ResourceListSchema,
  StoredCollectionSchema,
  StoredEnvironmentSchema,
  type StoredResourceMeta,
  StoredResourceMetaSchema,
  VersionQuerySchema,
} from "../../shared/schemas/resources";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import type { AppEnv } from "../types";

interface Kind {
  kind: ResourceKind;
  plural: "collections" | "environments";
  prefix: "col" | "env";
  title: string;
  schema: z.ZodType;
  stored: z.ZodType;
  /** The document's display name. */
  name(doc: Record<string, unknown>): string;
  /** Semantic checks beyond the schema (size limits, normalisation). */
  check(raw: unknown): void;
}

const COLLECTION: Kind = {
  kind: "collection",
  plural: "collections",
  prefix: "col",
  title: "Collection",
  schema: component("CollectionDocument", CollectionDocumentSchema),
  stored: component("StoredCollection", StoredCollectionSchema),
  name: (doc) => {
    const v21 = asV21Collection(doc) as { info?: { name?: unknown } };
    return String(v21.info?.name ?? "Untitled collection");
  },
  check: (raw) => refuseLimits(checkCollectionLimits(raw), "Collection Too Large"),
};

const ENVIRONMENT: Kind = {
  kind: "environment",
  plural: "environments",
  prefix: "env",
  title: "Environment",
  schema: component("Environment", EnvironmentSchema),
  stored: component("StoredEnvironment", StoredEnvironmentSchema),
  name: (doc) => String(doc.name ?? "Untitled environment"),
  check: (raw) => refuseLimits(checkScopeLimits(raw), "Environment Too Large"),
};

component("StoredResourceMeta", StoredResourceMetaSchema);

/** Postman's API wraps documents as `{ collection: … }` / `{ environment: … }`: accept both forms. */
function unwrap(kind: Kind, raw: unknown): unknown {
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const inner = (raw as Record<string, unknown>)[kind.kind];
    const keys = Object.keys(raw);
    if (keys.length === 1 && inner && typeof inner === "object") return inner;
  }
  return raw;
}

function parseDocument(kind: Kind, raw: unknown): Record<string, unknown> {
  const doc = unwrap(kind, raw);
  kind.check(doc);
  const parsed = kind.schema.safeParse(doc);
  if (!parsed.success) throw validationProblem(parsed.error, "", `Invalid ${kind.kind}`);
  if (kind.kind === "collection") {
    try {
      // A Collection v3 tree is stored as sent and converted for validation (and at each run).
      normalizeCollection(asV21Collection(parsed.data) as Parameters<typeof normalizeCollection>[0]);
    } catch (err) {
      const detail = (err as Error).message;
      throw new ProblemError(400, "Invalid collection", detail, { errors: [{ pointer: "", detail }] });
    }
  }
  return parsed.data as Record<string, unknown>;
}

function render(
  c: Context<AppEnv>,
  kind: Kind,
  meta: StoredResourceMeta,
  content: unknown,
  status: 200 | 201,
) {
  const self = `/v1/${kind.plural}/${meta.id}`;
  return c.json({ ...meta, [kind.kind]: content }, status, {
    etag: meta.etag,
    ...(status === 201 ? { location: self } : {}),
  });
}

const idParams = (kind: Kind) =>
  z.object({ id: z.string().regex(new RegExp(`^${kind.prefix}_[a-z0-9]{8,40}$`)) });

function resourceRoutes(app: Hono<AppEnv>, kind: Kind): void {
  const base = `/v1/${kind.plural}`;
  const tags = [kind.plural];
  const missing = (id: string) => notFound(kind.title, id);
  const Params = idParams(kind);
  // The document itself, or Postman API's `{ collection: … }` / `{ environment: … }` wrapper.
  const Body = component(
    `${kind.title}Input`,
    z.union([kind.schema, z.strictObject({ [kind.kind]: kind.schema })]),
  );
  const preValidate = (raw: unknown) => kind.check(unwrap(kind, raw));
  const List = component(`${kind.title}List`, ResourceListSchema(kind.plural));

  defineRoute(
    app,
    {
      method: "post",
      path: base,
      tags,
      summary: kind.kind === "environment" ? "Store an environment" : "Store a collection",
      body: Body,
      preValidate,
      responses: {
        201: {
          description: `The stored ${kind.kind} (version 1)`,
          schema: kind.stored,
          headers: { ETag: "Version tag" },
        },
      },
    },
    async (c, { rawBody }) => {
      const doc = parseDocument(kind, rawBody!.value);
      const id = `${kind.prefix}_${randomToken(20)}`;
      const result = await workspaceStub(c.env, c.get("workspaceId")).putResource({
        kind: kind.kind,
        id,
        name: kind.name(doc),
        content: doc,
        create: true,
      });
      if (!result.ok) {
        if (result.reason === "masked-secret") throw maskedSecretProblem(result);
        throw new ProblemError(409, "Conflict", "A resource with this id exists.");
      }
      const stored = await workspaceStub(c.env, c.get("workspaceId")).getResource({ kind: kind.kind, id });
      return render(c, kind, result.resource, JSON.parse(stored!.json), 201);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: base,
      tags,
      summary: `List stored ${kind.plural}, newest first`,
      query: PageQuerySchema,
      responses: { 200: { description: "A page", schema: List } },
    },
    async (c, { query }) => {
      const page = await workspaceStub(c.env, c.get("workspaceId")).listResources({
        kind: kind.kind,
        limit: query.limit,
        cursor: query.cursor,
      });
      return c.json({ [kind.plural]: page.items, nextCursor: page.nextCursor });
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: `${base}/{id}`,
      tags,
      summary: `Get a stored ${kind.kind} (the latest version, or ?version=N)`,
      description: kind.kind === "environment" ? "Secret-typed values are returned masked." : undefined,
      params: Params,
      query: VersionQuerySchema,
      headers: { "If-None-Match": "Answer 304 when the ETag matches" },
      problems: [404],
      responses: {
        200: { description: `The ${kind.kind}`, schema: kind.stored, headers: { ETag: "Version tag" } },
        304: { description: "Not modified" },
      },
    },
    async (c, { params, query }) => {
      const stored = await workspaceStub(c.env, c.get("workspaceId")).getResource({
        kind: kind.kind,
        id: params.id,
        version: query.version,
      });
      if (!stored)
        throw query.version
          ? notFound(`${kind.title} version`, `${params.id}@${query.version}`)
          : missing(params.id);
      const { json, ...meta } = stored;
      if (
        c.req
          .header("if-none-match")
          ?.split(",")
          .some((t) => t.trim() === meta.etag)
      ) {
        return c.body(null, 304, { etag: meta.etag });
      }
      return render(c, kind, meta, JSON.parse(json), 200);
    },
  );

  defineRoute(
    app,
    {
      method: "put",
      path: `${base}/{id}`,
      tags,
      summary: `Replace a stored ${kind.kind} (keeps the previous version)`,
      description:
        kind.kind === "environment"
          ? "A secret value sent back as `********` keeps the stored secret of that key; the mask under a key with no stored secret is refused (400)."
          : undefined,
      params: Params,
      headers: { "If-Match": "Replace only if the current ETag matches (else 412)" },
      body: Body,
      preValidate,
      problems: [404, 412],
      responses: {
        200: { description: `The new version`, schema: kind.stored, headers: { ETag: "Version tag" } },
      },
    },
    async (c, { params, rawBody }) => {
      const doc = parseDocument(kind, rawBody!.value);
      const ws = workspaceStub(c.env, c.get("workspaceId"));
      const result = await ws.putResource({
        kind: kind.kind,
        id: params.id,
        name: kind.name(doc),
        content: doc,
        create: false,
        ifMatch: c.req.header("if-match"),
      });
      if (!result.ok) {
        if (result.reason === "masked-secret") throw maskedSecretProblem(result);
        if (result.reason === "precondition-failed") {
          throw new ProblemError(412, "Precondition Failed", "If-Match does not match the current version.");
        }
        throw missing(params.id);
      }
      const stored = await ws.getResource({ kind: kind.kind, id: params.id });
      return render(c, kind, result.resource, JSON.parse(stored!.json), 200);
    },
  );

  defineRoute(
    app,
    {
      method: "delete",
      path: `${base}/{id}`,
      tags,
      summary: `Delete a stored ${kind.kind} and all its versions (409 while a monitor runs it)`,
      params: Params,
      problems: [404, 409],
      responses: { 204: { description: "Deleted" } },
    },
    async (c, { params }) => {
      const result = await workspaceStub(c.env, c.get("workspaceId")).deleteResource({
        kind: kind.kind,
        id: params.id,
      });
      if ("usedBy" in result) {
        throw new ProblemError(
          409,
          "In Use",
          `The ${kind.kind} '${params.id}' is run by monitor ${result.usedBy.join(", ")}: point ` +
            `${result.usedBy.length > 1 ? "them" : "it"} at another ${kind.kind}, or delete ` +
            `${result.usedBy.length > 1 ? "them" : "it"}, first.`,
          { type: "https://edgerun.dev/problems/in-use" },
        );
      }
      if (!result.deleted) throw missing(params.id);
      return c.body(null, 204);
    },
  );
}

/** Registers `/v1/collections` and `/v1/environments`. */
export function storedResourceRoutes(app: Hono<AppEnv>): void {
  resourceRoutes(app, COLLECTION);
  resourceRoutes(app, ENVIRONMENT);
}

/** A secret sent as the mask that no stored secret of that key can stand in for. */
function maskedSecretProblem(masked: { index: number; key: string }): ProblemError {
  return new ProblemError(
    400,
    "Masked Secret",
    `The secret '${masked.key}' is the mask ******** but no stored secret has that key: send its value.`,
    {
      errors: [{ pointer: `/values/${masked.index}/value`, detail: "the mask stands for no stored secret" }],
    },
  );
}
