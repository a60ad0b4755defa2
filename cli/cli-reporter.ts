/**
 * The `cli` reporter: Newman's live console output (one block per request with its assertions),
 * a progress bar on terminals, and the end-of-run summary table with the failures listed.
 * It only consumes events; it never asks the server anything.
 */
import { itemFailures, MAX_KEPT_FAILURES } from "../shared/engine/stats";
import { formatSummaryTable } from "../shared/reporters/summary";
import type { Failure, RequestCompletedEvent, RunEvent, TerminalEvent } from "../shared/schemas/events";
import type { CliReporterOptions } from "./args";

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

type Paint = (text: string) => string;

function palette(enabled: boolean) {
  const code =
    (open: number, close: number): Paint =>
    (text) =>
      enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    green: code(32, 39),
    red: code(31, 39),
    yellow: code(33, 39),
    cyan: code(36, 39),
    gray: code(90, 39),
    bold: code(1, 22),
    underline: code(4, 24),
  };
}

function size(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(2)}kB`;
  return `${(n / 1048576).toFixed(2)}MB`;
}

/** Newman's --disable-unicode: box-drawing characters replaced by ASCII. */
function asciiBox(line: string): string {
  return line
    .replace(/[┌┐└┘├┤┬┴┼]/g, "+")
    .replace(/─/g, "-")
    .replace(/│/g, "|");
}

/** Formats one console entry the way Newman frames script output. */
function consoleLines(
  entries: RequestCompletedEvent["console"],
  paint: ReturnType<typeof palette>,
  ascii = false,
): string[] {
  if (!entries.length) return [];
  const [top, side, bottom] = ascii ? ["+", "|", "+"] : ["┌", "│", "└"];
  const out = [`  ${top}`];
  for (const entry of entries) {
    for (const line of entry.message.split("\n")) {
      const text =
        entry.level === "error" ? paint.red(line) : entry.level === "warn" ? paint.yellow(line) : line;
      out.push(`  ${side} ${text}`);
    }
  }
  out.push(`  ${bottom}`);
  return out;
}

export class CliReporter {
  readonly #out: Output;
  readonly #paint: ReturnType<typeof palette>;
  #iterations = 1;
  #expected = 0;
  #done = 0;
  #received = 0;
  #failureIndex = 0;
  /** Every item failure, for the summary when the terminal event kept only its first ones. */
  readonly #failures: Failure[] = [];
  #barShown = false;
  #lastIteration = -1;

  readonly #opts: Partial<CliReporterOptions>;
  readonly #phases = new PhaseTimings();

  constructor(out: Output, color: boolean, opts: Partial<CliReporterOptions> = {}) {
    this.#out = out;
    this.#paint = palette(color);
    this.#opts = opts;
  }

  /** Consumes one event; returns nothing because the reporter only prints. */
  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "run.started":
        this.#iterations = event.iterations;
        this.#expected = Math.max(1, event.iterations * event.items);
        this.#print(
          this.#opts.noBanner
            ? [this.#paint.bold(event.collection.name)]
            : ["edgerun", "", this.#paint.bold(event.collection.name)],
        );
        break;
      case "iteration.started":
        if (this.#iterations > 1 && event.iteration !== this.#lastIteration) {
          this.#lastIteration = event.iteration;
          this.#print(["", this.#paint.gray(`Iteration ${event.iteration + 1}/${this.#iterations}`)]);
        }
        break;
      case "request.completed":
        this.#request(event);
        break;
      case "iteration.completed":
        break;
      default:
        this.#end(event);
    }
  }

  #request(event: RequestCompletedEvent): void {
    const p = this.#paint;
    this.#done++;
    const path = [...event.item.path, event.item.name].join(" / ");
    const arrow = this.#opts.ascii ? "->" : "→";
    const lines = ["", `${arrow} ${path}`];
    if (event.skipped) {
      lines.push(p.gray("  (skipped by a pre-request script)"));
      this.#print(lines);
      return;
    }
    if (!this.#opts.noFailures) this.#failures.push(...itemFailures(event, { bail: false }));
    if (!this.#opts.noConsole) lines.push(...consoleLines(event.console, p, this.#opts.ascii === true));
    const target = `  ${event.request.method} ${event.request.url}`;
    if (event.response) {
      const r = event.response;
      this.#received += r.size;
      const retried = event.attempts && event.attempts > 1 ? `, ${event.attempts} attempts` : "";
      const wait =
        event.timings && event.timings.waitMs >= 1 ? `, waited ${Math.round(event.timings.waitMs)}ms` : "";
      lines.push(
        `${target} ${p.gray(`[${r.code} ${r.status}, ${size(r.size)}, ${Math.round(r.timeMs)}ms${retried}${wait}]`)}`,
      );
    } else if (event.error) {
      lines.push(`${target} ${p.red("[errored]")}`);
      lines.push(`  ${p.red(`${++this.#failureIndex}. ${event.error.name}: ${event.error.message}`)}`);
    } else {
      lines.push(target);
    }
    if (event.resent)
      lines.push(p.yellow("  (sent after the run resumed: it may have reached the target before)"));
    if (event.timings) {
      this.#phases.add(event.timings);
      if (this.#opts.verbose) lines.push(p.gray(`  ${phaseLine(event.timings)}`));
    }
    for (const e of event.scriptErrors) {
      lines.push(
        `  ${p.red(`${++this.#failureIndex}. ${e.name} in ${e.event}-script (${e.location}): ${e.message}`)}`,
      );
    }
    for (const a of event.assertions) {
      const failed = !a.passed && !a.skipped;
      if (failed) ++this.#failureIndex;
      if (this.#opts.noAssertions || (this.#opts.noSuccessAssertions && !failed)) continue;
      if (a.skipped) lines.push(`  ${p.cyan("-")}  ${p.gray(a.name)}`);
      else if (a.passed) lines.push(`  ${p.green(this.#opts.ascii ? "OK" : "✓")}  ${p.gray(a.name)}`);
      else lines.push(`  ${p.red(`${this.#failureIndex}. ${a.name}`)}`);
    }
    this.#print(lines);
  }

  #end(event: TerminalEvent): void {
    this.#clearBar();
    const p = this.#paint;
    const lines = [""];
    if (event.type === "run.cancelled") lines.push(p.yellow("Run cancelled."), "");
    if (event.type === "run.failed") lines.push(p.red(`Run failed: ${event.reason}`), "");
    if (!this.#opts.noSummary) {
      const table = formatSummaryTable(
        event.stats,
        event.timings,
        this.#opts.noFailures ? [] : this.#allFailures(event.failures),
        this.#received,
      );
      lines.push(...(this.#opts.ascii ? table.map(asciiBox) : table));
    }
    if (this.#opts.verbose) lines.push(...this.#phases.summary());
    this.#out.write(`${lines.join("\n")}\n`);
  }

  /** Newman lists every failure: past the terminal event's bounded list, the ones seen per item. */
  #allFailures(kept: Failure[]): Failure[] {
    if (kept.length < MAX_KEPT_FAILURES) return kept;
    return [...this.#failures, ...kept.filter((f) => !f.item)];
  }

  #print(lines: string[]): void {
    this.#clearBar();
    this.#out.write(`${lines.join("\n")}\n`);
    this.#drawBar();
  }

  #clearBar(): void {
    if (this.#barShown) this.#out.write("\r\x1b[2K");
    this.#barShown = false;
  }

  #drawBar(): void {
    if (!this.#out.isTTY || this.#expected <= 0) return;
    const width = 30;
    const ratio = Math.min(1, this.#done / this.#expected);
    const filled = Math.round(ratio * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    this.#out.write(this.#paint.gray(`  ${bar} ${this.#done}/${this.#expected} requests`));
    this.#barShown = true;
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

function phaseLine(t: Timings): string {
  return PHASES.filter(([k]) => t[k] !== undefined)
    .map(([k, label]) => `${label} ${Math.round(t[k] ?? 0)}ms`)
    .join(", ");
}

/** Per-phase totals and percentiles over the run (a bounded sample per phase: constant memory). */
class PhaseTimings {
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
