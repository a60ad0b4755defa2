/**
 * `/healthz` (liveness: the Worker answers) and `/readyz` (readiness: the Durable Object bindings answer
 * and the sandbox loads; 503 naming the failing check otherwise). No auth: load balancers call them.
 */
import type { Hono } from "hono";
import * as z from "zod";
import { workspaceStub } from "../../platform/stubs";
import { component } from "../openapi/document";
import { defineRoute } from "../openapi/route";
import type { AppEnv } from "../types";

const HealthSchema = component(
  "Health",
  z.object({ ok: z.boolean(), service: z.string(), time: z.string() }),
);
const CheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  ms: z.number(),
  error: z.string().optional(),
});
const ReadySchema = component("Readiness", z.object({ ok: z.boolean(), checks: z.array(CheckSchema) }));

const CHECK_TIMEOUT_MS = 5_000;

async function check(name: string, run: () => Promise<unknown>): Promise<z.infer<typeof CheckSchema>> {
  const started = Date.now();
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS),
      ),
    ]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (err) {
    return {
      name,
      ok: false,
      ms: Date.now() - started,
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

export function healthRoutes(app: Hono<AppEnv>): void {
  defineRoute(
    app,
    {
      method: "get",
      path: "/healthz",
      tags: ["health"],
      security: "none",
      summary: "Liveness",
      responses: { 200: { description: "The Worker answers", schema: HealthSchema } },
    },
    (c) => c.json({ ok: true, service: "edgerun", time: new Date().toISOString() }),
  );

  defineRoute(
    app,
    {
      method: "get",
      path: "/readyz",
      tags: ["health"],
      security: "none",
      summary: "Readiness: bindings reachable, sandbox loads",
      responses: {
        200: { description: "Ready", schema: ReadySchema },
        503: {
          description: "A check failed (named in checks[])",
          schema: ReadySchema,
          contentType: "application/json",
        },
      },
    },
    async (c) => {
      const checks = await Promise.all([
        check("workspace-object", () => workspaceStub(c.env, "__readyz__").hasRun("run_readyz0000")),
        check("bindings", async () => {
          for (const name of [
            "RUN_COORDINATOR",
            "WORKSPACE",
            "HOST_LIMITER",
            "MONITOR",
            "MONITOR_INDEX",
          ] as const) {
            if (!c.env[name]) throw new Error(`binding ${name} is missing`);
          }
        }),
        // Loaded on demand: the sandbox's WebAssembly is workerd-only (the OpenAPI build runs in Node too).
        check("sandbox", async () => (await import("../../platform/script-host")).sandboxSelfTest()),
      ]);
      const ok = checks.every((x) => x.ok);
      return c.json({ ok, checks }, ok ? 200 : 503, { "cache-control": "no-store" });
    },
  );
}
