/**
 * The end-of-run tables of the `cli` reporter, laid out as Newman's are: the same table library
 * (cli-table3), duration and size formats (pretty-ms, filesize) and cells, so a CI log reads the same
 * after switching from `newman run` to `edgerun run`.
 */
import Table from "cli-table3";
import { filesize } from "filesize";
import prettyMs from "pretty-ms";
import type { Failure, RunStats, RunTimings } from "../shared/schemas/events";

export type Paint = (text: string) => string;

export interface TablePaint {
  red: Paint;
  underline: Paint;
  green: Paint;
  gray: Paint;
}

/** Newman's `util.prettyms`: µs below 1 ms, whole ms below 1,998 ms, pretty-ms beyond. */
export function prettyms(ms: number): string {
  if (ms < 1) return `${Math.trunc(ms * 1000)}µs`;
  return ms < 1998 ? `${Math.trunc(ms)}ms` : prettyMs(ms || 0);
}

/** Newman's `util.filesize`: `685B`, `1.46kB`, without a space. */
export function fileSize(bytes: number): string {
  return String(filesize(bytes || 0, { spacer: "" }));
}

/** cli-table3 with no borders (Newman's `cliTableTemplate_Blank`). */
export const BLANK = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  middle: "",
  mid: " ",
  "mid-mid": "",
  "mid-left": "",
  "mid-right": "",
  left: "",
  "left-mid": "",
  right: "",
  "right-mid": "",
};

/** Newman's `--disable-unicode` borders. */
const ASCII = {
  top: "-",
  "top-mid": "-",
  "top-left": "-",
  "top-right": "-",
  bottom: "-",
  "bottom-mid": "-",
  "bottom-left": "-",
  "bottom-right": "-",
  middle: "|",
  mid: "-",
  "mid-mid": "+",
  "mid-left": "-",
  "mid-right": "-",
  left: "|",
  "left-mid": "-",
  right: "|",
  "right-mid": "-",
};

const ROWS: Array<[keyof RunStats, string]> = [
  ["iterations", "iterations"],
  ["requests", "requests"],
  ["testScripts", "test-scripts"],
  ["prerequestScripts", "prerequest-scripts"],
  ["assertions", "assertions"],
];

/** Response times over a run, for the summary's average line (Newman's Welford s.d.). */
export interface ResponseTimes {
  average: number;
  min: number;
  max: number;
  sd: number;
}

/** The statistics table: executed/failed per kind, duration, data received, response times. */
export function statisticsTable(opts: {
  stats: RunStats;
  timings: RunTimings;
  received: number;
  response?: ResponseTimes | undefined;
  /** Time to the response headers (`--verbose`: Newman's "average first byte time" row). */
  firstByte?: ResponseTimes | undefined;
  paint: TablePaint;
  ascii: boolean;
  color: boolean;
}): string {
  const { stats, paint } = opts;
  const table = new Table({
    ...(opts.ascii ? { chars: ASCII } : {}),
    style: { head: [], ...(opts.color ? {} : { border: [] }) },
    head: ["", "executed", "  failed"],
    colAligns: ["right", "right", "right"],
    colWidths: [25],
  });
  for (const [key, label] of ROWS) {
    const m = stats[key];
    table.push([
      m.failed ? paint.red(label) : paint.green(label),
      String(m.total),
      m.failed ? paint.red(String(m.failed)) : String(m.failed),
    ]);
  }
  const full = (content: string) => [{ colSpan: 3, content, hAlign: "left" as const }];
  const t = opts.timings;
  table.push(full(`total run duration: ${prettyms((t.completed ?? t.started) - t.started)}`));
  table.push(full(`total data received: ${fileSize(opts.received)} (approx)`));
  const r = opts.response ?? { average: t.responseAverage, min: t.responseMin, max: t.responseMax, sd: 0 };
  if (r.average)
    table.push(
      full(
        `average response time: ${prettyms(r.average)} [min: ${prettyms(r.min)}, max: ${prettyms(r.max)}, s.d.: ${prettyms(r.sd)}]`,
      ),
    );
  const f = opts.firstByte;
  if (f?.average)
    table.push(
      full(
        `average first byte time: ${prettyms(f.average)} [min: ${prettyms(f.min)}, max: ${prettyms(f.max)}, s.d.: ${prettyms(f.sd)}]`,
      ),
    );
  return table.toString();
}

/** Newman's `at` for a failure (`assertion:0 in test-script`, `request`, `prerequest-script`). */
export function failureAt(f: Failure, assertionIndex: number | undefined): string {
  if (f.source === "assertion") return `assertion:${assertionIndex ?? 0} in test-script`;
  if (f.source === "request") return "request";
  if (f.source === "script") return f.event === "prerequest" ? "prerequest-script" : "test-script";
  return "run";
}

/** One failure as the table lists it, with what Newman shows of it. */
export interface ListedFailure {
  failure: Failure;
  /** The failed assertion's position in its script (Newman's `assertion:N`). */
  assertionIndex?: number | undefined;
}

/** The failures table: `#`, failure (error name), detail (test, message, at, inside). */
export function failuresTable(opts: {
  failures: ListedFailure[];
  paint: TablePaint;
  iterations: number;
  columns?: number | undefined;
  color: boolean;
}): string {
  const { paint } = opts;
  const digits = String(opts.failures.length).length;
  const widths: number[] = [];
  if (opts.columns && opts.columns > 20) {
    widths[0] = digits + 3;
    widths[1] = Math.trunc((opts.columns - widths[0]) * 0.2);
    widths[2] = Math.trunc(opts.columns - (widths[0] + widths[1] + 5));
  }
  const underline = (s: string) => paint.red(paint.underline(s));
  const table = new Table({
    head: [underline("#"), underline("failure"), underline("detail")],
    chars: BLANK,
    // cli-table3's own red header and grey separator lines, unless colour is off.
    ...(opts.color ? {} : { style: { head: [], border: [] } }),
    wordWrap: true,
    colAligns: ["right"],
    colWidths: widths,
  });
  opts.failures.forEach(({ failure: f, assertionIndex }, i) => {
    // Newman's request failures are Node's network errors, all named `Error`.
    const errorName =
      f.source === "assertion"
        ? (f.errorName ?? "AssertionError")
        : f.source === "request"
          ? "Error"
          : f.name;
    const name =
      opts.iterations > 1 ? `${errorName}\n${paint.gray(`iteration: ${f.iteration + 1}`)}` : errorName;
    // A request failure's source is the request, whose full name Newman prints as "".
    const inside = f.item && f.source !== "request" ? [...f.item.path, f.item.name].join(" / ") : "";
    // Newman colours `\ninside …` as one string: colors closes an empty grey span before the line break.
    const detail = [
      f.source === "assertion" ? f.name : "",
      paint.gray(f.message),
      `${paint.gray(`at ${failureAt(f, assertionIndex)}`)}${paint.gray("")}`,
      paint.gray(`inside "${inside}"`),
    ].join("\n");
    // Newman pads the numbers with zeros (`01.` … `12.`).
    table.push([`${String(i + 1).padStart(digits, "0")}.`, name, detail]);
  });
  return table.toString();
}
