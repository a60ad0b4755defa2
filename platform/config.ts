/**
 * Deployment configuration, parsed once from the Worker's environment by one zod schema with defaults.
 *
 * Every component (routes, middleware, Durable Objects) reads `config(env)` instead of converting
 * `env.X` strings at each use, so a default or a bound lives in exactly one place. The parsed value is
 * cached per environment object: an isolate parses its bindings once.
 */
import * as z from "zod";
import { setLogLevel } from "./log";

/** A positive integer given as a string variable; blank or invalid values fall back to the default. */
const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => {
      const n = Number(v);
      return v !== undefined && v.trim() !== "" && Number.isInteger(n) && n > 0 ? n : fallback;
    });

/** A non-negative integer given as a string variable (0 is meaningful); blank or invalid: the default. */
const nonNegativeInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => {
      const n = Number(v);
      return v !== undefined && v.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : fallback;
    });

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );

export const ConfigSchema = z.object({
  /** `public` (deployed default) refuses private and loopback targets; `any` is for local development. */
  TARGET_POLICY: z
    .string()
    .optional()
    .transform((v) => (v === "any" ? "any" : "public") as "any" | "public"),
  /** Deployment-wide hosts the target policy always allows. */
  TARGET_ALLOW_HOSTS: list,
  ENVIRONMENT: z
    .string()
    .optional()
    .transform((v) => v ?? "production"),
  DEV_API_KEY: z.string().min(1).optional(),
  ADMIN_TOKEN: z.string().min(1).optional(),
  /** Secret that signs workspace ids (defaults to ADMIN_TOKEN); rotating it invalidates existing keys. */
  KEY_SIGNING_SECRET: z.string().min(16).optional(),
  RUN_RETENTION_HOURS: positiveInt(720),
  /**
   * How long a run may execute requests before their events are committed (group commit): every
   * commit makes the next outbound request wait until storage confirms it, so committing every
   * request costs one confirmation each. 0 commits after every request.
   */
  CHECKPOINT_INTERVAL_MS: nonNegativeInt(10),
  /**
   * The most requests one group commit may hold (durable-objects/commit-groups.ts). It also bounds how
   * many requests a crash may send again, so deployments keep it small; the CLI's runtime, whose storage
   * dies with the process (no resume), raises it with the interval.
   */
  COMMIT_GROUP_STEPS: positiveInt(16),
  /**
   * Requests one alarm invocation of a run sends before it hands over to the next: the platform's
   * per-invocation CPU and subrequest limits bound it. Scripts' pm.sendRequest budget per slice scales
   * with it (500 per 40). The CLI's embedded runtime, where no such limit applies, uses 200: each
   * hand-over waits for workerd's alarm scheduler.
   */
  SLICE_REQUESTS: positiveInt(40),
  API_RATE_LIMIT_PER_MINUTE: positiveInt(600),
  MAX_ACTIVE_RUNS: positiveInt(20),
  MAX_RUNS_PER_HOUR: positiveInt(1000),
  /** Monitors per workspace (create answers 409 beyond it) and notifications per monitor per hour. */
  MAX_MONITORS_PER_WORKSPACE: positiveInt(100),
  MONITOR_NOTIFICATIONS_PER_HOUR: positiveInt(10),
  /** OTLP/HTTP endpoint for traces (`${endpoint}/v1/traces`); unset: no export. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .optional()
    .transform((v) => (v && /^https?:\/\//.test(v) ? v.replace(/\/+$/, "") : undefined)),
  /** `k=v,k2=v2` headers sent with every export (e.g. an API key of the collector). */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform(
      (v) =>
        (["debug", "info", "warn", "error"].includes(v ?? "") ? v : "info") as
          | "debug"
          | "info"
          | "warn"
          | "error",
    ),
  /** Comma-separated origins allowed to call the API from a browser (`*` for any). */
  CORS_ORIGINS: list,
  /**
   * Where scripts run: `quickjs` (WebAssembly), `v8` (isolates through the `LOADER` Worker Loader
   * binding, QuickJS without it) or `auto` (the default): V8 where the platform enforces a dynamic
   * worker's CPU and memory limits (`ENVIRONMENT=production`), QuickJS elsewhere — local workerd does
   * not enforce them, so an endless loop would block `npm start` or the CLI.
   */
  SCRIPT_BACKEND: z
    .string()
    .optional()
    .transform((v) => (v === "v8" || v === "quickjs" ? v : "auto") as "quickjs" | "v8" | "auto"),
});
export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/** The parsed configuration for these bindings (parsed on first use, then cached). */
export function config(env: object): Config {
  let parsed = cache.get(env);
  if (!parsed) {
    const raw = env as Record<string, unknown>;
    const strings: Record<string, string | undefined> = {};
    for (const key of Object.keys(ConfigSchema.shape)) {
      const value = raw[key];
      strings[key] = typeof value === "string" ? value : undefined;
    }
    parsed = ConfigSchema.parse(strings);
    cache.set(env, parsed);
    setLogLevel(parsed.LOG_LEVEL);
  }
  return parsed;
}
