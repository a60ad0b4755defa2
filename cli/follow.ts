/**
 * Follows a run's SSE stream to its terminal event. A dropped connection is resumed with
 * `Last-Event-ID`, so the consumer sees every event exactly once, in sequence order.
 */
import type { RunEvent, TerminalEvent } from "../shared/schemas/events";
import { CliError } from "./args";
import type { Server } from "./server";

/**
 * The events that end a run. The same list as the schemas' `TERMINAL_EVENTS`, kept here so that the
 * CLI's start-up does not load zod and every event schema (≈ 0.1 s) just to read a stream.
 */
const TERMINAL_TYPES: ReadonlySet<string> = new Set(["run.completed", "run.failed", "run.cancelled"]);

/** Whether the run is over with this event. */
export const isTerminal = (e: RunEvent): e is TerminalEvent => TERMINAL_TYPES.has(e.type);

export interface StreamedEvent {
  seq: number;
  event: RunEvent;
}

interface SseMessage {
  id?: string;
  data: string;
}

/** Splits an SSE byte stream into messages (comments and heartbeats are dropped). */
async function* messages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | undefined;
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
      if (line === "") {
        if (data.length) yield { id, data: data.join("\n") };
        id = undefined;
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") id = value;
        else if (field === "data") data.push(value);
      }
    }
  }
}

/** `GET /v1/runs/{id}/events` after `last`: the body of a stream that resumes there. */
async function eventsFrom(
  server: Server,
  runId: string,
  last: number,
  signal: AbortSignal | undefined,
): Promise<ReadableStream<Uint8Array>> {
  const res = await server.api(`/v1/runs/${encodeURIComponent(runId)}/events`, {
    headers: { accept: "text/event-stream", "last-event-id": String(last) },
    ...(signal ? { signal } : {}),
  });
  if (res.status === 404) throw new CliError(`Run ${runId} no longer exists on the server.`);
  if (!res.ok || !res.body) throw new Error(`events stream answered HTTP ${res.status}`);
  return res.body;
}

/** Waits `ms`, or less if `signal` aborts (then throws its reason). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Yields each event once, reconnecting (with backoff, up to `maxReconnects`) until the run ends.
 * Aborting `signal` ends the stream at once by throwing the signal's reason (a cancel deadline, a dead
 * server): a hung connection must never keep the CLI waiting. `initial`: the run's stream from its
 * first event when the submission already opened it (`POST /v1/runs` answered with its event stream);
 * a reconnect asks `GET …/events` for what follows the last event received.
 */
export async function* followRun(
  server: Server,
  runId: string,
  maxReconnects = 8,
  signal?: AbortSignal,
  initial?: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamedEvent> {
  let last = 0;
  let failures = 0;
  let opened = initial;
  for (;;) {
    let ended = false;
    signal?.throwIfAborted();
    try {
      const body = opened ?? (await eventsFrom(server, runId, last, signal));
      opened = undefined;
      for await (const message of messages(body)) {
        const seq = Number(message.id);
        if (!Number.isFinite(seq) || seq <= last) continue;
        last = seq;
        failures = 0;
        const event = JSON.parse(message.data) as RunEvent;
        yield { seq, event };
        if (isTerminal(event)) {
          ended = true;
          break;
        }
      }
    } catch (error) {
      signal?.throwIfAborted();
      if (error instanceof CliError && !error.message.startsWith("Cannot reach")) throw error;
      if (++failures > maxReconnects) {
        throw new CliError(`Lost the event stream of run ${runId}: ${(error as Error).message}`);
      }
    }
    if (ended) return;
    await sleep(Math.min(200 * 2 ** failures, 5000), signal);
  }
}
