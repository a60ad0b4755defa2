/**
 * The RunCoordinator's SQLite storage: the run record, the plan and the engine state (both chunked: a
 * plan or a state with large variables exceeds one row), the event log, and the schema migrations.
 */

import type { RunSource } from "../platform/run-service";
import { type Baseline, first, type Migration, migrate, readChunks, writeChunks } from "../platform/sql";
import { cookiesFromJar, cookiesToJar } from "../shared/engine/cookie-jar";
import { runMasker } from "../shared/engine/run-masker";
import type { RunPlan, RunState } from "../shared/engine/runner";
import { emptyStats, emptyTimings, toRunTimings } from "../shared/engine/stats";
import { collectionItems } from "../shared/reporters/collection-json";
import type { Region, RunStatus, RunSummary } from "../shared/schemas/api";
import type { RunEvent } from "../shared/schemas/events";
import { maskDeep } from "../shared/security/mask";
import type { RunTrace } from "../shared/telemetry/run-spans";
import { newSpanId, newTraceId } from "../shared/telemetry/trace";

export interface RunRecord {
  id: string;
  workspaceId: string;
  status: RunStatus;
  collection: { id: string; name: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  requestedRegion: Region;
  actualRegion: string | null;
  monitorId: string | null;
  reason: string | null;
  cancelRequested: boolean;
  terminal: RunEvent | null;
  allowHosts?: string[];
  source?: {
    collection?: { id: string; version: number } | undefined;
    environment?: { id: string; version: number } | undefined;
  };
  /** Consecutive slices that threw; reset by every successful commit. */
  failedSlices?: number;
  /** The run's trace (its span continues the API request's or the caller's trace). */
  trace?: RunTrace;
  /** A reservoir sample of request times (ms) and how many requests were timed. */
  requestTimes?: number[];
  requestsTimed?: number;
}

export const RUN_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "run, state, plan, events",
    up: (sql) =>
      sql.exec(`
        CREATE TABLE IF NOT EXISTS run (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS plan_chunks (idx INTEGER PRIMARY KEY, data TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);`),
  },
  {
    version: 2,
    name: "engine state in chunks (large variables no longer exceed a row)",
    up: (sql) => {
      sql.exec(
        "CREATE TABLE IF NOT EXISTS state_chunks (owner TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (owner, idx))",
      );
      const old = first<{ data: string }>(sql, "SELECT data FROM state WHERE id = 1");
      if (old) writeChunks(sql, "state_chunks", "state", old.data);
      sql.exec("DROP TABLE state");
      sql.exec("CREATE TABLE IF NOT EXISTS flags (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
    },
  },
];

/**
 * A new run object's schema in one script: what RUN_MIGRATIONS 1–2 leave (`test/workers/run-schema.test.ts`).
 * Every run is a new object, and the steps' extra table, read and `DROP` cost ≈ 50 µs of its start
 * (bench/README, round 6). A new migration is added to RUN_MIGRATIONS as before (it runs as a step
 * after this script); folding it in here is optional.
 */
export const RUN_BASELINE: Baseline = {
  version: 2,
  sql: `
    CREATE TABLE run (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
    CREATE TABLE plan_chunks (idx INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
    CREATE TABLE state_chunks (owner TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (owner, idx));
    CREATE TABLE flags (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`,
};

const PLAN_CHUNK = 512 * 1024;

export class RunStore {
  readonly #storage: DurableObjectStorage;
  #plan: RunPlan | undefined;
  /**
   * The run record as last read or written (null: no run yet; undefined: not known). The object is
   * this store's only writer, and every step reads the record several times: re-reading and parsing
   * its row each time was ≈ 5 % of a busy object's CPU. A write that fails forgets it (see `transaction`).
   */
  #record: RunRecord | null | undefined;
  /** The stored in-flight step count (undefined: not read yet). */
  #inflight: number | undefined;
  /** How many chunks the stored engine state has (undefined: not known, e.g. after a failed write). */
  #stateChunks: number | undefined;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    migrate(storage, RUN_MIGRATIONS, { baseline: RUN_BASELINE });
  }

  get sql(): SqlStorage {
    return this.#storage.sql;
  }

  /**
   * The run record. Callers may change the object they get only to save it next (`saveRecord`, inside
   * `transaction`): the same object is handed out until then.
   */
  record(): RunRecord | null {
    if (this.#record !== undefined) return this.#record;
    const row = first<{ data: string }>(this.sql, "SELECT data FROM run WHERE id = 1");
    this.#record = row ? (JSON.parse(row.data) as RunRecord) : null;
    return this.#record;
  }

  saveRecord(record: RunRecord): void {
    try {
      this.sql.exec("INSERT OR REPLACE INTO run (id, data) VALUES (1, ?)", JSON.stringify(record));
      this.#record = record;
    } catch (err) {
      this.#record = undefined;
      throw err;
    }
  }

  /** One SQLite transaction; if it fails, what this store remembers of the record is read again. */
  transaction<T>(fn: () => T): T {
    try {
      return this.#storage.transactionSync(fn);
    } catch (err) {
      this.#record = undefined;
      this.#inflight = undefined;
      this.#stateChunks = undefined;
      throw err;
    }
  }

  /** After `deleteAll()`: nothing is remembered. */
  forget(): void {
    this.#record = undefined;
    this.#inflight = undefined;
    this.#stateChunks = undefined;
    this.#plan = undefined;
  }

  /** Stores the plan as the JSON text it came in (`json`), or as `plan` serialised. */
  savePlan(plan: RunPlan, json: string = JSON.stringify(plan)): void {
    for (let i = 0, n = 0; i < json.length; i += PLAN_CHUNK, n++) {
      this.sql.exec("INSERT INTO plan_chunks (idx, data) VALUES (?, ?)", n, json.slice(i, i + PLAN_CHUNK));
    }
    this.#plan = plan;
  }

  plan(): RunPlan {
    if (this.#plan) return this.#plan;
    const rows = this.sql.exec<{ data: string }>("SELECT data FROM plan_chunks ORDER BY idx").toArray();
    this.#plan = JSON.parse(rows.map((r) => r.data).join("")) as RunPlan;
    return this.#plan;
  }

  /** The last committed engine state; `inflight` tells that requests were being sent when it stopped. */
  state(): RunState | null {
    const text = readChunks(this.sql, "state_chunks", "state");
    if (text === null) return null;
    const state = JSON.parse(text) as RunState;
    return this.inflightSteps() > 0 ? { ...state, inflight: true } : state;
  }

  /**
   * Checkpoints the engine state. `nextInflight`: how many steps the caller will send next from it
   * (0 when it stops here); recorded in the same write, so the next group of requests needs no write
   * of its own before it is sent (`coverInflight`), i.e. one storage confirmation per group, not two.
   */
  saveState(state: RunState, nextInflight = 0): void {
    const text = JSON.stringify({ ...state, inflight: false, resending: false });
    this.#stateChunks = writeChunks(this.sql, "state_chunks", "state", text, this.#stateChunks);
    this.setInflight(nextInflight);
  }

  /**
   * Marks the next `steps` steps after the committed state as possibly sent, without rewriting the
   * (possibly large) state: after a crash, that many re-executed requests carry `resent: true`.
   */
  setInflight(steps: number): void {
    if (this.#inflight === steps) return; // the stored value already (slow requests: 1 after every commit)
    this.sql.exec("INSERT OR REPLACE INTO flags (k, v) VALUES ('inflight', ?)", steps);
    this.#inflight = steps;
  }

  /** Before sending `steps` steps: records them unless the last checkpoint already covers as many. */
  coverInflight(steps: number): void {
    if (steps > this.inflightSteps()) this.setInflight(steps);
  }

  /** How many steps after the committed state may have reached their targets (0: none). */
  inflightSteps(): number {
    this.#inflight ??= first<{ v: number }>(this.sql, "SELECT v FROM flags WHERE k = 'inflight'")?.v ?? 0;
    return this.#inflight;
  }

  forgetPlan(): void {
    this.#plan = undefined;
  }
}

export function isFinished(status: RunStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/** The public summary of a run record (what `GET /v1/runs/{id}` and the workspace index show). */
export function summarize(record: RunRecord, lastEventId: number): RunSummary {
  const terminal = record.terminal;
  const final = terminal && "stats" in terminal ? terminal : null;
  const base = `/v1/runs/${record.id}`;
  return {
    id: record.id,
    status: record.status,
    collection: record.collection,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    region: { requested: record.requestedRegion, actual: record.actualRegion },
    monitorId: record.monitorId,
    stats: final ? final.stats : null,
    timings: final ? final.timings : null,
    reason: record.reason,
    lastEventId,
    links: { self: base, events: `${base}/events`, report: `${base}/report` },
    ...(record.source ? { source: record.source } : {}),
  };
}

/** A terminal event with empty stats, for runs whose own state can no longer be read. */
export function bareTerminal(runId: string, status: "failed" | "cancelled", reason: string): RunEvent {
  const now = Date.now();
  const common = {
    v: 1 as const,
    runId,
    ts: new Date(now).toISOString(),
    stats: emptyStats(),
    timings: toRunTimings(emptyTimings(now), now),
    failures: [],
  };
  return status === "failed"
    ? { ...common, type: "run.failed", reason }
    : { ...common, type: "run.cancelled" };
}

/** The run's final scopes (its starting ones before the first commit): what its secrets are read from. */
function finalScopes(plan: RunPlan, scopes: RunState["scopes"] | undefined) {
  return {
    environment: scopes?.environment ?? plan.environment.values,
    globals: scopes?.globals ?? plan.globals,
    collection: scopes?.collection ?? plan.collection.variables,
  };
}

/**
 * What the reporters need besides events — collection identity and tree, the final scopes — as JSON,
 * masked like the events (with the final scopes' secrets).
 */
export function reportContextJson(plan: RunPlan, scopes: RunState["scopes"] | undefined): string {
  const final = finalScopes(plan, scopes);
  const { tree, event } = collectionItems(plan.collection);
  const context = {
    collection: { id: plan.collection.id, name: plan.collection.name },
    items: tree,
    events: event,
    environment: {
      ...(plan.environment.name ? { name: plan.environment.name } : {}),
      values: final.environment,
    },
    globals: { values: final.globals },
  };
  return JSON.stringify(maskDeep(context, runMasker(plan, final)));
}

/**
 * The run's cookie jar as it stands (the starting one before the first commit), in tough-cookie's
 * serialisation (Newman's --export-cookie-jar), masked like the reports.
 */
export function cookieJarJson(
  plan: RunPlan,
  state: Pick<RunState, "scopes" | "cookies"> | undefined,
): string {
  const now = Date.now();
  const cookies = cookiesToJar(state?.cookies ?? cookiesFromJar(plan.options.cookies ?? [], now), now);
  return JSON.stringify(maskDeep({ cookies }, runMasker(plan, finalScopes(plan, state?.scopes))));
}

export interface RunInit {
  /**
   * The plan as JSON: an RPC argument is copied by structured clone, which for an object tree costs
   * about three times what the same data as one string does, and the object stores the text as is.
   */
  planJson: string;
  workspaceId: string;
  requestedRegion: Region;
  monitorId: string | null;
  /** The workspace's target allow list at submission time (a run keeps the policy it started with). */
  allowHosts?: string[];
  source?: RunSource;
  trace?: RunTrace;
}

/** A new run's record: queued, with what admission decided (region, monitor, allow list, source, trace). */
export function initialRecord(init: RunInit, plan: RunPlan): RunRecord {
  return {
    id: plan.runId,
    workspaceId: init.workspaceId,
    status: "queued",
    collection: { id: plan.collection.id, name: plan.collection.name },
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    requestedRegion: init.requestedRegion,
    actualRegion: null,
    monitorId: init.monitorId,
    reason: null,
    cancelRequested: false,
    terminal: null,
    ...(init.allowHosts?.length ? { allowHosts: init.allowHosts } : {}),
    ...(init.source && (init.source.collection || init.source.environment) ? { source: init.source } : {}),
    trace: init.trace ?? { traceId: newTraceId(), spanId: newSpanId() },
  };
}
