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

/** Parses CSV into records keyed by the header row. */
export function parseCsv(text: string): Array<Record<string, JsonValue>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let fieldStartLine = 1;
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
    if (ch === '"' && field === "") {
      quoted = true;
      fieldStartLine = line;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      rows.push(row);
      row = [];
      line++;
    } else field += ch;
  }
  if (quoted) throw new DataFileError(`CSV: unterminated quoted field starting on line ${fieldStartLine}`);
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ""));
  if (nonEmpty.length === 0) return [];
  const [header, ...data] = nonEmpty as [string[], ...string[][]];
  if (data.length > MAX_DATA_ROWS)
    throw new DataFileError(`iteration data has ${data.length} rows; the limit is ${MAX_DATA_ROWS}`);
  return data.map((r, i) => {
    if (r.length > header.length) {
      throw new DataFileError(`CSV: row ${i + 2} has ${r.length} fields but the header has ${header.length}`);
    }
    const rec: Record<string, JsonValue> = {};
    header.forEach((h, j) => {
      rec[h.trim()] = r[j] ?? "";
    });
    return rec;
  });
}
