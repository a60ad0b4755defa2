/**
 * Reports from the events the CLI already received, for when the server cannot give the final ones: a
 * cancel that missed its deadline (Ctrl-C, SIGTERM from CI) or a server that died mid-run. Stats are
 * recounted from the `request.completed` events the way the runner counts them, so the summary table,
 * the JSON report and the JUnit file still say what ran before the stop.
 */
import { once } from "node:events";
import { appendFileSync, createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { addResponseTime, emptyStats, emptyTimings, pushFailure, toRunTimings } from "../shared/engine/stats";
import type { ReportContext } from "../shared/reporters";
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

/** Spooled text is appended to the file in pieces of about this size (few writes, bounded memory). */
const SPOOL_FLUSH_CHARS = 1 << 20;

/**
 * The events of a run as JSON lines in a private temporary file: the fallback reports need every
 * execution (Newman JSON), but a 5,000-request run's events are tens of MB that should not sit in
 * the CLI's heap for a fallback that is almost never used. The file is created on the first flush;
 * if it cannot be written (no temp dir, disk full) the rest stays in memory, as before the spool.
 */
class EventSpool {
  #dir: string | undefined;
  #pending = "";
  /** Chunks kept in memory once the file could not be written. */
  #memory: string[] | undefined;
  #disposed = false;
  readonly #cleanup = () => this.dispose();

  add(e: RunEvent): void {
    this.#pending += `${JSON.stringify(e)}\n`;
    if (this.#pending.length >= SPOOL_FLUSH_CHARS) this.#flush();
  }

  #flush(): void {
    if (!this.#pending || this.#disposed) return;
    if (!this.#memory) {
      try {
        if (!this.#dir) {
          this.#dir = mkdtempSync(join(tmpdir(), "edgerun-events-"));
          process.once("exit", this.#cleanup);
        }
        appendFileSync(join(this.#dir, "events.jsonl"), this.#pending);
        this.#pending = "";
        return;
      } catch {
        this.#memory = [];
      }
    }
    this.#memory.push(this.#pending);
    this.#pending = "";
  }

  /** Replays the spooled events in order (reads the file; call after the last `add`). */
  async *events(): AsyncGenerator<RunEvent> {
    this.#flush();
    if (this.#disposed) return;
    if (this.#dir) {
      const input = createReadStream(join(this.#dir, "events.jsonl"), { encoding: "utf8" });
      const opened = await Promise.race([
        once(input, "ready").then(() => true),
        once(input, "error").then(() => false),
      ]);
      if (opened)
        for await (const line of createInterface({ input, crlfDelay: Infinity })) yield* parsed(line);
    }
    for (const chunk of this.#memory ?? []) for (const line of chunk.split("\n")) yield* parsed(line);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#memory = undefined;
    if (!this.#dir) return;
    process.removeListener("exit", this.#cleanup);
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** One spooled line as an event; a line torn by a failed write is skipped. */
function* parsed(line: string): Generator<RunEvent> {
  if (!line) return;
  try {
    yield JSON.parse(line) as RunEvent;
  } catch {
    // the tail of an append that failed part-way
  }
}

/**
 * What the CLI has seen of a run, counted as events arrive (an endless run must not grow memory):
 * enough to print the summary and, with `keepEvents`, to build the reports from a temporary spool.
 */
export class RunTally {
  readonly #spool: EventSpool | undefined;
  readonly #stats = emptyStats();
  readonly #failures: Failure[] = [];
  readonly #iterations = new Set<number>();
  #timings = emptyTimings(Date.now());
  #collection: { id: string; name: string } | undefined;
  #terminal: TerminalEvent | undefined;

  constructor(keepEvents: boolean) {
    this.#spool = keepEvents ? new EventSpool() : undefined;
  }

  add(e: RunEvent): void {
    this.#spool?.add(e);
    if (e.type === "run.started") {
      this.#timings = emptyTimings(Date.parse(e.ts));
      this.#collection = e.collection;
    }
    if (e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled")
      this.#terminal = e;
    if (e.type === "iteration.started") this.#iterations.add(e.iteration);
    if (e.type !== "request.completed") return;
    countRequest(e, this.#stats, this.#failures);
    if (e.response) addResponseTime(this.#timings, e.response.timeMs);
  }

  /** The events received so far, in order (none unless constructed with `keepEvents`). */
  events(): Iterable<RunEvent> | AsyncIterable<RunEvent> {
    return this.#spool ? this.#spool.events() : [];
  }

  /** The collection named by `run.started`, and the terminal event, if they were received. */
  get seen(): { collection?: { id: string; name: string }; terminal?: TerminalEvent } {
    return {
      ...(this.#collection ? { collection: this.#collection } : {}),
      ...(this.#terminal ? { terminal: this.#terminal } : {}),
    };
  }

  /** Removes the spool file (also done when the process exits). */
  dispose(): void {
    this.#spool?.dispose();
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

/**
 * The reporters, the normaliser and the collection schema, loaded only when a fallback report is built:
 * they pull in zod and every schema, ≈ 0.1 s of start-up that a normal run never needs.
 */
async function reporting() {
  const [
    { normalizeCollection },
    { collectionItems },
    { junitReportStream },
    { newmanReportStream },
    { CollectionSchema },
  ] = await Promise.all([
    import("../shared/engine/normalize"),
    import("../shared/reporters"),
    import("../shared/reporters/junit"),
    import("../shared/reporters/newman-json"),
    import("../shared/schemas/collection"),
  ]);
  return { normalizeCollection, collectionItems, junitReportStream, newmanReportStream, CollectionSchema };
}

type Reporting = Awaited<ReturnType<typeof reporting>>;

/** Report context from the collection the CLI submitted (the server's context is out of reach). */
function contextFrom(
  lib: Reporting,
  collection: unknown,
  started?: { id: string; name: string },
): ReportContext {
  const { CollectionSchema, normalizeCollection, collectionItems } = lib;
  const fallback = started ?? { id: "unknown", name: "collection" };
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

/**
 * Newman JSON and JUnit built locally from the tally's events (which should end with the terminal
 * event), each as a text stream that replays the spool once, so neither report is held whole.
 */
export function localReports(
  collection: unknown,
  tally: RunTally,
): { json: () => AsyncGenerator<string>; junit: () => AsyncGenerator<string> } {
  const { collection: started, terminal } = tally.seen;
  let ready: Promise<{ lib: Reporting; ctx: ReportContext }> | undefined;
  const load = () => {
    ready ??= reporting().then((lib) => ({ lib, ctx: contextFrom(lib, collection, started) }));
    return ready;
  };
  return {
    async *json() {
      const { lib, ctx } = await load();
      yield* lib.newmanReportStream(tally.events(), ctx, terminal ? { terminal } : {});
    },
    async *junit() {
      const { lib, ctx } = await load();
      yield* lib.junitReportStream(tally.events(), ctx);
    },
  };
}
