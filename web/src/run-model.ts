/**
 * A run as the page shows it, built from the event stream: one row per `request.completed`, progress,
 * and the terminal summary. Events arrive in bursts (a replay of 5,000 requests is one burst), so the
 * model applies them at once and tells the view at most once per animation frame.
 */
import type { RequestCompletedEvent, RunEvent, TerminalEvent } from "../../shared/schemas/events";
import type { SequencedRunEvent, StreamState } from "./sse";

export interface RequestRow {
  /** 1-based position in the run (the row number users see). */
  index: number;
  seq: number;
  event: RequestCompletedEvent;
  passed: number;
  failed: number;
  /** The request errored, a script failed or an assertion failed. */
  bad: boolean;
}

export interface RunView {
  runId: string;
  collectionName: string | null;
  iterations: number;
  itemsPerIteration: number;
  iteration: number;
  rows: RequestRow[];
  passed: number;
  failed: number;
  terminal: TerminalEvent | null;
  stream: StreamState;
  streamDetail: string | null;
  /** Bumped on every change so memoised views can compare cheaply. */
  version: number;
}

/** Expected number of requests (planned items × iterations); 0 while unknown. */
export function plannedRequests(view: RunView): number {
  return view.iterations * view.itemsPerIteration;
}

function toRow(seq: number, event: RequestCompletedEvent, index: number): RequestRow {
  let passed = 0;
  let failed = 0;
  for (const a of event.assertions) {
    if (a.skipped) continue;
    if (a.passed) passed++;
    else failed++;
  }
  const bad = failed > 0 || !!event.error || event.scriptErrors.length > 0;
  return { index, seq, event, passed, failed, bad };
}

function applyOne(view: RunView, seq: number, event: RunEvent): void {
  switch (event.type) {
    case "run.started":
      view.collectionName = event.collection.name;
      view.iterations = event.iterations;
      view.itemsPerIteration = event.items;
      break;
    case "iteration.started":
      view.iteration = event.iteration;
      break;
    case "request.completed": {
      const row = toRow(seq, event, view.rows.length + 1);
      view.rows.push(row);
      view.passed += row.passed;
      view.failed += row.failed;
      break;
    }
    case "iteration.completed":
      break;
    default:
      view.terminal = event;
  }
}

/** Holds one run's view and schedules re-renders; the page subscribes with `subscribe`. */
export class RunModel {
  readonly view: RunView;
  #listeners = new Set<() => void>();
  #scheduled = false;
  #lastSeq = 0;

  constructor(runId: string) {
    this.view = {
      runId,
      collectionName: null,
      iterations: 0,
      itemsPerIteration: 0,
      iteration: 0,
      rows: [],
      passed: 0,
      failed: 0,
      terminal: null,
      stream: "connecting",
      streamDetail: null,
      version: 0,
    };
  }

  /** Applies a batch of new events (already de-duplicated by the stream) and schedules one render. */
  apply(events: SequencedRunEvent[]): void {
    for (const { seq, event } of events) {
      applyOne(this.view, seq, event);
      this.#lastSeq = Math.max(this.#lastSeq, seq);
    }
    this.#changed();
  }

  /** The last sequence number applied (a new stream resumes after it). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  setStream(state: StreamState, detail?: string): void {
    this.view.stream = state;
    this.view.streamDetail = detail ?? null;
    this.#changed();
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(): void {
    this.view.version++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    let done = false;
    const flush = () => {
      if (done) return;
      done = true;
      this.#scheduled = false;
      for (const fn of this.#listeners) fn();
    };
    // The next frame, or 250 ms at the latest: browsers pause animation frames in hidden or throttled
    // tabs, and the view must still catch up (the batch then holds everything received meanwhile).
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(flush);
    setTimeout(flush, 250);
  }
}
