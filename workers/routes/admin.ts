/**
 * Admin API: creates workspaces and their first API key (shown once; only its hash is stored).
 */
import { Hono } from "hono";
import * as z from "zod";
import type { Workspace } from "../../durable-objects/workspace";
import { ProblemError, validationProblem } from "../../platform/problem";
import { RateLimitSchema } from "../../shared/schemas/api";
import { sha256Hex } from "../middleware/auth";
import type { AppEnv } from "../types";

export const admin = new Hono<AppEnv>();

/** A host name (optionally `*.` wildcard), an IPv4 address or a bracketed IPv6 address. */
export const AllowHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/, {
    message: "must be a host name, *.domain, an IPv4 address or a [bracketed] IPv6 address",
  });
const AllowHostsSchema = z.array(AllowHostSchema).max(100);

const CreateWorkspaceSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  allowHosts: AllowHostsSchema.optional(),
  rateLimit: RateLimitSchema.optional(),
});
const UpdateWorkspaceSchema = z.strictObject({
  allowHosts: AllowHostsSchema.optional(),
  rateLimit: RateLimitSchema.nullable().optional(),
});
const AllowHostsBodySchema = z.strictObject({ allowHosts: AllowHostsSchema });

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ProblemError(400, "Malformed JSON", "The request body is not valid JSON.");
  }
}

function randomToken(length: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

admin.post("/workspaces", async (c) => {
  const parsed = CreateWorkspaceSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw validationProblem(parsed.error);
  const id = `ws${randomToken(14, "abcdefghijklmnopqrstuvwxyz0123456789")}`;
  const apiKey = `er_${id}_${randomToken(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`;
  await c.env.WORKSPACE.get(c.env.WORKSPACE.idFromName(id)).initialize(
    parsed.data.name,
    await sha256Hex(apiKey),
    parsed.data.allowHosts ?? [],
    parsed.data.rateLimit,
  );
  const workspace = {
    id,
    name: parsed.data.name,
    allowHosts: parsed.data.allowHosts ?? [],
    ...(parsed.data.rateLimit ? { rateLimit: parsed.data.rateLimit } : {}),
  };
  return c.json({ workspace, apiKey }, 201);
});

/** Applies a settings update to an existing workspace; unknown ids are 404 without creating anything. */
async function updateWorkspace(
  env: Env,
  id: string,
  update: Parameters<DurableObjectStub<Workspace>["updateSettings"]>[0],
) {
  const missing = () => new ProblemError(404, "Not Found", `Workspace '${id}' does not exist.`);
  if (!/^[a-z0-9]{1,64}$/.test(id)) throw missing();
  const settings = await env.WORKSPACE.get(env.WORKSPACE.idFromName(id)).updateSettings(update);
  if (!settings) throw missing();
  return { workspace: { id, ...settings } };
}

/** Updates a workspace's settings (allow list, default per-origin rate limit); later runs use them. */
admin.patch("/workspaces/:id", async (c) => {
  const parsed = UpdateWorkspaceSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw validationProblem(parsed.error);
  const update = {
    ...(parsed.data.allowHosts ? { allowHosts: parsed.data.allowHosts } : {}),
    ...(parsed.data.rateLimit !== undefined ? { rateLimit: parsed.data.rateLimit } : {}),
  };
  return c.json(await updateWorkspace(c.env, c.req.param("id"), update));
});

/** Replaces a workspace's target allow list; runs started afterwards use it. */
admin.put("/workspaces/:id/allow-hosts", async (c) => {
  const parsed = AllowHostsBodySchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw validationProblem(parsed.error);
  return c.json(await updateWorkspace(c.env, c.req.param("id"), { allowHosts: parsed.data.allowHosts }));
});
