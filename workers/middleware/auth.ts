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
import { TtlCache } from "../ttl-cache";
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

/**
 * How long one isolate trusts a key it verified before asking the workspace again. A revoked key is
 * refused at once by the isolate that served the revocation and within this bound by every other.
 */
export const API_KEY_CACHE_MS = 30_000;

/** Verified keys of this isolate: the key → its workspace and hash (never logged, never stored). */
export const verifiedKeys = new TtlCache<{ workspaceId: string; hash: string }>({
  ttlMs: API_KEY_CACHE_MS,
  max: 1000,
});

/** Forgets every verified key of a workspace in this isolate (after one of its keys was revoked). */
export function forgetWorkspaceKeys(workspaceId: string): void {
  verifiedKeys.deleteWhere((v) => v.workspaceId === workspaceId);
}

export const apiKeyAuth = (): MiddlewareHandler<AppEnv> =>
  async function apiKeyAuth(c, next) {
    if (c.req.path.startsWith("/v1/admin/") || c.req.method === "OPTIONS") return next();
    const key = bearer(c.req.header("authorization"));
    if (!key) throw await rejected(c, "Send your API key as 'Authorization: Bearer <key>'.");
    const verified = verifiedKeys.get(key) ?? (await verify(c, key));
    c.set("workspaceId", verified.workspaceId);
    c.set("keyHash", verified.hash);
    return next();
  };

/** Checks a key not verified recently: the dev key, or the id's MAC and then the workspace's record. */
async function verify(c: Context<AppEnv>, key: string): Promise<{ workspaceId: string; hash: string }> {
  const dev = config(c.env).DEV_API_KEY;
  let verified: { workspaceId: string; hash: string };
  if (dev && constantTimeEqual(key, dev)) {
    verified = { workspaceId: "dev", hash: await sha256Hex(key) };
  } else {
    const workspaceId = keyWorkspace(key);
    if (!workspaceId || !(await isGenuineWorkspaceId(c.env, workspaceId))) {
      throw await rejected(c, "The API key is not valid.");
    }
    const hash = await sha256Hex(key);
    if (!(await workspaceStub(c.env, workspaceId).verifyApiKey(hash)))
      throw await rejected(c, "The API key is not valid.");
    verified = { workspaceId, hash };
  }
  verifiedKeys.set(key, verified);
  return verified;
}

export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    const token = bearer(c.req.header("authorization"));
    const admin = config(c.env).ADMIN_TOKEN;
    if (!admin || !token || !constantTimeEqual(token, admin))
      throw await rejected(c, "An admin token is required.");
    return next();
  };
