/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the route registry) and `GET /docs` (a readable
 * reference rendered from the same document on the server: no script, no external CDN).
 */
import type { Hono } from "hono";
import { openApiDocument } from "../openapi/document";
import { renderReference } from "../openapi/reference";
import type { AppEnv } from "../types";

export function openApiRoutes(app: Hono<AppEnv>): void {
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", (c) => c.html(renderReference(openApiDocument())));
}
