/**
 * The run's SQLite event log and its SSE subscribers.
 *
 * A stream replays from SQLite page by page as the client reads (pull-based: a finished 100,000-event
 * run replays in constant memory, at the client's pace), then turns live. "Caught up → subscribe"
 * happens in one synchronous turn of the Durable Object, so no event can slip between replay and live
 * delivery; live delivery skips anything at or below the subscriber's cursor, so none is sent twice.
 * Sequence numbers advance only when the transaction that wrote the events has committed.
 */

import { fitEvent } from "../shared/engine/event-fit";
import type { RunEvent } from "../shared/schemas/events";
import { decodeStoredEvent, encodeStoredEvent } from "./event-codec";

const encoder = new TextEncoder();
/** A live subscriber whose unread backlog exceeds this is dropped; it reconnects with Last-Event-ID. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
const REPLAY_PAGE = 200;
const HEARTBEAT_MS = 15_000;
/** Rows per INSERT: three bound parameters each, within SQLite's per-statement limit in Durable Objects (100). */
const ROWS_PER_INSERT = 32;
const PLACEHOLDERS = Array.from({ length: ROWS_PER_INSERT + 1 }, (_, n) =>
  Array.from({ length: n }, () => "(?, ?, ?)").join(", "),
);
const insertRows = (n: number): string => PLACEHOLDERS[n]!;

interface Subscriber {
  controller: ReadableStreamDefaultController<Uint8Array>;
  cursor: number;
}

export interface AppendedEvent {
  seq: number;
  event: RunEvent;
  json: string;
}

export function formatSse(seq: number, json: string, type: string): string {
  return `id: ${seq}\nevent: ${type}\ndata: ${json}\n\n`;
}

function sseText(items: AppendedEvent[]): string {
  let text = "";
  for (const item of items) text += formatSse(item.seq, item.json, item.event.type);
  return text;
}

/** `Last-Event-ID` must be a non-negative integer; anything else replays from the start (with a note). */
export function parseLastEventId(raw: string | null): { after: number; note: string | null } {
  if (raw === null || raw === "") return { after: 0, note: null };
  if (/^\d{1,15}$/.test(raw)) return { after: Number(raw), note: null };
  const shown = raw.slice(0, 40).replace(/[\r\n]/g, " ");
  return {
    after: 0,
    note: `Last-Event-ID "${shown}" is not a non-negative integer; replaying from the start`,
  };
}

export class EventLog {
  readonly #sql: SqlStorage;
  readonly #subscribers = new Set<Subscriber>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastSeq: number;

  /** The envelope every event of this run starts with; stored once per run, not once per row. */
  readonly #prefix: string;

  constructor(sql: SqlStorage, runId: string) {
    this.#sql = sql;
    this.#prefix = `{"v":1,"runId":${JSON.stringify(runId)},`;
    const row = sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM events").one();
    this.#lastSeq = row.seq ?? 0;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * Writes events to SQLite; the caller wraps this in the same transaction as the state checkpoint and
   * calls `committed()` after it succeeded (a failed transaction leaves the sequence untouched).
   */
  appendSync(events: RunEvent[]): AppendedEvent[] {
    const out: AppendedEvent[] = [];
    let seq = this.#lastSeq;
    for (const event of events) {
      seq++;
      // An event past one row's size is shrunk to fit (event-fit.ts); any other is stored as it is.
      out.push({ seq, ...fitEvent(event, JSON.stringify(event)) });
    }
    // A group commit's rows go in a few multi-row statements (each statement has a fixed cost).
    for (let i = 0; i < out.length; i += ROWS_PER_INSERT) {
      const rows = out.slice(i, i + ROWS_PER_INSERT);
      const values: Array<string | number> = [];
      // At rest: no envelope, dictionary tokens for common fragments (event-codec.ts); reads restore it.
      for (const r of rows) values.push(r.seq, r.event.type, encodeStoredEvent(r.json, this.#prefix));
      this.#sql.exec(`INSERT INTO events (seq, type, data) VALUES ${insertRows(rows.length)}`, ...values);
    }
    return out;
  }

  /** Advances the sequence past events whose transaction committed. */
  committed(rows: AppendedEvent[]): void {
    const last = rows[rows.length - 1];
    if (last) this.#lastSeq = last.seq;
  }

  /** Pushes committed events to live subscribers; closes their streams after a terminal event. */
  broadcast(items: AppendedEvent[], terminal: boolean): void {
    // One chunk per commit and subscriber: a group commit's events leave together.
    let all: Uint8Array | undefined;
    for (const sub of [...this.#subscribers]) {
      const fresh = items.filter((item) => item.seq > sub.cursor);
      if (fresh.length > 0) {
        if (fresh.length === items.length) all ??= encoder.encode(sseText(items));
        const chunk = fresh.length === items.length ? all! : encoder.encode(sseText(fresh));
        this.#push(sub, chunk);
        sub.cursor = fresh[fresh.length - 1]!.seq;
      }
      if (terminal) this.#close(sub);
    }
  }

  /** Iterates stored events after `afterSeq` page by page (constant memory for long runs). */
  *read(afterSeq: number): Generator<{ seq: number; type: string; json: string }> {
    let cursor = afterSeq;
    for (;;) {
      const rows = this.#page(cursor);
      for (const row of rows) yield row;
      if (rows.length < REPLAY_PAGE) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Opens an SSE stream after `afterSeq`. `isFinished` is asked when the replay catches up: a finished
   * run's stream closes there, a live one subscribes.
   */
  open(opts: {
    afterSeq: number;
    note: string | null;
    isFinished: () => boolean;
  }): ReadableStream<Uint8Array> {
    let cursor = opts.afterSeq;
    let live: Subscriber | null = null;
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const note = opts.note ? `: ${opts.note}\n` : "";
          controller.enqueue(encoder.encode(`: edgerun event stream\n${note}retry: 2000\n\n`));
        },
        pull: (controller) => {
          if (live) return;
          const rows = this.#page(cursor);
          for (const row of rows) {
            controller.enqueue(encoder.encode(formatSse(row.seq, row.json, row.type)));
            cursor = row.seq;
          }
          if (rows.length === REPLAY_PAGE) return;
          if (opts.isFinished()) {
            controller.close();
            return;
          }
          live = { controller, cursor };
          this.#subscribers.add(live);
          this.#ensureHeartbeat();
        },
        cancel: () => {
          if (live) this.#subscribers.delete(live);
          this.#stopHeartbeatIfIdle();
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }

  #page(after: number): Array<{ seq: number; type: string; json: string }> {
    return this.#sql
      .exec<{ seq: number; type: string; data: string }>(
        "SELECT seq, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
        after,
        REPLAY_PAGE,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, type: r.type, json: decodeStoredEvent(r.data, this.#prefix) }));
  }

  #push(sub: Subscriber, chunk: Uint8Array): void {
    const desired = sub.controller.desiredSize;
    if (desired !== null && desired < -MAX_BACKLOG_BYTES) {
      this.#subscribers.delete(sub);
      sub.controller.error(new Error("subscriber too slow; reconnect with Last-Event-ID"));
      this.#stopHeartbeatIfIdle();
      return;
    }
    try {
      sub.controller.enqueue(chunk);
    } catch {
      this.#subscribers.delete(sub); // the client went away
      this.#stopHeartbeatIfIdle();
    }
  }

  #close(sub: Subscriber): void {
    this.#subscribers.delete(sub);
    try {
      sub.controller.close();
    } catch {
      // already closed or errored
    }
    this.#stopHeartbeatIfIdle();
  }

  #ensureHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      const ping = encoder.encode(`: heartbeat ${Date.now()}\n\n`);
      for (const sub of [...this.#subscribers]) this.#push(sub, ping);
    }, HEARTBEAT_MS);
  }

  #stopHeartbeatIfIdle(): void {
    if (this.#subscribers.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
