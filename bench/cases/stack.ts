/**
 * Cases through the local stack (`wrangler dev`, workerd + SQLite Durable Objects): many concurrent
 * runs (throughput, request and SSE delivery latency), and one long run whose workerd memory is
 * sampled while it runs, while its SSE stream is replayed from the start and while its Newman report
 * is served, plus what it stores per request.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { SseMessage } from "../../web/src/sse-parser";
import { benchCollection } from "../lib/collections";
import { percentile, RssSampler, round } from "../lib/proc";
import { readEvents, type Stack, startAndFollow, submitRun } from "../lib/stack";

interface RequestEvent {
  type: string;
  ts: string;
  response?: { timeMs: number };
  timings?: { totalMs: number };
  assertions?: Array<{ passed: boolean }>;
}

const runBody = (url: string, items: number, iterations: number, scripted = true) => ({
  collection: benchCollection(items, { scripted }),
  environment: { name: "bench", values: [{ key: "base", value: url }] },
  options: { iterationCount: iterations },
});

export interface ConcurrentResult {
  runs: number;
  requestsPerRun: number;
  requests: number;
  wallMs: number;
  requestsPerSecond: number;
  requestMs: { p50: number; p95: number };
  sseDeliveryMs: { p50: number; p99: number };
  /**
   * The same for events created after their run's stream was open (a subscriber waiting for them):
   * the rest were replayed at subscription, so their "delivery" is how long submitting and subscribing
   * took while 50 runs were being admitted at once.
   */
  liveDeliveryMs: { p50: number; p99: number };
  errors: number;
  /** The first few error descriptions, to tell a failed assertion from a failed run. */
  errorSamples: string[];
}

/**
 * `runs` runs of `requests` scripted requests submitted at once, each followed over SSE: by default
 * started and followed in one request (`POST` with `Accept: text/event-stream`); `follow: "get"` submits
 * then opens `GET …/events`, so events created in between are replayed when the stream opens.
 */
export async function concurrentCase(
  stack: Stack,
  opts: {
    url: string;
    runs: number;
    requests: number;
    scripted?: boolean;
    follow?: "post" | "get";
    /** Each event as it arrives (its type, stream id, creation and arrival times): for timelines. */
    onEvent?: (event: { type: string; seq: number; created: number; received: number }) => void;
  },
): Promise<ConcurrentResult> {
  const requestMs: number[] = [];
  const delivery: number[] = [];
  const live: number[] = [];
  let errors = 0;
  const errorSamples: string[] = [];
  const fail = (why: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(why.slice(0, 200));
  };
  let requests = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: opts.runs }, async () => {
      try {
        const body = runBody(opts.url, opts.requests, 1, opts.scripted ?? true);
        let ended = "";
        const post = opts.follow !== "get";
        const id = post ? "" : await submitRun(stack, body);
        const subscribed = Date.now();
        const onMessage = (m: SseMessage, receivedAt: number) => {
          const e = JSON.parse(m.data) as RequestEvent;
          const created = Date.parse(e.ts);
          delivery.push(receivedAt - created);
          opts.onEvent?.({ type: e.type, seq: Number(m.id), created, received: receivedAt });
          if (created > subscribed) live.push(receivedAt - created);
          if (e.type === "request.completed") {
            requests++;
            requestMs.push(e.timings?.totalMs ?? e.response?.timeMs ?? 0);
            const asserted = opts.scripted === false || (e.assertions?.length ?? 0) > 0;
            if (!e.response || !asserted || e.assertions?.some((a) => !a.passed)) fail(m.data);
          } else if (e.type.startsWith("run.") && e.type !== "run.started") ended = e.type;
        };
        if (post) await startAndFollow(stack, body, onMessage);
        else await readEvents(stack, id, onMessage);
        if (ended !== "run.completed") fail(`run ended ${ended || "without a terminal event"}`);
      } catch (error) {
        fail(String(error));
      }
    }),
  );
  const wallMs = Date.now() - t0;
  return {
    runs: opts.runs,
    requestsPerRun: opts.requests,
    requests,
    wallMs,
    requestsPerSecond: round((requests / wallMs) * 1000),
    requestMs: { p50: percentile(requestMs, 50), p95: percentile(requestMs, 95) },
    sseDeliveryMs: { p50: percentile(delivery, 50), p99: percentile(delivery, 99) },
    liveDeliveryMs: { p50: percentile(live, 50), p99: percentile(live, 99) },
    errors,
    errorSamples,
  };
}

export interface BigRunResult {
  requests: number;
  runMs: number;
  requestsPerSecond: number;
  workerdMiB: { run: Phase; replay: Phase; report: Phase };
  replay: { ms: number; events: number; MiB: number };
  report: { ms: number; MiB: number; complete: boolean };
  storage: Storage;
}
type Phase = ReturnType<RssSampler["stop"]>;
interface Storage {
  /** Pages in use in the main database file (WAL excluded: it is checkpointed back into these). */
  dbKiB: number;
  bytesPerRequest: number;
  walKiB: number;
  eventsKiB: number;
  eventBytesPerRequest: number;
  stateKiB: number;
}

/** The largest RunCoordinator SQLite database under the persist directory and what its rows hold. */
function storageOf(persistDir: string, requests: number): Storage {
  const files = readdirSync(persistDir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.includes("RunCoordinator") && f.endsWith(".sqlite"))
    .map((f) => join(persistDir, f));
  const file = files.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  const db = new DatabaseSync(file, { readOnly: true });
  const one = (sql: string) => Number(Object.values(db.prepare(sql).get() ?? {})[0] ?? 0);
  try {
    const used = (one("PRAGMA page_count") - one("PRAGMA freelist_count")) * one("PRAGMA page_size");
    const events = one("SELECT SUM(LENGTH(data)) FROM events");
    return {
      dbKiB: Math.round(used / 1024),
      bytesPerRequest: Math.round(used / requests),
      walKiB: Math.round((statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) / 1024),
      eventsKiB: Math.round(events / 1024),
      eventBytesPerRequest: Math.round(events / requests),
      stateKiB: round(one("SELECT SUM(LENGTH(data)) FROM state_chunks") / 1024),
    };
  } finally {
    db.close();
  }
}

/** One long run (100 scripted items × iterations), then its full SSE replay, then its Newman report. */
export async function bigRunCase(
  stack: Stack,
  opts: { url: string; requests: number; persistDir: string },
): Promise<BigRunResult> {
  const rss = new RssSampler(stack.workerdPid);
  const iterations = Math.ceil(opts.requests / 100);
  rss.start(500);
  const t0 = Date.now();
  const id = await submitRun(stack, runBody(opts.url, 100, iterations));
  let requests = 0;
  await readEvents(stack, id, (m) => {
    if (m.event === "request.completed") requests++;
  });
  const runMs = Date.now() - t0;
  const run = rss.stop();

  rss.start(200);
  const t1 = Date.now();
  let events = 0;
  const replayed = await readEvents(stack, id, () => events++);
  const replayMs = Date.now() - t1;
  const replay = rss.stop();

  rss.start(200);
  const t2 = Date.now();
  const res = await stack.api(`/v1/runs/${id}/report?format=newman`);
  let bytes = 0;
  let head = "";
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    bytes += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    if (head.length < 20) head += text.slice(0, 20);
    tail = (tail + text).slice(-4);
  }
  const reportMs = Date.now() - t2;
  const report = rss.stop();
  return {
    requests,
    runMs,
    requestsPerSecond: round((requests / runMs) * 1000),
    workerdMiB: { run, replay, report },
    replay: { ms: replayMs, events, MiB: round(replayed.bytes / 1048576) },
    report: {
      ms: reportMs,
      MiB: round(bytes / 1048576),
      complete: head.startsWith('{"collection"') && tail.endsWith("}}"),
    },
    storage: storageOf(opts.persistDir, requests),
  };
}
