/**
 * Iteration data (newman `-d`): a JSON array of objects, or CSV text whose first row names the columns.
 * CSV is read by csv-parse with Newman's options (parseCsv); unquoted numbers become numbers as in Newman.
 */
import parseCsvSync from "csv-parse/lib/sync";
import type { JsonValue } from "./types";

export class DataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataFileError";
  }
}

export const MAX_DATA_ROWS = 10_000;

/** Share of zero bytes in odd (LE) or even (BE) positions above which BOM-less text is UTF-16. */
const UTF16_ZERO_SHARE = 0.3;

function utf16Guess(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  const n = Math.min(bytes.length - (bytes.length % 2), 4096);
  if (n < 2) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd / pairs > UTF16_ZERO_SHARE && even === 0) return "utf-16le";
  if (even / pairs > UTF16_ZERO_SHARE && odd === 0) return "utf-16be";
  return undefined;
}

/**
 * Text of an input file the way editors save it: UTF-8 with or without BOM, UTF-16 LE/BE with a BOM
 * (or without one, recognised by its zero bytes, as Newman's charset detection does), and Latin-1 for
 * bytes that are not UTF-8. The BOM is dropped.
 */
export function decodeText(bytes: Uint8Array): string {
  let encoding = "utf-8";
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [encoding, start] = ["utf-16le", 2];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [encoding, start] = ["utf-16be", 2];
  else encoding = utf16Guess(bytes) ?? "utf-8";
  const body = bytes.subarray(start);
  if (encoding !== "utf-8") return new TextDecoder(encoding).decode(body).replace(/^\uFEFF/, "");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    return new TextDecoder("latin1").decode(body);
  }
}

export function parseIterationData(input: string | unknown[]): Array<Record<string, JsonValue>> {
  if (Array.isArray(input)) return fromJsonArray(input);
  const text = input.replace(/^\uFEFF/, "");
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new DataFileError(`iteration data looks like JSON but does not parse: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new DataFileError("JSON iteration data must be an array of objects");
    return fromJsonArray(parsed);
  }
  return parseCsv(text);
}

function fromJsonArray(rows: unknown[]): Array<Record<string, JsonValue>> {
  if (rows.length > MAX_DATA_ROWS)
    throw new DataFileError(`iteration data has ${rows.length} rows; the limit is ${MAX_DATA_ROWS}`);
  return rows.map((row, i) => {
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new DataFileError(`iteration data row ${i + 1} is not an object`);
    }
    return row as Record<string, JsonValue>;
  });
}

/**
 * Newman's cast for unquoted CSV values (`csvAutoParse`): whole numbers without a leading zero become
 * integers, other numeric-looking values floats (with parseFloat's quirks); quoted values stay strings.
 */
function castCsvValue(value: string, context: { quoting: boolean }): JsonValue {
  if (context.quoting) return value;
  if (/^(-|\+)?([1-9]+[0-9]*)$/.test(value)) return Number.parseInt(value, 10);
  const n = Number.parseFloat(value);
  if ((value as unknown as number) - n + 1 >= 0) return n;
  return value;
}

/**
 * Newman's own CSV reading (newman lib/run/options.js, csv-parse 4 with these options), so a file reads
 * into the same iterations: a blank line is an iteration with an empty first column, quotes inside an
 * unquoted value are kept, a short row leaves its missing columns undefined, extra fields are dropped.
 */
const NEWMAN_CSV = {
  columns: true,
  escape: '"',
  cast: castCsvValue,
  trim: true,
  relax: true,
  relax_column_count: true,
  bom: true,
} as const;

/** Parses CSV into records keyed by the header row, as `newman run -d file.csv` does. */
export function parseCsv(text: string): Array<Record<string, JsonValue>> {
  let rows: Array<Record<string, JsonValue>>;
  try {
    rows = parseCsvSync(text, NEWMAN_CSV) as Array<Record<string, JsonValue>>;
  } catch (err) {
    throw new DataFileError(`CSV: ${(err as Error).message}`);
  }
  if (rows.length > MAX_DATA_ROWS)
    throw new DataFileError(`iteration data has ${rows.length} rows; the limit is ${MAX_DATA_ROWS}`);
  return rows;
}
