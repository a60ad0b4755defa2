/**
 * Per-key API rate limit with the IETF httpapi `RateLimit-Policy` / `RateLimit` headers and
 * `429` + `Retry-After` when exceeded. Counted in the key's Workspace object, in its memory (no
 * storage write per request; a restart of the object forgets the current minute's count).
 */
import type { MiddlewareHandler } from "hono";
import { config } from "../../platform/config";
import { ProblemError } from "../../platform/problem";
import type { AppEnv } from "../types";

const WINDOW_SEC = 60;

export const apiRateLimit = (): MiddlewareHandler<AppEnv> =>
  async function apiRateLimit(c, next) {
    const limit = config(c.env).API_RATE_LIMIT_PER_MINUTE;
    const ws = c.env.WORKSPACE.get(c.env.WORKSPACE.idFromName(c.get("workspaceId")));
    const quota = await ws.consumeApiQuota(c.get("keyHash"), limit, WINDOW_SEC);
    const headers = {
      "RateLimit-Policy": `"per-key";q=${limit};w=${WINDOW_SEC}`,
      RateLimit: `"per-key";r=${quota.remaining};t=${quota.reset}`,
    };
    if (!quota.allowed) {
      throw new ProblemError(
        429,
        "Too Many Requests",
        `API rate limit of ${limit} requests per ${WINDOW_SEC} s exceeded for this key.`,
        {
          type: "https://edgerun.dev/problems/rate-limited",
          headers: { ...headers, "Retry-After": String(quota.reset) },
        },
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
