/**
 * The public API as one Hono app: `/healthz`, `/v1/...`, `/openapi.json`, `/docs`.
 * Every error, thrown anywhere, is rendered once by `onError` as application/problem+json.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { log } from "../platform/log";
import { ProblemError } from "../platform/problem";
import { adminAuth, apiKeyAuth } from "./middleware/auth";
import { apiRateLimit } from "./middleware/rate-limit";
import { admin } from "./routes/admin";
import { openapi } from "./routes/openapi";
import { runs } from "./routes/runs";
import type { AppEnv } from "./types";

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async function requestId(c, next) {
    c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true, service: "edgerun", time: new Date().toISOString() }));

  app.route("/", openapi);
  app.use("/v1/admin/*", adminAuth());
  app.route("/v1/admin", admin);
  app.use("/v1/*", apiKeyAuth(), apiRateLimit());
  app.route("/v1/runs", runs);

  app.notFound(() => {
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
      problem = new ProblemError(
        500,
        "Internal Server Error",
        "An unexpected error occurred; it has been logged.",
      );
    }
    return c.json(problem.toProblem(c.req.path), problem.status as 400, {
      "content-type": "application/problem+json",
      ...problem.headers,
    });
  });
  return app;
}
