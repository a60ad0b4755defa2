/**
 * Admin API (admin token): workspaces, their settings and their API keys. Keys are shown once; only a
 * SHA-256 and a visible prefix are stored. Unknown or forged workspace ids are answered 404 without
 * addressing any Durable Object (workspace ids carry a MAC, see platform/keys.ts).
 */
import type { Hono } from "hono";
import * as z from "zod";
import { isGenuineWorkspaceId, newApiKey, newWorkspaceId } from "../../platform/keys";
import { ProblemError } from "../../platform/problem";
import { workspaceStub } from "../../platform/stubs";
import { RateLimitSchema } from "../../shared/schemas/api";
import { ApiKeyInfoSchema, CreateApiKeyBodySchema } from "../../shared/schemas/resources";
import { AllowHostSchema } from "../../shared/security/allow-hosts";
import { forgetWorkspaceKeys } from "../middleware/auth";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import type { AppEnv } from "../types";

const AllowHostsSchema = z.array(AllowHostSchema).max(100);

const CreateWorkspaceSchema = component(
  "CreateWorkspaceBody",
  z.strictObject({
    name: z.string().trim().min(1).max(128),
    allowHosts: AllowHostsSchema.optional(),
    rateLimit: RateLimitSchema.optional(),
  }),
);
const UpdateWorkspaceSchema = component(
  "UpdateWorkspaceBody",
  z.strictObject({
    allowHosts: AllowHostsSchema.optional(),
    rateLimit: RateLimitSchema.nullable().optional(),
  }),
);
const AllowHostsBodySchema = component("AllowHostsBody", z.strictObject({ allowHosts: AllowHostsSchema }));

const WorkspaceSchema = component(
  "Workspace",
  z.object({
    workspace: z.object({
      id: z.string(),
      name: z.string(),
      allowHosts: z.array(z.string()),
      rateLimit: RateLimitSchema.optional(),
    }),
  }),
);
const CreatedWorkspaceSchema = component(
  "CreatedWorkspace",
  WorkspaceSchema.extend({ apiKey: z.string().describe("Shown once"), key: ApiKeyInfoSchema }),
);
const CreatedKeySchema = component(
  "CreatedApiKey",
  z.object({ apiKey: z.string().describe("Shown once"), key: ApiKeyInfoSchema }),
);
const KeyListSchema = component("ApiKeyList", z.object({ keys: z.array(ApiKeyInfoSchema) }));
component("ApiKey", ApiKeyInfoSchema);

const WorkspaceParams = z.object({ id: z.string().max(64) });
const KeyParams = WorkspaceParams.extend({ keyId: z.string().max(64) });

/** The workspace's stub, only when the id is one this deployment issued and the workspace exists. */
async function existingWorkspace(env: Env, id: string) {
  const missing = new ProblemError(404, "Not Found", `Workspace '${id}' does not exist.`, {
    type: "https://edgerun.dev/problems/not-found",
  });
  if (!(await isGenuineWorkspaceId(env, id))) throw missing;
  const stub = workspaceStub(env, id);
  const settings = await stub.settings();
  if (!settings) throw missing;
  return { stub, settings };
}

export function adminRoutes(app: Hono<AppEnv>): void {
  const tags = ["admin"];
  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/admin/workspaces",
      tags,
      security: "admin",
      summary: "Create a workspace and its first API key",
      body: CreateWorkspaceSchema,
      responses: {
        201: { description: "The workspace and its key (shown once)", schema: CreatedWorkspaceSchema },
      },
    },
    async (c, { body }) => {
      const id = await newWorkspaceId(c.env);
      const key = await newApiKey(id);
      await workspaceStub(c.env, id).initialize({
        name: body.name,
        key,
        allowHosts: body.allowHosts ?? [],
        rateLimit: body.rateLimit,
      });
      const info = (await workspaceStub(c.env, id).listApiKeys())[0]!;
      const workspace = {
        id,
        name: body.name,
        allowHosts: body.allowHosts ?? [],
        ...(body.rateLimit ? { rateLimit: body.rateLimit } : {}),
      };
      return c.json({ workspace, apiKey: key.key, key: info }, 201);
    },
  );

  defineRoute(
    app,
    {
      method: "patch",
      path: "/v1/admin/workspaces/{id}",
      tags,
      security: "admin",
      summary: "Update a workspace's settings (allow list, default per-origin rate limit)",
      params: WorkspaceParams,
      body: UpdateWorkspaceSchema,
      problems: [404],
      responses: { 200: { description: "The updated workspace", schema: WorkspaceSchema } },
    },
    async (c, { params, body }) => {
      const { stub } = await existingWorkspace(c.env, params.id);
      const settings = await stub.updateSettings({
        ...(body.allowHosts ? { allowHosts: body.allowHosts } : {}),
        ...(body.rateLimit !== undefined ? { rateLimit: body.rateLimit } : {}),
      });
      return c.json({ workspace: { id: params.id, ...settings! } });
    },
  );

  defineRoute(
    app,
    {
      method: "put",
      path: "/v1/admin/workspaces/{id}/allow-hosts",
      tags,
      security: "admin",
      summary: "Replace a workspace's target allow list",
      params: WorkspaceParams,
      body: AllowHostsBodySchema,
      problems: [404],
      responses: { 200: { description: "The updated workspace", schema: WorkspaceSchema } },
    },
    async (c, { params, body }) => {
      const { stub } = await existingWorkspace(c.env, params.id);
      const settings = await stub.updateSettings({ allowHosts: body.allowHosts });
      return c.json({ workspace: { id: params.id, ...settings! } });
    },
  );

  defineRoute(
    app,
    {
      method: "post",
      path: "/v1/admin/workspaces/{id}/keys",
      tags,
      security: "admin",
      summary: "Create an API key (shown once)",
      params: WorkspaceParams,
      body: CreateApiKeyBodySchema,
      problems: [404],
      responses: { 201: { description: "The new key", schema: CreatedKeySchema } },
    },
    async (c, { params, body }) => {
      const { stub } = await existingWorkspace(c.env, params.id);
      const key = await newApiKey(params.id);
      const info = await stub.createApiKey({
        hash: key.hash,
        prefix: key.prefix,
        id: key.id,
        name: body.name,
      });
      return c.json({ apiKey: key.key, key: info }, 201);
    },
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/v1/admin/workspaces/{id}/keys",
      tags,
      security: "admin",
      summary: "List a workspace's API keys (prefixes only)",
      params: WorkspaceParams,
      problems: [404],
      responses: { 200: { description: "The keys", schema: KeyListSchema } },
    },
    async (c, { params }) => {
      const { stub } = await existingWorkspace(c.env, params.id);
      return c.json({ keys: await stub.listApiKeys() });
    },
  );

  defineRoute(
    app,
    {
      method: "delete",
      path: "/v1/admin/workspaces/{id}/keys/{keyId}",
      tags,
      security: "admin",
      summary: "Revoke an API key (refused within 30 s)",
      params: KeyParams,
      problems: [404],
      responses: { 200: { description: "The revoked key", schema: ApiKeyInfoSchema } },
    },
    async (c, { params }) => {
      const { stub } = await existingWorkspace(c.env, params.id);
      const info = await stub.revokeApiKey(params.keyId);
      if (!info) throw new ProblemError(404, "Not Found", `API key '${params.keyId}' does not exist.`);
      // This isolate refuses the key at once; other isolates within API_KEY_CACHE_MS.
      forgetWorkspaceKeys(params.id);
      return c.json(info);
    },
  );
}
