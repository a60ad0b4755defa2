/**
 * The run's SQLite event log and its live SSE subscribers.
 *
 * Append and replay are synchronous SQLite operations, so "replay from Last-Event-ID, then subscribe"
 * happens in one turn of the Durable Object's event loop: no event can slip between the two.
 */
import type { RunEvent } from "../shared/schemas/events";

const encoder = new TextEncoder();
/** A subscriber whose unread backlog exceeds this is dropped; it reconnects with Last-Event-ID. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
const REPLAY_PAGE = 500;

interface Subscriber {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  backlog: number;
}

export function formatSse(seq: number, event: RunEvent | string, type?: string): string {
  const data = typeof event === "string" ? event : JSON.stringify(event);
  return `id: ${seq}\nevent: ${type ?? (event as RunEvent).type}\ndata: ${data}\n\n`;
}

export class EventLog {
  readonly #sql: SqlStorage;
  readonly #subscribers = new Set<Subscriber>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastSeq: number;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    const row = sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM events").one();
    this.#lastSeq = row.seq ?? 0;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Writes events to SQLite (caller wraps this in the same transaction as the state checkpoint). */
  appendSync(events: RunEvent[]): Array<{ seq: number; event: RunEvent; json: string }> {
    const out: Array<{ seq: number; event: RunEvent; json: string }> = [];
    for (const event of events) {
      const seq = ++this.#lastSeq;
      const json = JSON.stringify(event);
      this.#sql.exec("INSERT INTO events (seq, type, data) VALUES (?, ?, ?)", seq, event.type, json);
      out.push({ seq, event, json });
    }
    return out;
  }

  /** Pushes already-committed events to live subscribers; closes streams after a terminal event. */
  broadcast(items: Array<{ seq: number; event: RunEvent; json: string }>, terminal: boolean): void {
    for (const item of items) {
      const chunk = encoder.encode(formatSse(item.seq, item.json, item.event.type));
      for (const sub of this.#subscribers) this.#write(sub, chunk);
    }
    if (terminal) {
      for (const sub of this.#subscribers) this.#close(sub);
    }
  }

  /** Iterates stored events after `afterSeq` page by page (constant memory for long runs). */
  *read(afterSeq: number): Generator<{ seq: number; type: string; json: string }> {
    let cursor = afterSeq;
    for (;;) {
      const rows = this.#sql
        .exec<{ seq: number; type: string; data: string }>(
          "SELECT seq, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
          cursor,
          REPLAY_PAGE,
        )
        .toArray();
      for (const row of rows) yield { seq: row.seq, type: row.type, json: row.data };
      if (rows.length < REPLAY_PAGE) return;
      cursor = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Opens an SSE stream: replays events after `afterSeq`, then follows live unless the run is finished.
   * Replay is written synchronously before the subscriber is registered, in the same turn.
   */
  open(afterSeq: number, finished: boolean): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(undefined, undefined, {
      highWaterMark: 1024 * 1024,
      size: (c) => c.byteLength,
    });
    const sub: Subscriber = { writer: writable.getWriter(), backlog: 0 };
    this.#write(sub, encoder.encode(": edgerun event stream\nretry: 2000\n\n"));
    for (const row of this.read(afterSeq))
      this.#write(sub, encoder.encode(formatSse(row.seq, row.json, row.type)));
    if (finished) {
      this.#close(sub);
    } else {
      this.#subscribers.add(sub);
      this.#ensureHeartbeat();
    }
    return readable;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  #write(sub: Subscriber, chunk: Uint8Array): void {
    sub.backlog += chunk.byteLength;
    if (sub.backlog > MAX_BACKLOG_BYTES) {
      this.#drop(sub);
      return;
    }
    sub.writer.write(chunk).then(
      () => {
        sub.backlog -= chunk.byteLength;
      },
      () => this.#drop(sub),
    );
  }

  #close(sub: Subscriber): void {
    this.#subscribers.delete(sub);
    sub.writer.close().catch(() => undefined);
    this.#stopHeartbeatIfIdle();
  }

  #drop(sub: Subscriber): void {
    if (!this.#subscribers.delete(sub) && sub.backlog < 0) return;
    sub.writer.abort("subscriber too slow or gone").catch(() => undefined);
    this.#stopHeartbeatIfIdle();
  }

  #ensureHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      const ping = encoder.encode(`: heartbeat ${Date.now()}\n\n`);
      for (const sub of this.#subscribers) this.#write(sub, ping);
    }, 15_000);
  }

  #stopHeartbeatIfIdle(): void {
    if (this.#subscribers.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
