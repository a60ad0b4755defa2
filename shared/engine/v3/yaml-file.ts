/**
 * One parsed v3 YAML file with positions: every problem found in it, syntactic or structural, becomes a
 * V3Error that names the file, the line and the column, so a team can fix the file the error points at.
 */
import { LineCounter, type Node, parseDocument } from "yaml";

/** A problem in one file of a v3 collection tree. */
export class V3Error extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${path}:${line}:${column}: ${detail}`);
    this.name = "V3Error";
  }
}

export type YamlMap = Record<string, unknown>;

/** A parsed file: its plain value plus a way to locate any key path in the source. */
export class YamlFile {
  readonly #doc: ReturnType<typeof parseDocument>;
  readonly #lines: LineCounter;
  readonly value: YamlMap;

  constructor(
    readonly path: string,
    text: string,
  ) {
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text.replace(/^\uFEFF/, ""), { lineCounter: this.#lines });
    const first = this.#doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0] ?? { line: 1, col: 1 };
      throw new V3Error(
        path,
        pos.line,
        pos.col,
        `invalid YAML: ${(first.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
      );
    }
    const value = this.#doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw this.error([], "the file must hold a YAML mapping (key: value pairs)");
    }
    this.value = value as YamlMap;
  }

  /** An error located at the node of `keys` (or the nearest existing parent). */
  error(keys: Array<string | number>, detail: string): V3Error {
    for (let n = keys.length; n >= 0; n--) {
      const node = (n === 0 ? this.#doc.contents : this.#doc.getIn(keys.slice(0, n), true)) as Node | null;
      const start = node && typeof node === "object" && "range" in node ? node.range?.[0] : undefined;
      if (start !== undefined) {
        const pos = this.#lines.linePos(start);
        return new V3Error(this.path, pos.line, pos.col, detail);
      }
    }
    return new V3Error(this.path, 1, 1, detail);
  }
}

/** Checks an optional string field; returns it. */
export function optString(file: YamlFile, keys: Array<string | number>, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") throw file.error(keys, `'${keys.at(-1)}' must be a string`);
  return value;
}

/**
 * Checks an optional list of mappings (headers, queryParams, variables, …), each with a string `key`
 * when `needsKey`; returns the entries.
 */
export function optEntries(
  file: YamlFile,
  keys: Array<string | number>,
  value: unknown,
  needsKey = true,
): YamlMap[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw file.error(keys, `'${keys.at(-1)}' must be a list`);
  value.forEach((entry, i) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
      throw file.error([...keys, i], `each entry of '${keys.at(-1)}' must be a mapping`);
    }
    if (needsKey && typeof (entry as YamlMap).key !== "string") {
      throw file.error([...keys, i], `each entry of '${keys.at(-1)}' needs a string 'key'`);
    }
  });
  return value as YamlMap[];
}
