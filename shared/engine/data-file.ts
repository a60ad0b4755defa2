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
  // Like Newman (relax_column_count), extra fields are ignored and missing ones are empty.
  return data.map((r) => {
    const rec: Record<string, JsonValue> = {};
    header.forEach((h, j) => {
      const f = r[j];
      rec[h.value.trim()] = f ? castCsvValue(f.value, f.quoted) : "";
    });
    return rec;
  });
}
