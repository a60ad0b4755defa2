/**
 * The numbers the `cli` reporter keeps over a run: response times for the summary (as Newman computes
 * them) and, under `--verbose`, per-phase timings with their totals and percentiles.
 */
import type { RequestCompletedEvent } from "../shared/schemas/events";

/** Welford's running mean and variance of response times, as Newman's summary computes them. */
export class ResponseStats {
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #min = 0;
  #max = 0;

  add(ms: number): void {
    if (!ms) return;
    this.#n++;
    const d1 = ms - this.#mean;
    this.#mean += d1 / this.#n;
    this.#m2 += d1 * (ms - this.#mean);
    this.#min = this.#n === 1 ? ms : Math.min(this.#min, ms);
    this.#max = Math.max(this.#max, ms);
  }

  get(): { average: number; min: number; max: number; sd: number } | undefined {
    if (!this.#n) return undefined;
    return { average: this.#mean, min: this.#min, max: this.#max, sd: Math.sqrt(this.#m2 / this.#n) };
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
