/**
 * Bearer API key → workspace. A key is `er_<workspaceId>_<secret>`: the workspace part routes the check
 * to that workspace's Durable Object, which holds only a SHA-256 of the secret. The local development key
 * comes from configuration (`DEV_API_KEY`, workspace `dev`); a deployed instance has none.
 */
import type { MiddlewareHandler } from "hono";
import { config } from "../../platform/config";
import { ProblemError } from "../../platform/problem";
import type { AppEnv } from "../types";

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

const unauthorized = (detail: string) =>
  new ProblemError(401, "Unauthorized", detail, {
    headers: { "www-authenticate": 'Bearer realm="edgerun"' },
  });

/** Constant-time comparison for secrets of equal length. */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export const apiKeyAuth = (): MiddlewareHandler<AppEnv> =>
  async function apiKeyAuth(c, next) {
    const key = bearer(c.req.header("authorization"));
    if (!key) throw unauthorized("Send your API key as 'Authorization: Bearer <key>'.");
    const dev = config(c.env).DEV_API_KEY;
    if (dev && safeEqual(key, dev)) {
      c.set("workspaceId", "dev");
      c.set("keyHash", await sha256Hex(key));
      return next();
    }
    const m = /^er_([a-z0-9]{8,32})_([A-Za-z0-9]{20,64})$/.exec(key);
    if (!m) throw unauthorized("The API key is not valid.");
    const workspaceId = m[1]!;
    const ws = c.env.WORKSPACE.get(c.env.WORKSPACE.idFromName(workspaceId));
    if (!(await ws.verifyApiKey(await sha256Hex(key)))) throw unauthorized("The API key is not valid.");
    c.set("workspaceId", workspaceId);
    c.set("keyHash", await sha256Hex(key));
    return next();
  };

export const adminAuth = (): MiddlewareHandler<AppEnv> =>
  async function adminAuth(c, next) {
    const token = bearer(c.req.header("authorization"));
    const admin = config(c.env).ADMIN_TOKEN;
    if (!admin || !token || !safeEqual(token, admin)) throw unauthorized("An admin token is required.");
    return next();
  };
