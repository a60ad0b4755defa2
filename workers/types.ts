/** Hono environment: bindings from wrangler.toml plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    workspaceId: string;
    requestId: string;
    keyHash: string;
    /** This API request's span; a run created by it becomes its child. */
    trace: {
      traceId: string;
      spanId: string;
      parentSpanId?: string | undefined;
      tracestate?: string | undefined;
      flags: number;
    };
  };
}
