/**
 * The public API as one Hono app: health, `/v1/...`, `/openapi.json`, `/docs`.
 * Every error, thrown anywhere, is rendered once by `onError` as application/problem+json; a known path
 * with another method is a 405 with `Allow`.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { TrieRouter } from "hono/router/trie-router";
import { config } from "../platform/config";
import { log } from "../platform/log";
import { ProblemError } from "../platform/problem";
import { adminAuth, apiKeyAuth } from "./middleware/auth";
import { apiRateLimit } from "./middleware/rate-limit";
import { requestTelemetry } from "./middleware/telemetry";
import { allowedMethods, methodNotAllowed } from "./openapi/route";
import { adminRoutes } from "./routes/admin";
import { storedResourceRoutes } from "./routes/collections";
import { healthRoutes } from "./routes/health";
import { metricsRoutes } from "./routes/metrics";
import { monitorRoutes } from "./routes/monitors";
import { openApiRoutes } from "./routes/openapi";
import { runRoutes } from "./routes/runs";
import { runtimeProblem } from "./runtime-errors";
import type { AppEnv } from "./types";

export function createApp(): Hono<AppEnv> {
  // TrieRouter, not the default SmartRouter's RegExpRouter: that one compiles every route into one
  // expression on the first request (≈ 5 ms in Node, tens in a fresh workerd isolate, on the CLI's
  // critical path), Trie builds as routes are added and matches in µs. Trie is the default's own
  // fallback, so both answer alike (bench/README.md, Round 14).
  const app = new Hono<AppEnv>({ router: new TrieRouter() });

  app.use(requestTelemetry());
  app.use(
    "/v1/*",
    cors({
      origin: (origin, c) => {
        const allowed = config(c.env).CORS_ORIGINS;
        return allowed.includes("*") || allowed.includes(origin.toLowerCase()) ? origin : null;
      },
      allowHeaders: [
        "Authorization",
        "Content-Type",
        "Idempotency-Key",
        "Last-Event-ID",
        "If-Match",
        "If-None-Match",
      ],
      exposeHeaders: [
        "Location",
        "ETag",
        "RateLimit",
        "RateLimit-Policy",
        "Retry-After",
        "Idempotent-Replayed",
      ],
      maxAge: 600,
    }),
  );

  healthRoutes(app);
  openApiRoutes(app);

  app.use("/v1/admin/*", adminAuth());
  app.use("/v1/*", apiKeyAuth(), apiRateLimit());
  adminRoutes(app);
  runRoutes(app);
  storedResourceRoutes(app);
  metricsRoutes(app);
  monitorRoutes(app);

  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    if (allow.length > 0) throw methodNotAllowed(c.req.method, allow);
    throw new ProblemError(404, "Not Found", "No such route.");
  });

  app.onError((err, c) => {
    let problem: ProblemError;
    if (err instanceof ProblemError) problem = err;
    else if (err instanceof HTTPException)
      problem = new ProblemError(err.status, err.message || "HTTP error");
    else {
      log.error("unhandled error", {
        requestId: c.get("requestId"),
        path: c.req.path,
        error: String(err),
        stack: (err as Error).stack,
      });
      problem =
        runtimeProblem(err) ??
        new ProblemError(500, "Internal Server Error", "An unexpected error occurred; it has been logged.");
    }
    // c.body keeps headers middleware prepared (CORS) on the error response too.
    return c.body(JSON.stringify(problem.toProblem(c.req.path)), problem.status as 400, {
      "content-type": "application/problem+json",
      ...problem.headers,
    });
  });
  return app;
}
