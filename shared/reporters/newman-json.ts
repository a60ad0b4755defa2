/**
 * Newman's JSON report (`newman run -r json`), built from the event stream. CI tools parse this shape,
 * so key names and nesting follow newman 6; values come only from events (reporters never re-run
 * anything), consumed one at a time.
 */

import { nodeErrorFields } from "../engine/request-error";
import { itemFailures, MAX_KEPT_FAILURES } from "../engine/stats";
import type { JsonValue } from "../engine/types";
import type {
  AssertionResult,
  Failure,
  RequestCompletedEvent,
  RunEvent,
  RunStats,
  RunTimings,
  TerminalEvent,
} from "../schemas/events";
import type { ReportFolder, ReportItem } from "./collection-json";
import { type CursorFrame, CursorTrack } from "./newman-cursor";
import {
  type ExecutionRef,
  failure,
  type ItemParents,
  type NewmanUrl,
  newmanUrl,
  refOf,
  scriptErrorsOf,
} from "./newman-failures";
import { type NewmanBody, type NewmanHeader, newmanBody, newmanHeaders } from "./newman-request";

export interface ReportVariable {
  key: string;
  value: JsonValue;
  type?: string;
  enabled?: boolean;
}

export interface ReportContext {
  collection: { id: string; name: string; info?: Record<string, unknown> };
  /** The collection's item tree (see collection-json.ts); echoed as Newman does. */
  items?: Array<ReportItem | ReportFolder>;
  /** The collection's own scripts. */
  events?: unknown[];
  environment?: { name?: string; values: ReportVariable[] };
  globals?: { values: ReportVariable[] };
}

export type EventSource = AsyncIterable<RunEvent> | Iterable<RunEvent>;

interface NewmanAssertion {
  assertion: string;
  skipped: boolean;
  error?: { name: string; index: number; test: string; message: string; stack: string };
}

export interface NewmanExecution {
  cursor: {
    position: number;
    iteration: number;
    length: number;
    cycles: number;
    empty: boolean;
    eof: boolean;
    bof: boolean;
    cr: boolean;
    ref: string;
    httpRequestId: string;
  };
  item: { id: string; name: string } | ReportItem;
  request: {
    url: NewmanUrl;
    method: string;
    header: NewmanHeader[];
    body?: NewmanBody;
  };
  response?: {
    id: string;
    status: string;
    code: number;
    header: Array<{ key: string; value: string }>;
    stream: { type: "Buffer"; data: number[] };
    cookie: unknown[];
    responseTime: number;
    responseSize: number;
  };
  id: string;
  assertions?: NewmanAssertion[];
  /** Node's error fields, as Newman stores its error (`{ errno, code, syscall, address, port }`). */
  requestError?: Record<string, unknown>;
  testScript?: Array<{ error?: { name: string; message: string } }>;
  prerequestScript?: Array<{ error?: { name: string; message: string } }>;
}

export interface NewmanReport {
  collection: Record<string, unknown>;
  environment: Record<string, unknown>;
  globals: Record<string, unknown>;
  run: {
    stats: RunStats;
    timings: Record<string, number>;
    executions: NewmanExecution[];
    transfers: { responseTotal: number };
    failures: Array<Record<string, unknown>>;
    error: null | { name: string; message: string };
  };
}

function scope(id: string, name: string | undefined, values: ReportVariable[] | undefined, kind: string) {
  return {
    id,
    ...(name ? { name } : {}),
    values: (values ?? []).map((v) => ({
      type: v.type ?? "any",
      value: v.value,
      key: v.key,
      ...(v.enabled === false ? { disabled: true } : {}),
    })),
    _postman_variable_scope: kind,
  };
}

/** Each item's folder, or the collection for a top-level item (see ItemParents). */
function indexParents(
  tree: Array<ReportItem | ReportFolder>,
  parent: { id: string; name: string },
  out: ItemParents = new Map(),
): ItemParents {
  for (const node of tree) {
    if ("request" in node) out.set(node.id, parent);
    else indexParents(node.item, { id: node.id, name: node.name }, out);
  }
  return out;
}

function indexItems(
  tree: Array<ReportItem | ReportFolder>,
  out = new Map<string, ReportItem>(),
): Map<string, ReportItem> {
  for (const node of tree) {
    if ("request" in node) out.set(node.id, node);
    else indexItems(node.item, out);
  }
  return out;
}

function execution(
  e: RequestCompletedEvent,
  at: CursorFrame,
  definition: ReportItem | undefined,
): NewmanExecution {
  const { position } = at;
  const id = `${e.item.id}-${e.iteration}-${at.seq}`;
  const body = newmanBody(e.request, definition);
  const assertions = e.assertions.map(
    (a: AssertionResult, index): NewmanAssertion => ({
      assertion: a.name,
      skipped: a.skipped,
      ...(a.error && !a.passed
        ? {
            error: {
              name: a.error.name,
              index: a.index ?? index,
              test: a.name,
              message: a.error.message,
              stack: `${a.error.name}: ${a.error.message}`,
            },
          }
        : {}),
    }),
  );
  return {
    cursor: {
      position,
      iteration: e.iteration,
      length: at.length,
      cycles: at.cycles,
      empty: at.length === 0,
      eof: false,
      bof: position === 0 && e.iteration === 0,
      cr: false,
      ref: id,
      httpRequestId: id,
    },
    item: definition ?? { id: e.item.id, name: e.item.name },
    request: {
      url: newmanUrl(e.request.url),
      header: newmanHeaders(e.request),
      method: e.request.method,
      ...(body ? { body } : {}),
    },
    ...(e.response
      ? {
          response: {
            id: `${id}-response`,
            status: e.response.status,
            code: e.response.code,
            header: e.response.headers,
            // Newman stores the whole body; events keep a capped preview, so the report carries that.
            stream: { type: "Buffer" as const, data: [...new TextEncoder().encode(e.response.bodyPreview)] },
            cookie: [],
            responseTime: e.response.timeMs,
            responseSize: e.response.size,
          },
        }
      : {}),
    id,
    ...(assertions.length ? { assertions } : {}),
    ...requestErrorOf(e),
    ...scriptErrorsOf(e, "prerequest"),
    ...scriptErrorsOf(e, "test"),
  };
}

/**
 * Newman's `requestError` of an item's execution: the last error of the requests its cursor sent, in
 * the order Newman hears of them (the pre-request script's `pm.sendRequest`s, the item's request, the
 * test script's), because each one's `request` event assigns into one execution object.
 */
function requestErrorOf(e: RequestCompletedEvent): { requestError?: Record<string, unknown> } {
  const sides = e.sideRequests ?? [];
  const ordered = [
    ...sides.filter((r) => r.event === "prerequest").map((r) => r.error),
    e.error,
    ...sides.filter((r) => r.event === "test").map((r) => r.error),
  ];
  const error = ordered.findLast((x) => x !== undefined);
  return error ? { requestError: nodeErrorFields(error) ?? error } : {};
}

/**
 * How many times Newman's report lists an item's execution: once per request its cursor sent, each
 * `pm.sendRequest` of its scripts and each auth handshake's replay (digest, NTLM) too (Newman pushes the same object on every `request` event, so the
 * entries are identical and `executions.length` equals `stats.requests.total`). Newman's entries show
 * the request and response of the last request sent; edgerun's show the item's own, as its events
 * keep no side request's headers or body.
 */
function listings(e: RequestCompletedEvent): number {
  return 1 + (e.sideRequests?.length ?? 0) + (e.authRequests ?? 0);
}

type Terminal = Pick<TerminalEvent, "type" | "stats" | "timings" | "failures"> & { reason?: string };

function isTerminal(e: RunEvent): e is TerminalEvent {
  return e.type === "run.completed" || e.type === "run.failed" || e.type === "run.cancelled";
}

function terminalOf(e: TerminalEvent): Terminal {
  return { ...e, ...(e.type === "run.failed" ? { reason: e.reason } : {}) };
}

/** The report's parts before `run` (collection, environment, globals), in Newman's key order. */
function reportHead(ctx: ReportContext): Pick<NewmanReport, "collection" | "environment" | "globals"> {
  const info = ctx.collection.info ?? {};
  return {
    collection: {
      _: { postman_id: ctx.collection.id },
      item: ctx.items ?? [],
      event: ctx.events ?? [],
      variable: [],
      info: {
        _postman_id: ctx.collection.id,
        name: ctx.collection.name,
        schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        ...info,
      },
    },
    environment: scope("environment", ctx.environment?.name, ctx.environment?.values, "environment"),
    globals: scope("globals", undefined, ctx.globals?.values, "globals"),
  };
}

function reportTimings(t: RunTimings | undefined): Record<string, number> {
  return {
    responseAverage: t?.responseAverage ?? 0,
    responseMin: t?.responseMin ?? 0,
    responseMax: t?.responseMax ?? 0,
    responseSd: t?.responseSd ?? 0,
    dnsAverage: 0,
    dnsMin: 0,
    dnsMax: 0,
    dnsSd: 0,
    firstByteAverage: 0,
    firstByteMin: 0,
    firstByteMax: 0,
    firstByteSd: 0,
    started: t?.started ?? 0,
    completed: t?.completed ?? 0,
  };
}

function runError(terminal: Terminal | undefined): NewmanReport["run"]["error"] {
  return terminal?.type === "run.failed"
    ? { name: "RunError", message: terminal.reason ?? "run failed" }
    : null;
}

/**
 * Builds the Newman JSON report as one object; consumes the events once. Holds every execution in
 * memory: long runs should use `newmanReportStream`, which produces the same JSON text.
 */
export async function buildNewmanReport(events: EventSource, ctx: ReportContext): Promise<NewmanReport> {
  const executions: NewmanExecution[] = [];
  const byItem = new Map<string, ExecutionRef>();
  const definitions = indexItems(ctx.items ?? []);
  const parents = indexParents(ctx.items ?? [], { id: ctx.collection.id, name: ctx.collection.name });
  const cursor = new CursorTrack(definitions);
  let terminal: Terminal | undefined;
  let responseTotal = 0;
  const rebuilt: Failure[] = [];
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type === "run.started") cursor.started(e);
    else if (e.type === "request.completed") {
      const ex = execution(e, cursor.next(e), definitions.get(e.item.id));
      for (let i = listings(e); i > 0; i--) executions.push(ex);
      byItem.set(`${e.item.id}:${e.iteration}`, refOf(ex));
      responseTotal += e.response?.size ?? 0;
      rebuilt.push(...itemFailures(e, { bail: false }));
    } else if (isTerminal(e)) terminal = terminalOf(e);
  }
  return {
    ...reportHead(ctx),
    run: {
      stats: terminal?.stats ?? emptyStats(),
      timings: reportTimings(terminal?.timings),
      executions,
      transfers: { responseTotal },
      failures: allFailures(terminal, rebuilt).map((f, i) => failure(f, i, byItem, definitions, parents)),
      error: runError(terminal),
    },
  };
}

export interface NewmanStreamOptions {
  /**
   * The run's terminal event, when the caller can read it before the others (a finished run's last
   * stored event). With it the text is byte-identical to `JSON.stringify(buildNewmanReport(…))`;
   * without it `stats` and `timings` follow the executions (the same JSON, other key order).
   */
  terminal?: TerminalEvent;
  /** Characters per yielded chunk (default 64 KiB): fewer, larger writes without holding the report. */
  chunkChars?: number;
}

/**
 * Streams the Newman JSON report as text while reading the events once, so a 100,000-request run's
 * report (hundreds of MB) never sits in memory: only the executions that failures point back to are
 * remembered. The API's `?format=newman` and through it the CLI's `json` reporter use this.
 */
export async function* newmanReportStream(
  events: EventSource,
  ctx: ReportContext,
  options: NewmanStreamOptions = {},
): AsyncGenerator<string> {
  const known = options.terminal ? terminalOf(options.terminal) : undefined;
  const wanted =
    known && !truncated(known)
      ? new Set(known.failures.map((f) => f.item && `${f.item.id}:${f.iteration}`))
      : null;
  const rebuilt: Failure[] = [];
  const limit = options.chunkChars ?? 65_536;
  const definitions = indexItems(ctx.items ?? []);
  const parents = indexParents(ctx.items ?? [], { id: ctx.collection.id, name: ctx.collection.name });
  const cursor = new CursorTrack(definitions);
  const byItem = new Map<string, ExecutionRef>();
  const head = JSON.stringify(reportHead(ctx));
  let buffer = `${head.slice(0, -1)},"run":{`;
  if (known)
    buffer += `"stats":${JSON.stringify(known.stats)},"timings":${JSON.stringify(reportTimings(known.timings))},`;
  buffer += `"executions":[`;
  let terminal = known;
  let count = 0;
  let responseTotal = 0;
  for await (const e of events as AsyncIterable<RunEvent>) {
    if (e.type === "run.started") cursor.started(e);
    else if (e.type === "request.completed") {
      const ex = execution(e, cursor.next(e), definitions.get(e.item.id));
      const key = `${e.item.id}:${e.iteration}`;
      // Without the terminal event, remember what can be a failure's target (and later runs of it).
      const keep = wanted ? wanted.has(key) : byItem.has(key) || mayFail(e);
      if (keep) byItem.set(key, refOf(ex));
      if (!wanted) rebuilt.push(...itemFailures(e, { bail: false }));
      const text = JSON.stringify(ex);
      for (let i = listings(e); i > 0; i--) {
        buffer += `${count ? "," : ""}${text}`;
        count++;
      }
      responseTotal += e.response?.size ?? 0;
      if (buffer.length >= limit) {
        yield buffer;
        buffer = "";
      }
    } else if (isTerminal(e) && !known) terminal = terminalOf(e);
  }
  buffer += `],"transfers":${JSON.stringify({ responseTotal })},"failures":${JSON.stringify(
    allFailures(terminal, rebuilt).map((f, i) => failure(f, i, byItem, definitions, parents)),
  )},"error":${JSON.stringify(runError(terminal))}`;
  if (!known) {
    buffer += `,"stats":${JSON.stringify(terminal?.stats ?? emptyStats())},"timings":${JSON.stringify(reportTimings(terminal?.timings))}`;
  }
  yield `${buffer}}}`;
}

/** The terminal event lists at most MAX_KEPT_FAILURES failures (its stats count them all). */
function truncated(t: Terminal): boolean {
  return t.failures.length >= MAX_KEPT_FAILURES;
}

/**
 * Every failure, as Newman lists them: the terminal event's own list when it is complete, else the
 * list rebuilt from the request.completed events plus the run-level failure the terminal event adds.
 * (`--bail` stops at the first failing item, so its list is never the truncated one.)
 */
function allFailures(terminal: Terminal | undefined, rebuilt: Failure[]): Failure[] {
  if (!terminal) return [];
  if (!truncated(terminal)) return terminal.failures;
  return [...rebuilt, ...terminal.failures.filter((f) => f.source === "run")];
}

function mayFail(e: RequestCompletedEvent): boolean {
  return (
    Boolean(e.error) ||
    e.scriptErrors.length > 0 ||
    Boolean(e.sideRequestFailures?.length) ||
    e.assertions.some((a) => !a.passed)
  );
}

function emptyStats(): RunStats {
  const c = () => ({ total: 0, pending: 0, failed: 0 });
  return {
    iterations: c(),
    items: c(),
    scripts: c(),
    prerequests: c(),
    requests: c(),
    tests: c(),
    assertions: c(),
    testScripts: c(),
    prerequestScripts: c(),
  };
}
