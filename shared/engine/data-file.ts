/**
 * Iteration data (newman `-d`): a JSON array of objects, or CSV text whose first row names the columns.
 * CSV follows RFC 4180 (quoted fields, doubled quotes, embedded newlines, CRLF, BOM); values stay strings.
 */
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
function castCsvValue(raw: string, quoted: boolean): JsonValue {
  if (quoted) return raw;
  const value = raw.trim();
  if (/^(-|\+)?([1-9]+[0-9]*)$/.test(value)) return Number.parseInt(value, 10);
  const n = Number.parseFloat(value);
  if ((value as unknown as number) - n + 1 >= 0) return n;
  return value;
}

/** Parses CSV into records keyed by the header row. */
export function parseCsv(text: string): Array<Record<string, JsonValue>> {
  type Field = { value: string; quoted: boolean };
  const rows: Field[][] = [];
  let row: Field[] = [];
  let field = "";
  let fieldQuoted = false;
  let quoted = false;
  let line = 1;
  let fieldStartLine = 1;
  const endField = () => {
    row.push({ value: field, quoted: fieldQuoted });
    field = "";
    fieldQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      quoted = true;
      fieldQuoted = true;
      field = "";
      fieldStartLine = line;
    } else if (ch === ",") {
      endField();
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endField();
      rows.push(row);
      row = [];
      line++;
    } else if (!(fieldQuoted && (ch === " " || ch === "\t"))) field += ch;
  }
  if (quoted) throw new DataFileError(`CSV: unterminated quoted field starting on line ${fieldStartLine}`);
  if (field !== "" || row.length) {
    endField();
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0]!.value === "" && !r[0]!.quoted));
  if (nonEmpty.length === 0) return [];
  const [header, ...data] = nonEmpty as [Field[], ...Field[][]];
  if (data.length > MAX_DATA_ROWS)
    throw new DataFileError(`iteration data has ${data.length} rows; the limit is ${MAX_DATA_ROWS}`);
  // Like Newman (csv-parse, relax_column_count): extra fields are ignored and missing ones are absent
  // (`data.c3` is undefined for a short row).
  return data.map((r) => {
    const rec: Record<string, JsonValue> = {};
    header.forEach((h, j) => {
      const f = r[j];
      if (f) rec[h.value.trim()] = castCsvValue(f.value, f.quoted);
    });
    return rec;
  });
}
