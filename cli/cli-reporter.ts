/**
 * The `cli` reporter: Newman's live console output (one block per request with its assertions),
 * a progress bar on terminals, and the end-of-run summary table with the failures listed.
 * It only consumes events; it never asks the server anything.
 */
import { itemFailures, MAX_KEPT_FAILURES } from "../shared/engine/stats";
import type { Failure, RequestCompletedEvent, RunEvent, TerminalEvent } from "../shared/schemas/events";
import type { CliReporterOptions } from "./args";
import { consoleBoxLines } from "./console-inspect";
import { failuresTable, fileSize, type ListedFailure, prettyms, statisticsTable } from "./summary-table";

export interface Output {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width, when it is one (the failures table wraps to it, as Newman's does). */
  columns?: number | undefined;
}

type Paint = (text: string) => string;

/** A line of escape codes alone (what colors leaves after a console box's closing line break). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what it matches
const BOX_RESIDUE = /\n((?:\x1b\[\d+m)+)\n/g;

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
    /** colors' `reset`, which Newman wraps the banner, collection, folder and item names in. */
    reset: code(0, 0),
    /** colors' `red.bold`: failed assertions and script errors. */
    alarm: (text: string) => code(31, 39)(code(1, 22)(text)),
  };
}

/** Newman's symbols, and its plain-text ones under `--disable-unicode`. */
function symbolsFor(ascii: boolean) {
  return ascii
    ? { top: "-", middle: "|", bottom: "-", folder: "Folder", root: "Root", sub: "Sub-folder", ok: "Pass" }
    : { top: "┌", middle: "│", bottom: "└", folder: "❏", root: "→", sub: "↳", ok: "✓" };
}
type Symbols = ReturnType<typeof symbolsFor>;
type Entry = RequestCompletedEvent["console"][number];

/** Welford's running mean and variance of response times, as Newman's summary computes them. */
class ResponseStats {
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

export class CliReporter {
  readonly #out: Output;
  readonly #paint: ReturnType<typeof palette>;
  #iterations = 1;
  #expected = 0;
  #done = 0;
  #received = 0;
  #failureIndex = 0;
  /** Every item failure, for the summary when the terminal event kept only its first ones. */
  readonly #failures: ListedFailure[] = [];
  /** The folder of the last item printed ("" at the root), for Newman's folder lines. */
  #group = "";
  readonly #times = new ResponseStats();
  readonly #symbols: Symbols;
  readonly #color: boolean;
  #barShown = false;
  #lastIteration = -1;

  readonly #opts: Partial<CliReporterOptions>;
  readonly #phases = new PhaseTimings();

  constructor(out: Output, color: boolean, opts: Partial<CliReporterOptions> = {}) {
    this.#out = out;
    this.#paint = palette(color);
    this.#color = color;
    this.#opts = opts;
    this.#symbols = symbolsFor(opts.ascii === true);
  }

  /** Consumes one event; returns nothing because the reporter only prints. */
  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "run.started":
        this.#iterations = event.iterations;
        this.#expected = Math.max(1, event.iterations * event.items);
        this.#print(
          this.#opts.noBanner
            ? [this.#paint.reset(event.collection.name)]
            : [this.#paint.reset("edgerun"), "", this.#paint.reset(event.collection.name)],
        );
        break;
      case "iteration.started":
        if (this.#iterations > 1 && event.iteration !== this.#lastIteration) {
          this.#lastIteration = event.iteration;
          const label = `Iteration ${event.iteration + 1}/${this.#iterations}`;
          this.#print(["", this.#paint.gray(this.#paint.underline(label))]);
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
    const lines = this.#itemHeader(event);
    this.#listFailures(event);
    const consoleOn = !this.#opts.noConsole;
    const before = consoleOn ? event.console.filter((c) => c.event !== "test") : [];
    lines.push(...this.#consoleBox(before.filter((c) => c.event === "prerequest")));
    for (const e of event.scriptErrors.filter((x) => x.event === "prerequest"))
      lines.push(this.#scriptError(e));
    // Newman prints nothing more for an item its pre-request script skipped.
    if (event.skipped) {
      this.#print(lines);
      return;
    }
    lines.push(...this.#consoleBox(before.filter((c) => c.event === undefined)));
    const target = `  ${p.gray(event.request.method)} ${p.gray(event.request.url)}`;
    if (event.response) {
      const r = event.response;
      this.#received += r.size;
      this.#times.add(r.timeMs);
      const retried = event.attempts && event.attempts > 1 ? `, ${event.attempts} attempts` : "";
      const wait =
        event.timings && event.timings.waitMs >= 1 ? `, waited ${Math.round(event.timings.waitMs)}ms` : "";
      lines.push(
        `${target} ${p.gray(`[${r.code} ${r.status}, ${fileSize(r.size + headerSize(r))}, ${prettyms(r.timeMs)}${retried}${wait}]`)}`,
      );
    } else if (event.error) {
      ++this.#failureIndex;
      lines.push(`${target} ${p.red("[errored]")}`, p.red(`     ${event.error.message}`));
    } else {
      lines.push(target);
    }
    if (event.resent)
      lines.push(p.yellow("  (sent after the run resumed: it may have reached the target before)"));
    if (event.timings) {
      this.#phases.add(event.timings);
      if (this.#opts.verbose) lines.push(p.gray(`  ${phaseLine(event.timings)}`));
    }
    lines.push(...this.#testPhase(event, consoleOn));
    this.#print(lines);
  }

  /** Newman's item lines: the folder when it changes (`❏ A / B`), then `↳ item` (or `→ item` at the root). */
  #itemHeader(event: RequestCompletedEvent): string[] {
    const sym = this.#symbols;
    const group = event.item.path.join(" / ");
    // Newman prints the folder line without a blank line between it and its first item.
    const lines: string[] = [""];
    if (group !== this.#group) {
      if (group) lines.push(`${sym.folder} ${this.#paint.reset(group)}`);
      this.#group = group;
    }
    lines.push(`${group ? sym.sub : sym.root} ${this.#paint.reset(event.item.name)}`);
    return lines;
  }

  /** Assertions and test-script console output in the order they happened, then test-script errors. */
  #testPhase(event: RequestCompletedEvent, consoleOn: boolean): string[] {
    const p = this.#paint;
    const out: string[] = [];
    const logs = consoleOn ? event.console.filter((c) => c.event === "test") : [];
    const errors = event.scriptErrors.filter((x) => x.event === "test");
    let next = 0;
    let nextError = 0;
    // Console output and script errors recorded before assertion `upTo` (an error without a position,
    // from an older stream, comes after every assertion).
    const flush = (upTo: number) => {
      const box: Entry[] = [];
      while (next < logs.length && (logs[next]!.afterAssertions ?? 0) <= upTo) box.push(logs[next++]!);
      out.push(...this.#consoleBox(box));
      while (
        nextError < errors.length &&
        (errors[nextError]!.afterAssertions ?? Number.POSITIVE_INFINITY) <= upTo
      )
        out.push(this.#scriptError(errors[nextError++]!));
    };
    event.assertions.forEach((a, i) => {
      flush(i);
      const failed = !a.passed && !a.skipped;
      if (failed) ++this.#failureIndex;
      if (this.#opts.noAssertions) return;
      if (a.skipped) {
        if (!this.#opts.noSuccessAssertions) out.push(`${p.cyan("  - ")} ${p.cyan(`[skipped] ${a.name}`)}`);
      } else if (a.passed) {
        if (!this.#opts.noSuccessAssertions)
          out.push(`${p.green(`  ${this.#symbols.ok} `)} ${p.gray(a.name)}`);
      } else out.push(`${p.alarm(`${String(this.#failureIndex).padStart(3)}.`)} ${p.alarm(a.name)}`);
    });
    flush(Number.POSITIVE_INFINITY);
    if (event.nextRequest) out.push("", p.gray(`Attempting to set next request to ${event.nextRequest}`));
    return out;
  }

  /** One box of consecutive console entries, as Newman frames script output. */
  #consoleBox(entries: Entry[]): string[] {
    return consoleBoxLines({
      entries,
      symbols: this.#symbols,
      color: this.#color,
      columns: this.#out.isTTY ? this.#out.columns : undefined,
    });
  }

  /** `  6⠄ ReferenceError in prerequest-script`: Newman names the error; the failures table has its message. */
  #scriptError(e: RequestCompletedEvent["scriptErrors"][number]): string {
    return this.#paint.alarm(`${String(++this.#failureIndex).padStart(3)}⠄ ${e.name} in ${e.event}-script`);
  }

  /** The item's failures for the table, each assertion with its position in its script. */
  #listFailures(event: RequestCompletedEvent): void {
    const failures = itemFailures(event, { bail: false });
    for (const failure of failures) {
      const index =
        failure.source === "assertion"
          ? event.assertions.find((a) => a.name === failure.name && !a.passed)?.index
          : undefined;
      this.#failures.push({ failure, assertionIndex: index });
    }
  }

  #end(event: TerminalEvent): void {
    this.#clearBar();
    const p = this.#paint;
    const lines: string[] = [];
    if (event.type === "run.cancelled") lines.push("", p.yellow("Run cancelled."));
    if (event.type === "run.failed") lines.push("", p.red(`Run failed: ${event.reason}`));
    lines.push(...this.#bailLine(event.failures));
    const ascii = this.#opts.ascii === true;
    if (!this.#opts.noSummary)
      lines.push(
        "",
        statisticsTable({
          stats: event.stats,
          timings: event.timings,
          received: this.#received,
          response: this.#times.get(),
          paint: p,
          ascii,
          color: this.#color,
        }),
      );
    const failures = this.#opts.noFailures ? [] : this.#allFailures(event.failures);
    if (failures.length)
      lines.push(
        "",
        failuresTable({
          failures,
          paint: p,
          iterations: this.#iterations,
          columns: this.#out.isTTY ? this.#out.columns : undefined,
          color: this.#color,
        }),
      );
    if (this.#opts.verbose) lines.push(...this.#phases.summary());
    this.#out.write(`${lines.join("\n")}\n`);
  }

  /**
   * Under `--bail`, postman-runtime turns the last item's first failed assertion into a test script error
   * (`AssertionFailure`) that Newman prints live: it is in the terminal event's failures, not the item's.
   */
  #bailLine(kept: Failure[]): string[] {
    const seen = new Set(this.#failures.map((f) => failureKey(f.failure)));
    const bail = kept.find(
      (f) => f.source === "script" && f.name === "AssertionFailure" && !seen.has(failureKey(f)),
    );
    if (!bail) return [];
    return [this.#scriptError({ name: bail.name, message: bail.message, event: "test", location: "" })];
  }

  /** Newman lists every failure: past the terminal event's bounded list, the ones seen per item. */
  #allFailures(kept: Failure[]): ListedFailure[] {
    if (kept.length < MAX_KEPT_FAILURES) {
      // The terminal event's list, with each assertion's position as the items reported it.
      const byKey = new Map(this.#failures.map((f) => [failureKey(f.failure), f.assertionIndex]));
      return kept.map((failure) => ({
        failure,
        assertionIndex: byKey.get(failureKey(failure)),
      }));
    }
    return [...this.#failures, ...kept.filter((f) => !f.item).map((failure) => ({ failure }))];
  }

  #print(lines: string[]): void {
    this.#clearBar();
    // A console box ends in colors' empty span after its last line break: Newman's next output follows it.
    this.#out.write(`${lines.join("\n")}\n`.replace(BOX_RESIDUE, "\n$1"));
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

/** A failure's identity across the item events and the terminal event's copy of it. */
function failureKey(f: Failure): string {
  return `${f.item?.id ?? ""}|${f.iteration}|${f.source}|${f.name}|${f.message}`;
}

/**
 * A response's header size as postman-collection counts it (status line, each `key: value` line, the
 * blank line): Newman's request line shows body plus headers.
 */
function headerSize(r: NonNullable<RequestCompletedEvent["response"]>): number {
  let n = `HTTP/X.X ${r.code} ${r.status}\r\n\r\n`.length;
  for (const h of r.headers) n += h.key.length + h.value.length + 4;
  return n;
}
