/**
 * The numbers the `cli` reporter keeps over a run: response times for the summary (as Newman computes
 * them) and, under `--verbose`, per-phase timings with their totals and percentiles.
 */
import type { RequestCompletedEvent } from "../shared/schemas/events";

/**
 * Response times as Newman's summary keeps them (run/summary.js): Welford's update over the run's
 * requests so far, each request counted, a request without a time (an error, 0 ms) skipped but still
 * dividing — so its average is the total over every request, and its minimum the least non-zero time.
 */
export class ResponseStats {
  #average = 0;
  #sd = 0;
  #min = 0;
  #max = 0;

  /** `requests`: the run's requests so far, this one included (pm.sendRequest's too, as Newman's). */
  add(ms: number | undefined, requests: number): void {
    if (!ms || requests < 1) return;
    const previous = this.#average;
    this.#average = (previous * (requests - 1) + ms) / requests;
    const variance = (this.#sd ** 2 * (requests - 1) + (ms - previous) * (ms - this.#average)) / requests;
    this.#sd = Math.sqrt(variance);
    this.#min = this.#min ? Math.min(this.#min, ms) : ms;
    this.#max = Math.max(this.#max, ms);
  }

  get(): { average: number; min: number; max: number; sd: number } | undefined {
    if (!this.#average) return undefined;
    return { average: this.#average, min: this.#min, max: this.#max, sd: this.#sd };
  }
}

type Timings = NonNullable<RequestCompletedEvent["timings"]>;
const PHASES = [
  ["waitMs", "rate-limit wait"],
  ["prerequestMs", "pre-request script"],
  ["headersMs", "time to headers"],
  ["totalMs", "request total"],
  ["testMs", "test script"],
] as const;

/** Per-phase totals and percentiles over the run (a bounded sample per phase: constant memory). */
export class PhaseTimings {
  readonly #values = new Map<string, number[]>();
  readonly #totals = new Map<string, number>();
  #seen = 0;

  add(t: Timings): void {
    this.#seen++;
    for (const [k] of PHASES) {
      const v = t[k];
      if (v === undefined) continue;
      this.#totals.set(k, (this.#totals.get(k) ?? 0) + v);
      const list = this.#values.get(k) ?? [];
      if (list.length < 10_000) list.push(v);
      this.#values.set(k, list);
    }
  }

  summary(): string[] {
    if (this.#seen === 0) return [];
    const pct = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    const rows = PHASES.filter(([k]) => this.#values.has(k)).map(([k, label]) => {
      const sorted = [...(this.#values.get(k) ?? [])].sort((a, b) => a - b);
      return `  ${label.padEnd(20)} total ${Math.round(this.#totals.get(k) ?? 0)}ms, p50 ${Math.round(pct(sorted, 50))}ms, p95 ${Math.round(pct(sorted, 95))}ms`;
    });
    return ["", "Phase timings:", ...rows];
  }
}
