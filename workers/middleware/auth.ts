/**
 * Bearer API key → workspace, and the admin token. A key is `er_<workspaceId>_<secret>`: the workspace
 * part routes the check to that workspace's Durable Object, which holds only a SHA-256 of the key — but
 * only after the id's MAC proves this deployment issued it, so forged keys never create storage. Failed
 * attempts are rate-limited per client address by the platform's rate limiting binding.
 */
import type { Context, MiddlewareHandler } from "hono";
import { config } from "../../platform/config";
import { constantTimeEqual, isGenuineWorkspaceId, keyWorkspace, sha256Hex } from "../../platform/keys";
import { ProblemError } from "../../platform/problem";
import { workspaceStub } from "../../platform/stubs";
import type { AppEnv } from "../types";

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

/** Counts a failed attempt for the client and answers the problem to throw (401, or 429 when over the limit). */
async function rejected(c: Context<AppEnv>, detail: string): Promise<ProblemError> {
  const client = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "local";
  const outcome = await c.env.AUTH_FAILURES?.limit({ key: `auth:${client}` });
  if (outcome && !outcome.success) {
    return new ProblemError(
      429,
      "Too Many Failed Attempts",
      "Too many failed authentication attempts; retry in a minute.",
      {
        type: "https://edgerun.dev/problems/rate-limited",
        headers: { "Retry-After": "60" },
      },
    );
  }
  return new ProblemError(401, "Unauthorized", detail, {
    headers: { "www-authenticate": 'Bearer realm="edgerun"' },
  });
}

export const apiKeyAuth = (): MiddlewareHandler<AppEnv> =>
  async function apiKeyAuth(c, next) {
    if (c.req.path.startsWith("/v1/admin/") || c.req.method === "OPTIONS") return next();
    const key = bearer(c.req.header("authorization"));
    if (!key) throw await rejected(c, "Send your API key as 'Authorization: Bearer <key>'.");
    const dev = config(c.env).DEV_API_KEY;
    if (dev && constantTimeEqual(key, dev)) {
      c.set("workspaceId", "dev");
      c.set("keyHash", await sha256Hex(key));
      return next();
    }
    const workspaceId = keyWorkspace(key);
    if (!workspaceId || !(await isGenuineWorkspaceId(c.env, workspaceId))) {
      throw await rejected(c, "The API key is not valid.");
    }
    const hash = await sha256Hex(key);
    if (!(await workspaceStub(c.env, workspaceId).verifyApiKey(hash)))
      throw await rejected(c, "The API key is not valid.");
    c.set("workspaceId", workspaceId);
    c.set("keyHash", hash);
    return next();
  };

export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    const token = bearer(c.req.header("authorization"));
    const admin = config(c.env).ADMIN_TOKEN;
    if (!admin || !token || !constantTimeEqual(token, admin))
      throw await rejected(c, "An admin token is required.");
    return next();
  };
