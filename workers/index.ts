/**
 * Worker entry: the API app, the Durable Object classes, and the cron handler for monitors.
 */
import { createApp } from "./app";
import { sweepMonitors } from "./monitor-sweep";

export { HostLimiter } from "../durable-objects/host-limiter";
export { Monitor } from "../durable-objects/monitor";
export { MonitorIndex } from "../durable-objects/monitor-index";
export { RunCoordinator } from "../durable-objects/run-coordinator";
export { Workspace } from "../durable-objects/workspace";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (_controller, env, ctx) => ctx.waitUntil(sweepMonitors(env)),
} satisfies ExportedHandler<Env>;
