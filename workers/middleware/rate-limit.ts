/**
 * Per-key API rate limit with the IETF httpapi `RateLimit-Policy` / `RateLimit` headers and
 * `429` + `Retry-After` when exceeded. Counted in the key's Workspace object, in its memory (no
 * storage write per request; a restart of the object forgets the current minute's count), and spent
 * from leases of a few calls each (`../api-quota-lease.ts`: no Durable Object call per request).
 */
import type { MiddlewareHandler } from "hono";
import { config } from "../../platform/config";
import { ProblemError } from "../../platform/problem";
import { ApiQuotaLeases } from "../api-quota-lease";
import type { AppEnv } from "../types";

const WINDOW_SEC = 60;

/** This isolate's leases of its keys' quotas (see ApiQuotaLeases). */
const leases = new ApiQuotaLeases();

export const apiRateLimit = (): MiddlewareHandler<AppEnv> =>
  async function apiRateLimit(c, next) {
    const limit = config(c.env).API_RATE_LIMIT_PER_MINUTE;
    const workspaceId = c.get("workspaceId");
    const quota = await leases.consume({ keyHash: c.get("keyHash"), limit, windowSec: WINDOW_SEC }, (q) =>
      c.env.WORKSPACE.get(c.env.WORKSPACE.idFromName(workspaceId)).leaseApiQuota(q),
    );
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
