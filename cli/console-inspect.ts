/**
 * Console output as Newman's cli reporter prints it: each argument of a console call decoded from the
 * event's ConsoleValues and shown with Node's util.inspect under Newman's options, joined by `, `,
 * wrapped to the terminal and framed in the `┌ │ └` box (newman/lib/reporters/cli: its `console`
 * listener, and cli-utils' inspector and wrapper).
 */
import { inspect } from "node:util";
import type { ConsoleEntry, ConsoleTagged, ConsoleValue } from "../shared/schemas/events";

/** The typed arrays a ConsoleValue may name (`ta`), as teleport-javascript carries them. */
const TYPED_ARRAYS: Record<string, new (length: number) => { set(list: ArrayLike<number>): void }> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};
/** A typed array's length is only believed up to this (its first 100 items are all that is shown). */
const MAX_TYPED_LENGTH = 1 << 24;

type Tagged = ConsoleTagged;

/** Decodes one ConsoleValue into the value util.inspect should show (cycles rebuilt as real references). */
export function decodeConsoleValue(value: ConsoleValue, parents: unknown[] = []): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return withParent([] as unknown[], parents, (a) => fill(a, value, parents));
  if (typeof value.t === "string") return decodeTagged(value as Tagged, parents);
  return withParent({} as Record<string, unknown>, parents, (o) => {
    for (const [k, x] of Object.entries(value)) define(o, k, decodeConsoleValue(x, parents));
  });
}

/** An own property as JSON.parse makes one (`__proto__` included). */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeTagged(value: Tagged, parents: unknown[]): unknown {
  const list = Array.isArray(value.v) ? value.v : [];
  const text = typeof value.v === "string" ? value.v : "";
  switch (value.t) {
    case "u":
      return undefined;
    case "x":
      return null;
    case "n":
      return Number(text);
    case "b":
      return /^-?\d+$/.test(text) ? BigInt(text) : text;
    case "y":
      return Symbol.for(text);
    case "d":
      return new Date(text);
    case "re":
      return regexp(text);
    case "c":
      return parents[parents.length - (value.up ?? 1)];
    case "o":
      return withParent({} as Record<string, unknown>, parents, (o) => {
        for (const e of list) {
          if (Array.isArray(e)) define(o, String(e[0]), decodeConsoleValue(e[1] ?? null, parents));
        }
      });
    case "a":
      return withParent([] as unknown[], parents, (a) => {
        fill(a, list, parents);
        a.length = Math.max(a.length, Math.min(value.n ?? 0, 2 ** 32 - 1));
      });
    default:
      return decodeCollection(value, list, parents);
  }
}

function decodeCollection(value: Tagged, list: ConsoleValue[], parents: unknown[]): unknown {
  switch (value.t) {
    case "M":
      return withParent(new Map<unknown, unknown>(), parents, (m) => {
        for (const e of list)
          if (Array.isArray(e))
            m.set(decodeConsoleValue(e[0] ?? null, parents), decodeConsoleValue(e[1] ?? null, parents));
      });
    case "S":
      return withParent(new Set<unknown>(), parents, (s) => {
        for (const e of list) s.add(decodeConsoleValue(e, parents));
      });
    case "B":
      return Buffer.from(list.map(Number));
    case "ta": {
      const Typed = TYPED_ARRAYS[value.c ?? ""];
      const numbers = list.map(Number);
      if (!Typed) return numbers;
      const typed = new Typed(Math.min(Math.max(value.n ?? 0, numbers.length), MAX_TYPED_LENGTH));
      typed.set(numbers);
      return typed;
    }
    default:
      return undefined;
  }
}

function withParent<T>(container: T, parents: unknown[], fillIn: (c: T) => void): T {
  parents.push(container);
  try {
    fillIn(container);
  } finally {
    parents.pop();
  }
  return container;
}

function fill(target: unknown[], list: ConsoleValue[], parents: unknown[]): void {
  for (const x of list) target.push(decodeConsoleValue(x, parents));
}

/** `/source/flags` back into a RegExp, as teleport-javascript splits it; text that is not one stays text. */
function regexp(text: string): unknown {
  const parts = /\/(.*)\/(.*)/s.exec(text);
  if (!parts) return text;
  try {
    return new RegExp(parts[1] ?? "", parts[2]);
  } catch (_e) {
    return text;
  }
}

/** ANSI colouring as the `colors` package applies it (Newman's): nested closes reopen, lines close and reopen. */
function colorsPaint(open: number, close: number, enabled: boolean): (text: string) => string {
  const on = `\x1b[${open}m`;
  const off = `\x1b[${close}m`;
  return (text) =>
    !enabled || !text
      ? text
      : `${on}${text.replaceAll(off, on)}${off}`.replace(/[\r\n]+/g, (m) => `${off}${m}${on}`);
}

/** Newman's colour per console level (`colors.setTheme` in its cli reporter). */
const LEVEL_COLORS: Record<ConsoleEntry["level"], number> = {
  log: 90,
  info: 36,
  warn: 33,
  debug: 34,
  error: 31,
  // No theme colour of its own: Newman's reporter falls back to gray.
  clear: 90,
};

/** Newman's width rule: the terminal's width when it is one wider than 20 columns, else 60. */
const widthOf = (columns: number | undefined) => (columns !== undefined && columns > 20 ? columns : 60);

/** util.inspect under Newman's options, with the styles its cli-utils sets (strings grey, names white). */
function inspectArg(value: unknown, color: boolean, columns: number | undefined): string {
  const styles = inspect.styles as Record<string, string | undefined>;
  const saved = { string: styles.string, name: styles.name };
  styles.string = "grey";
  styles.name = "white";
  try {
    return inspect(value, {
      depth: 25,
      maxArrayLength: 100,
      colors: color,
      breakLength: widthOf(columns) - 16,
    });
  } finally {
    styles.string = saved.string;
    styles.name = saved.name;
  }
}

export interface ConsoleBoxOptions {
  entries: ConsoleEntry[];
  symbols: { top: string; middle: string; bottom: string };
  color: boolean;
  /** The terminal's width, when output goes to one. */
  columns?: number | undefined;
}

/**
 * The lines of one box of consecutive console entries, as Newman writes them: an entry with `args`
 * inspected and word-wrapped as Newman's reporter does, one without (the runner's own warnings, or
 * arguments over the limit) as its `message` lines.
 */
export function consoleBoxLines(opts: ConsoleBoxOptions): string[] {
  const { entries, symbols, color, columns } = opts;
  const first = entries[0];
  const last = entries.at(-1);
  if (!first || !last) return [];
  const tint = (e: ConsoleEntry) => colorsPaint(LEVEL_COLORS[e.level] ?? 90, 39, color);
  const gray = colorsPaint(90, 39, color);
  const white = colorsPaint(37, 39, color);
  const wrapWidth = widthOf(columns) - 6;
  let out = tint(first)(`  ${symbols.top}\n`);
  for (const entry of entries) {
    const indent = `  ${tint(entry)(symbols.middle)} `;
    if (!entry.args) {
      out += entry.message
        .split("\n")
        .map((line) => `${indent}${gray(line)}\n`)
        .join("");
      continue;
    }
    const text = entry.args
      .map((a) => inspectArg(decodeConsoleValue(a), color, columns))
      .reduce((log, part) => log + (log ? white(", ") : "") + part, "");
    // word-wrap with `cut`: every line (escape codes included) cut into chunks of the width; empty lines go.
    const chunks = text.match(new RegExp(`.{1,${wrapWidth}}`, "g")) ?? [];
    out += gray(`${indent}${chunks.join(`\n${indent}`)}`.replace(/\n\s*\n/g, "\n") + "\n");
  }
  out += tint(last)(`  ${symbols.bottom}\n`);
  return out.replace(/\n$/, "").split("\n");
}
