/** Secrets and optional vars not declared in wrangler.toml (so `wrangler types` cannot see them). */
declare namespace Cloudflare {
  interface Env {
    /** Local development API key for workspace `dev`; never set in production. */
    DEV_API_KEY?: string;
    /** Admin token for `/v1/admin/*`; a Worker secret in production. */
    ADMIN_TOKEN?: string;
    /** Comma-separated hosts always allowed by the target policy. */
    TARGET_ALLOW_HOSTS?: string;
    /** How long finished runs keep events and reports (default 720 h = 30 days). */
    RUN_RETENTION_HOURS?: string;
    /** Public API requests per minute per key (default 600). */
    API_RATE_LIMIT_PER_MINUTE?: string;
    /** Per-workspace caps: concurrently active runs (default 20) and runs started per hour (default 1000). */
    MAX_ACTIVE_RUNS?: string;
    MAX_RUNS_PER_HOUR?: string;
  }
}

interface Env {
  /** Local development API key for workspace `dev`; never set in production. */
  DEV_API_KEY?: string;
  /** Admin token for `/v1/admin/*`; a Worker secret in production. */
  ADMIN_TOKEN?: string;
  /** Comma-separated hosts always allowed by the target policy. */
  TARGET_ALLOW_HOSTS?: string;
  /** How long finished runs keep events and reports (default 720 h = 30 days). */
  RUN_RETENTION_HOURS?: string;
  /** Public API requests per minute per key (default 600). */
  API_RATE_LIMIT_PER_MINUTE?: string;
  /** Per-workspace caps: concurrently active runs (default 20) and runs started per hour (default 1000). */
  MAX_ACTIVE_RUNS?: string;
  MAX_RUNS_PER_HOUR?: string;
}
