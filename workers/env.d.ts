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
  }
}
