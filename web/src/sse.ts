/**
 * Follows a run's event stream with `fetch()` (EventSource cannot send the Authorization header):
 * a small incremental SSE parser, reconnection with `Last-Event-ID`, and de-duplication by sequence
 * number, so a dropped connection never shows an event twice or loses one.
 */
import type { RunEvent } from "../../shared/schemas/events";
import { ApiError, apiResponse } from "./api";
import { SseParser } from "./sse-parser";

export interface SequencedRunEvent {
  seq: number;
  event: RunEvent;
}

export type StreamState = "connecting" | "live" | "reconnecting" | "ended";

export interface FollowOptions {
  runId: string;
  /** Called with each batch of new events, in sequence order, never repeating a sequence number. */
  onEvents: (events: SequencedRunEvent[]) => void;
  onState: (state: StreamState, detail?: string) => void;
  signal: AbortSignal;
  /** Resume after this sequence number (0 replays the whole run). */
  after?: number;
}

const TERMINAL = new Set(["run.completed", "run.failed", "run.cancelled"]);

/** The server sends a heartbeat every 15 s; a connection silent for longer than this is dead. */
const STALL_MS = 40_000;

async function readOnce(opts: FollowOptions, last: { seq: number }): Promise<boolean> {
  // One controller per connection: the caller's abort ends it, and so does a silent (half-open) socket.
  const connection = new AbortController();
  const abort = () => connection.abort();
  opts.signal.addEventListener("abort", abort);
  let watchdog = setTimeout(abort, STALL_MS);
  try {
    return await readStream(opts, last, connection.signal, () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(abort, STALL_MS);
    });
  } finally {
    clearTimeout(watchdog);
    opts.signal.removeEventListener("abort", abort);
  }
}

async function readStream(
  opts: FollowOptions,
  last: { seq: number },
  signal: AbortSignal,
  alive: () => void,
): Promise<boolean> {
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (last.seq > 0) headers["last-event-id"] = String(last.seq);
  const res = await apiResponse(`/v1/runs/${encodeURIComponent(opts.runId)}/events`, {
    headers,
    signal,
    cache: "no-store",
  });
  opts.onState("live");
  if (!res.body) return false;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return ended;
      alive();
      const batch: SequencedRunEvent[] = [];
      for (const raw of parser.push(value)) {
        const seq = Number(raw.id);
        if (!Number.isFinite(seq) || seq <= last.seq) continue;
        last.seq = seq;
        const event = JSON.parse(raw.data) as RunEvent;
        batch.push({ seq, event });
        if (TERMINAL.has(event.type)) ended = true;
      }
      if (batch.length > 0) opts.onEvents(batch);
      if (ended) {
        await reader.cancel().catch(() => {});
        return true;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Streams the run until its terminal event, reconnecting with backoff after network loss. Permanent
 * answers (401, 404) end it with an error state; aborting the signal stops it quietly.
 */
export async function followRun(opts: FollowOptions): Promise<void> {
  const last = { seq: opts.after ?? 0 };
  let delay = 250;
  opts.onState("connecting");
  while (!opts.signal.aborted) {
    const before = last.seq;
    try {
      if (await readOnce(opts, last)) {
        opts.onState("ended");
        return;
      }
    } catch (error) {
      if (opts.signal.aborted) return;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) {
        opts.onState("ended", error.message);
        return;
      }
    }
    if (opts.signal.aborted) return;
    // A connection that delivered events was healthy: start the backoff again from the shortest delay.
    if (last.seq > before) delay = 250;
    opts.onState("reconnecting");
    await wait(delay, opts.signal);
    delay = Math.min(delay * 2, 5000);
  }
}
