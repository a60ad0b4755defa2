/**
 * Worker entry: the API app, the Durable Object classes, and the cron handler for monitors.
 */
import { createApp } from "./app";

export { HostLimiter } from "../durable-objects/host-limiter";
export { RunCoordinator } from "../durable-objects/run-coordinator";
export { Workspace } from "../durable-objects/workspace";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
