// A console call's arguments as typed, JSON-safe values (ConsoleValue, shared/schemas/events.ts), for
// the CLI's Newman-style console output: what postman-sandbox hands Newman's reporter, encoded.
import type { ConsoleValue } from "../../schemas/events";

/** A function as postman-sandbox sends it to the console (teleport-javascript): `[Function: name]`. */
export const functionText = (f: { name?: unknown }, kind = "Function") =>
  f.name ? `[${kind}: ${String(f.name)}]` : `[${kind}]`;

/** How deep below a console argument values are kept: util.inspect (depth 25) shows one level more. */
const CONSOLE_DEPTH = 26;
/**
 * Items kept of a longer array: Newman's console shows 100 (util.inspect's maxArrayLength), and lines
 * numbers up in columns by whether the 101st is a number too.
 */
const CONSOLE_ITEMS = 101;
/** The typed arrays teleport-javascript carries as such (others travel as objects with index keys). */
const TYPED_ARRAYS = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
]);
const TOO_BIG = new Error("console arguments over the limit");
// Taken once: QuickJS looks a global up on every use.
const OBJECT_PROTO: unknown = Object.prototype;
const ARRAY_PROTO: unknown = Array.prototype;
const getPrototype: (v: unknown) => unknown = Object.getPrototypeOf;
const reflectGet = Reflect.get;
/** What JSON leaves out (a function where postman-sandbox's replacer does not apply). */
const OMIT = Symbol("omit");
type Encoded = ConsoleValue | typeof OMIT;

/** An encoding in progress: what is left of the size budget, and the objects being encoded. */
interface ArgWalk {
  budget: number;
  parents: object[];
}

/** A primitive's encoding, or undefined for an object or a function (in sandbox order: JSON's rules). */
function encodePrimitive(v: unknown, w: ArgWalk): ConsoleValue | undefined {
  switch (typeof v) {
    case "string":
      w.budget -= v.length;
      if (w.budget < 0) throw TOO_BIG;
      return v;
    case "number":
      if (Number.isFinite(v)) return v || 0;
      w.budget -= 14;
      return { t: "n", v: String(v) };
    case "boolean":
      return v;
    case "undefined":
      w.budget -= 8;
      return { t: "u" };
    case "bigint":
      w.budget -= 12;
      return { t: "b", v: String(v) };
    case "symbol":
      w.budget -= 12;
      return { t: "y", v: v.description ?? "" };
    default:
      return v === null ? null : undefined;
  }
}

/**
 * One console argument as postman-sandbox sends it out (JSON's rules, as teleport-javascript extends
 * them for undefined, NaN, bigints, symbols, dates, regexps, Maps, Sets, typed arrays and cycles, and
 * its replacer for functions and what JSON cannot show), encoded as a ConsoleValue. `plain`: inside a
 * Map or Set, which teleport-javascript serialises without the sandbox's replacer. The budget counts
 * about the encoding's characters. Plain functions over a state object, not a class: nothing here
 * may form a cycle QuickJS frees only by collection.
 */
function encodeValue(raw: unknown, key: string, depth: number, plain: boolean, w: ArgWalk): Encoded {
  w.budget -= 2;
  if (w.budget < 0) throw TOO_BIG;
  const simple = encodePrimitive(raw, w);
  if (simple !== undefined) return simple;
  // Plain objects and arrays (most of what scripts log) skip the checks for what JSON treats specially.
  const proto: unknown = getPrototype(raw);
  let v = raw as object;
  if (!((proto === OBJECT_PROTO || proto === ARRAY_PROTO) && typeof reflectGet(v, "toJSON") !== "function")) {
    const view = jsonSide(v, key, plain, w);
    if ("done" in view) return view.done;
    v = view.walk;
  }
  if (depth > CONSOLE_DEPTH) return { t: "x" };
  const up = w.parents.lastIndexOf(v);
  if (up >= 0) return { t: "c", up: w.parents.length - up };
  w.parents.push(v);
  try {
    return encodeObject(v, depth, plain, w);
  } finally {
    w.parents.pop();
  }
}

function encodeObject(v: object, depth: number, plain: boolean, w: ArgWalk): Encoded {
  if (Array.isArray(v)) {
    const items = encodeItems(v.slice(0, CONSOLE_ITEMS), depth, plain, w);
    return v.length > CONSOLE_ITEMS ? { t: "a", v: items, n: v.length } : items;
  }
  const proto: unknown = getPrototype(v);
  if (proto !== OBJECT_PROTO && proto !== null) {
    const special = encodeSpecial(v, depth, plain, w);
    if (special !== undefined) return special;
  }
  // As a JSON object, unless a key would read as a tag (`t`) or a prototype: then as [key, value] pairs.
  const keys = Object.keys(v);
  const asRecord = !keys.includes("t") && !keys.includes("__proto__");
  w.budget -= asRecord ? 2 : 14;
  const record: Record<string, ConsoleValue> = {};
  const entries: ConsoleValue[] = [];
  for (const k of keys) {
    w.budget -= k.length + 4;
    const e = encodeValue(Reflect.get(v, k), k, depth + 1, plain, w);
    if (e === OMIT) continue;
    if (asRecord) record[k] = e;
    else entries.push([k, e]);
  }
  return asRecord ? record : { t: "o", v: entries };
}

/**
 * What JSON serialises for a value that is not a plain object or array: a Date, what its toJSON gives
 * (a Buffer's as one), a function as the sandbox's replacer writes it: the encoding (`done`), or the
 * object to walk.
 */
function jsonSide(
  raw: object,
  key: string,
  plain: boolean,
  w: ArgWalk,
): { done: Encoded } | { walk: object } {
  if (raw instanceof Date) {
    const iso: unknown = raw.toJSON();
    return { done: typeof iso === "string" ? { t: "d", v: iso } : null };
  }
  const view = jsonView(raw, key);
  if (view !== raw) {
    const replaced = encodePrimitive(view, w);
    if (replaced !== undefined) return { done: replaced };
  }
  if (typeof view === "function")
    return { done: plain ? OMIT : functionText(view, constructorName(view) || "Function") };
  if (typeof view !== "object" || view === null) return { done: OMIT };
  const data: unknown = reflectGet(view, "data");
  if (raw instanceof Uint8Array && reflectGet(view, "type") === "Buffer" && Array.isArray(data)) {
    w.budget -= data.length * 4;
    if (w.budget < 0) throw TOO_BIG;
    return { done: { t: "B", v: data.map(Number) } };
  }
  return { walk: view };
}

/** Objects teleport-javascript (or the sandbox's replacer) carries as what they are, not as their keys. */
function encodeSpecial(v: object, depth: number, plain: boolean, w: ArgWalk): Encoded | undefined {
  w.budget -= 14;
  if (v instanceof RegExp) return { t: "re", v: String(v) };
  if (v instanceof Map) return { t: "M", v: [...v].map((e) => encodeItems(e, depth, true, w)) };
  if (v instanceof Set) return { t: "S", v: encodeItems([...v], depth, true, w) };
  if (!plain && (v instanceof WeakMap || v instanceof WeakSet))
    return `[${v instanceof WeakMap ? "WeakMap" : "WeakSet"}]`;
  if (!plain && v instanceof ArrayBuffer) return `[ArrayBuffer { byteLength: ${v.byteLength} }]`;
  const typed = ArrayBuffer.isView(v) ? constructorName(v) : "";
  if (!TYPED_ARRAYS.has(typed)) return undefined;
  const list = v as unknown as ArrayLike<number>;
  const first = Array.from({ length: Math.min(list.length, CONSOLE_ITEMS) }, (_, i) => {
    const x = Number(list[i]);
    return Number.isFinite(x) ? x : 0;
  });
  w.budget -= first.length * 4;
  return { t: "ta", c: typed, v: first, n: list.length };
}

/** An array's items one level down (a hole is undefined; what JSON leaves out is null). */
function encodeItems(list: unknown[], depth: number, plain: boolean, w: ArgWalk): ConsoleValue[] {
  const out: ConsoleValue[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = encodeValue(list[i], String(i), depth + 1, plain, w);
    out.push(e === OMIT ? null : e);
  }
  return out;
}

/** The value JSON serialises in place of `v`: its toJSON's, a boxed primitive's, an Error as the sandbox's. */
function jsonView(v: unknown, key: string): unknown {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
  const toJSON: unknown = Reflect.get(v, "toJSON");
  if (typeof toJSON === "function") return toJSON.call(v, key);
  // postman-sandbox gives Error.prototype a toJSON of these three fields.
  if (v instanceof Error) return { type: "Error", name: v.name, message: v.message };
  if (v instanceof Number) return Number.isFinite(v.valueOf()) ? v.valueOf() : null;
  if (v instanceof String || v instanceof Boolean) return v.valueOf();
  return v;
}

function constructorName(v: object): string {
  const c: unknown = Reflect.get(v, "constructor");
  const name: unknown = typeof c === "function" ? c.name : "";
  return typeof name === "string" ? name : "";
}

/**
 * A console call's arguments as ConsoleValues, or undefined when their encoding would take more than
 * about `maxChars` characters (the console message limit).
 */
export function encodeArgs(args: unknown[], maxChars: number): ConsoleValue[] | undefined {
  try {
    const walk: ArgWalk = { budget: maxChars, parents: [] };
    return args.map((a, i) => {
      const e = encodeValue(a, String(i), 0, false, walk);
      return e === OMIT ? null : e;
    });
  } catch (_e) {
    // Over the limit, or a getter or toJSON that threw: the message alone is kept.
    return undefined;
  }
}
