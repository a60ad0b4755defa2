/** Hono environment: bindings from wrangler.toml plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { workspaceId: string; requestId: string; keyHash: string };
}
