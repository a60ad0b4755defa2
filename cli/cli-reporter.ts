/**
 * The `cli` reporter: Newman's live console output (one block per request with its assertions),
 * a progress bar on terminals, and the end-of-run summary table with the failures listed.
 * It only consumes events; it never asks the server anything.
 */

import { type Phase, phaseSteps, type Step } from "../shared/engine/item-timeline";
import { headersSize } from "../shared/engine/side-requests";
import { itemFailures, MAX_KEPT_FAILURES } from "../shared/engine/stats";
import type { Failure, RequestCompletedEvent, RunEvent, TerminalEvent } from "../shared/schemas/events";
import type { CliReporterOptions } from "./args";
import { palette, type Symbols, symbolsFor } from "./cli-style";
import { consoleBoxLines } from "./console-inspect";
import { PhaseTimings, ResponseStats } from "./run-stats";
import { failuresTable, fileSize, type ListedFailure, prettyms, statisticsTable } from "./summary-table";
import { verboseResponseLines } from "./verbose-request";

export interface Output {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width, when it is one (the failures table wraps to it, as Newman's does). */
  columns?: number | undefined;
}

/** A line of escape codes alone (what colors leaves after a console box's closing line break). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what it matches
const BOX_RESIDUE = /\n((?:\x1b\[\d+m)+)\n/g;

type Entry = RequestCompletedEvent["console"][number];
type SideRequest = NonNullable<RequestCompletedEvent["sideRequests"]>[number];
/** What a request line says after the URL: the response's status, size and time, or the error. */
type RequestOutcome =
  | { code: number; status: string; size: number; timeMs: number; extra?: string }
  | { error: { message: string } };

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
  /** Requests printed so far (the run's and pm.sendRequest's, answered or not): Newman's divisor. */
  #requests = 0;
  /** Times to the response headers, for `--verbose`'s summary row. */
  readonly #firstByte = new ResponseStats();
  readonly #symbols: Symbols;
  readonly #color: boolean;
  #barShown = false;
  #lastIteration = -1;

  readonly #opts: Partial<CliReporterOptions>;
  readonly #phases = new PhaseTimings();
  /** Under --reporter-cli-show-timestamps, the time the current item's lines show. */
  #stamp: Date | undefined;

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
    // The item's steps all show the time its event says it completed (they arrive together).
    this.#stamp = this.#opts.showTimestamps ? new Date(event.ts) : undefined;
    const lines = this.#itemHeader(event);
    this.#listFailures(event);
    lines.push(...this.#phase(event, "prerequest"));
    // Newman prints nothing more for an item its pre-request script skipped.
    if (event.skipped) {
      this.#print(lines);
      return;
    }
    // The runner's warnings (a body file that could not be read) come as the request is built.
    if (!this.#opts.noConsole) lines.push(...this.#consoleLines(event.console.filter((c) => !c.event)));
    if (event.response) {
      const r = event.response;
      const retried = event.attempts && event.attempts > 1 ? `, ${event.attempts} attempts` : "";
      const wait =
        event.timings && event.timings.waitMs >= 1 ? `, waited ${Math.round(event.timings.waitMs)}ms` : "";
      this.#count(r);
      const size = r.size + headersSize(r.code, r.status, r.headers);
      // Newman's --verbose ends the request line there and details the exchange below it.
      if (this.#opts.verbose) lines.push(`${this.#requestLine(event.request)[0]}  `, ...this.#verbose(event));
      else lines.push(...this.#requestLine(event.request, { ...r, size, extra: `${retried}${wait}` }));
    } else {
      this.#count(undefined);
      lines.push(...this.#requestLine(event.request, event.error ? { error: event.error } : undefined));
    }
    if (event.resent)
      lines.push(p.yellow("  (sent after the run resumed: it may have reached the target before)"));
    if (event.timings) {
      this.#phases.add(event.timings);
      if (event.response && event.timings.headersMs !== undefined)
        this.#firstByte.add(event.timings.headersMs, this.#requests);
    }
    lines.push(...this.#phase(event, "test"));
    if (event.nextRequest) lines.push("", p.gray(`Attempting to set next request to ${event.nextRequest}`));
    this.#print(lines);
  }

  /**
   * `  GET <url> [200 OK, 1.2kB, 5ms]` (the item's request or a pm.sendRequest), or `[errored]` with the
   * error's message on the next line; a response counts towards the summary's data received and times.
   */
  #requestLine(request: { method: string; url: string }, outcome?: RequestOutcome): string[] {
    const p = this.#paint;
    const at = this.#stamp ? `${p.gray(`[${this.#stamp.toLocaleString()}]`)}  ` : "";
    const target = `  ${at}${p.gray(request.method)} ${p.gray(request.url)}`;
    if (!outcome) return [target];
    if ("error" in outcome) {
      ++this.#failureIndex;
      return [`${target} ${p.red("[errored]")}`, p.red(`     ${outcome.error.message}`)];
    }
    const { code, status, size, timeMs, extra = "" } = outcome;
    return [`${target} ${p.gray(`[${code} ${status}, ${fileSize(size)}, ${prettyms(timeMs)}${extra}]`)}`];
  }

  /** `--verbose`'s exchange line, bodies and phases (verbose-request.ts). */
  #verbose(event: RequestCompletedEvent): string[] {
    const style = { paint: this.#paint, ascii: this.#opts.ascii === true, columns: this.#out.columns };
    return verboseResponseLines(event, style);
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

  /**
   * One phase of the item as Newman prints it live: its scripts' assertions, console boxes,
   * pm.sendRequest lines and script errors in the order they happened (see item-timeline.ts).
   */
  #phase(event: RequestCompletedEvent, phase: Phase): string[] {
    // An older stream lists no side requests: its failed ones still take their numbers.
    if (!event.sideRequests)
      this.#failureIndex += (event.sideRequestFailures ?? []).filter((f) => f.event === phase).length;
    const out: string[] = [];
    let box: Entry[] = [];
    const flush = () => {
      out.push(...this.#consoleLines(box));
      box = [];
    };
    for (const step of phaseSteps(event, phase)) {
      if (step.kind === "console") {
        if (!this.#opts.noConsole) box.push(step.entry);
        continue;
      }
      flush();
      out.push(...this.#stepLines(step));
    }
    flush();
    return out;
  }

  #stepLines(step: Exclude<Step, { kind: "console" }>): string[] {
    if (step.kind === "error") return [this.#scriptError(step.error)];
    if (step.kind === "side") return this.#sideRequest(step.request);
    const p = this.#paint;
    const a = step.assertion;
    if (!a.passed && !a.skipped) ++this.#failureIndex;
    if (this.#opts.noAssertions) return [];
    if (a.skipped)
      return this.#opts.noSuccessAssertions ? [] : [`${p.cyan("  - ")} ${p.cyan(`[skipped] ${a.name}`)}`];
    // Under --reporter-cli-show-timestamps the number is padded to 2, not 3, after the time.
    const at = this.#stamp ? `  ${p.gray(`[${this.#stamp.toLocaleTimeString()}]`)}` : "";
    if (a.passed)
      return this.#opts.noSuccessAssertions
        ? []
        : [`${at}${p.green(`  ${this.#symbols.ok} `)} ${p.gray(a.name)}`];
    const n = String(this.#failureIndex).padStart(at ? 2 : 3);
    return [`${at}${p.alarm(`${n}.`)} ${p.alarm(a.name)}`];
  }

  /** A pm.sendRequest's line, as Newman prints every request of the run (its response counted as theirs). */
  #sideRequest(s: SideRequest): string[] {
    this.#count(s.response);
    if (!s.response) return this.#requestLine(s, { error: s.error ?? { message: "request failed" } });
    return this.#requestLine(s, { ...s.response, size: s.response.size + s.response.headersSize });
  }

  /** A response in the summary's data received and response times. */
  #count(r: { size: number; timeMs: number } | undefined): void {
    this.#requests++;
    if (!r) return;
    this.#received += r.size;
    this.#times.add(r.timeMs, this.#requests);
  }

  /** One box of consecutive console entries, as Newman frames script output. */
  /**
   * Consecutive console entries: one box, or under --reporter-cli-show-timestamps a box each after a
   * blank line and the time (Newman paints `[time]` and its line break gray: colors paints each line,
   * so an empty gray span opens the box's first line).
   */
  #consoleLines(entries: Entry[]): string[] {
    const stamp = this.#stamp;
    if (!stamp) return this.#consoleBox(entries);
    return entries.flatMap((entry) => {
      const [top = "", ...rest] = this.#consoleBox([entry]);
      const p = this.#paint;
      return ["", `  ${p.gray(`[${stamp.toLocaleTimeString()}]`)}`, `${p.gray("")}${top}`, ...rest];
    });
  }

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
          ...(this.#opts.verbose ? { firstByte: this.#firstByte.get() } : {}),
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
    const event = bail.event ?? "test";
    return [this.#scriptError({ name: bail.name, message: bail.message, event, location: "" })];
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

/** A failure's identity across the item events and the terminal event's copy of it. */
function failureKey(f: Failure): string {
  return `${f.item?.id ?? ""}|${f.iteration}|${f.source}|${f.name}|${f.message}`;
}
