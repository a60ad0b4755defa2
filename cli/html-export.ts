/**
 * `-r html`: replays the finished run's event stream from the start into the HTML reporter and writes
 * the chunks to disk as they come, so even a long run never sits in memory as one report.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { htmlReport } from "../shared/reporters/html";
import type { RunEvent } from "../shared/schemas/events";
import { CliError } from "./args";
import { followRun } from "./follow";
import type { Server } from "./server";

async function* eventsOf(server: Server, runId: string): AsyncGenerator<RunEvent> {
  for await (const { event } of followRun(server, runId)) yield event;
}

/** Writes the run's HTML report to `path`; the collection shown is the one `run.started` names. */
export async function writeHtmlReport(
  server: Server,
  runId: string,
  path: string,
  environment?: string,
): Promise<void> {
  const events = eventsOf(server, runId);
  const first = await events.next();
  const collection =
    !first.done && first.value.type === "run.started" ? first.value.collection : { id: runId, name: runId };
  async function* all(): AsyncGenerator<RunEvent> {
    if (!first.done) yield first.value;
    yield* events;
  }
  try {
    await mkdir(dirname(path), { recursive: true });
    const out = createWriteStream(path);
    const failed = once(out, "error").then(([error]) => Promise.reject(error as Error));
    failed.catch(() => {});
    for await (const chunk of htmlReport(all(), {
      collection,
      ...(environment ? { environment: { name: environment, values: [] } } : {}),
    })) {
      if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
    }
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  } catch (error) {
    throw new CliError(`Could not write '${path}': ${(error as Error).message}`);
  }
}
