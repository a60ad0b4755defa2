/**
 * Reports from the events the CLI already received, for when the server cannot give the final ones: a
 * cancel that missed its deadline (Ctrl-C, SIGTERM from CI) or a server that died mid-run. Stats are
 * recounted from the `request.completed` events the way the runner counts them, so the summary table,
 * the JSON report and the JUnit file still say what ran before the stop.
 */
import { normalizeCollection } from "../shared/engine/normalize";
import { addResponseTime, emptyStats, emptyTimings, pushFailure, toRunTimings } from "../shared/engine/stats";
import {
  buildJUnitReport,
  buildNewmanReport,
  collectionItems,
  type ReportContext,
} from "../shared/reporters";
import { CollectionSchema } from "../shared/schemas/collection";
import type { Failure, RunEvent, TerminalEvent } from "../shared/schemas/events";

type RequestEvent = Extract<RunEvent, { type: "request.completed" }>;

function countRequest(e: RequestEvent, stats: ReturnType<typeof emptyStats>, failures: Failure[]): void {
  const ref = e.item;
  const scriptFailed = (phase: "prerequest" | "test") => e.scriptErrors.filter((x) => x.event === phase);
  stats.items.total += 1;
  stats.prerequests.total += 1;
  stats.prerequestScripts.total += e.scripts.prerequest;
  stats.prerequestScripts.failed += scriptFailed("prerequest").length;
  stats.testScripts.total += e.scripts.test;
  stats.testScripts.failed += scriptFailed("test").length;
  stats.scripts.total += e.scripts.prerequest + e.scripts.test;
  stats.scripts.failed += e.scriptErrors.length;
  const scriptFailure = (x: RequestEvent["scriptErrors"][number]) =>
    pushFailure(failures, {
      iteration: e.iteration,
      item: ref,
      source: "script",
      name: x.name,
      message: x.message,
    });
  for (const x of scriptFailed("prerequest")) scriptFailure(x);
  if (!e.skipped) {
    stats.tests.total += 1;
    stats.requests.total += 1;
  }
  if (e.error) {
    stats.requests.failed += 1;
    pushFailure(failures, { iteration: e.iteration, item: ref, source: "request", ...e.error });
  }
  for (const a of e.assertions) {
    stats.assertions.total += 1;
    if (a.passed || a.skipped) continue;
    stats.assertions.failed += 1;
    pushFailure(failures, {
      iteration: e.iteration,
      item: ref,
      source: "assertion",
      name: a.name,
      message: a.error?.message ?? "assertion failed",
      errorName: a.error?.name ?? "AssertionError",
    });
  }
  for (const x of scriptFailed("test")) scriptFailure(x);
}

/**
 * What the CLI has seen of a run, counted as events arrive (an endless run must not grow memory unless
 * reports were asked for): enough to print the summary and, with `keepEvents`, to build the reports.
 */
export class RunTally {
  readonly events: RunEvent[] = [];
  readonly #keep: boolean;
  readonly #stats = emptyStats();
  readonly #failures: Failure[] = [];
  readonly #iterations = new Set<number>();
  #timings = emptyTimings(Date.now());

  constructor(keepEvents: boolean) {
    this.#keep = keepEvents;
  }

  add(e: RunEvent): void {
    if (this.#keep) this.events.push(e);
    if (e.type === "run.started") this.#timings = emptyTimings(Date.parse(e.ts));
    if (e.type === "iteration.started") this.#iterations.add(e.iteration);
    if (e.type !== "request.completed") return;
    countRequest(e, this.#stats, this.#failures);
    if (e.response) addResponseTime(this.#timings, e.response.timeMs);
  }

  /** The `run.cancelled` event the server would have sent, from the events received so far. */
  cancelled(runId: string): TerminalEvent {
    return {
      v: 1,
      runId,
      ts: new Date().toISOString(),
      type: "run.cancelled",
      stats: { ...this.#stats, iterations: { total: this.#iterations.size, pending: 0, failed: 0 } },
      timings: toRunTimings(this.#timings, Date.now()),
      failures: [...this.#failures],
    };
  }
}

/** Report context from the collection the CLI submitted (the server's context is out of reach). */
function contextFrom(collection: unknown, events: RunEvent[]): ReportContext {
  const started = events.find((e) => e.type === "run.started");
  const fallback = started?.collection ?? { id: "unknown", name: "collection" };
  const parsed = CollectionSchema.safeParse(collection);
  if (!parsed.success) return { collection: fallback };
  try {
    const normalized = normalizeCollection(parsed.data);
    const { tree, event } = collectionItems(normalized);
    return { collection: fallback, items: tree, events: event };
  } catch {
    return { collection: fallback };
  }
}

/** Newman JSON and JUnit built locally from `events` (which should end with the terminal event). */
export async function localReports(
  collection: unknown,
  events: RunEvent[],
): Promise<{ json: string; junit: string }> {
  const ctx = contextFrom(collection, events);
  const [report, junit] = await Promise.all([buildNewmanReport(events, ctx), buildJUnitReport(events, ctx)]);
  return { json: JSON.stringify(report, null, 2), junit };
}
