/**
 * Input limits: what one run may contain. Checked on the raw JSON before schema validation so that an
 * oversized or hostile document is refused cheaply, with a JSON pointer to the offending part.
 *
 * Every limit applies to every shape the schemas accept for a field (a script as a string, an `exec`
 * string or an array of lines; headers as a list or as one `Key: value` string; a URL as a string, a
 * `raw` string or structured parts), and every walk is iterative, so no input can overflow the stack.
 */
import { convertV1Collection, isV1Collection } from "./convert-v1";
import { checkV3Limits, isV3Input } from "./v3/limits";

export const LIMITS = {
  /** Items (requests + folders) in one collection. */
  items: 5000,
  /** Folder nesting depth. */
  depth: 32,
  /** Characters of one script. */
  scriptChars: 256 * 1024,
  /** Headers on one request. */
  headers: 200,
  /** Characters of one header (key or value) or one auth parameter. */
  headerChars: 64 * 1024,
  /** Characters of one request's headers together (names and values): the platform's own 128 KB limit. */
  requestHeaderChars: 128 * 1024,
  /** Characters of a name: the collection's, a folder's, a request's, an environment's. */
  nameChars: 16 * 1024,
  /**
   * Characters of one URL (its raw form, or all its structured parts together): room for the long-URL
   * requests suites send on purpose to see a 414 or 431 (Newman sends them; the target answers).
   */
  urlChars: 64 * 1024,
  /** Characters of a request method. */
  methodChars: 256,
  /** Variables in one list (collection, folder, URL path variables). */
  variables: 5000,
  /**
   * JSON nesting depth anywhere in the document: room for `depth` folders (two levels each: the folder
   * and its `item` list) and what a request holds, so the folder limit is the one a deep tree meets.
   */
  jsonDepth: 96,
  /**
   * JSON nesting anywhere in an API request body (a collection inside it is held to `jsonDepth`), and in
   * a file the CLI reads: past it, recursive code (JSON.stringify, conversions) could overflow the stack.
   */
  bodyJsonDepth: 128,
  /** JSON values (objects, arrays, strings, numbers…) in one request body. */
  jsonNodes: 2_000_000,
} as const;

export interface LimitViolation {
  pointer: string;
  message: string;
}

const MAX_VIOLATIONS = 20;

export interface JsonLimitOptions {
  /** Deepest allowed nesting (the top-level value is depth 0). */
  maxDepth: number;
  /** Most JSON values in the whole document. */
  maxNodes?: number;
  /** Longest allowed string (keys included). */
  maxStringChars?: number;
  /** Pointer prefix for the violations (`/environment` when checking a part). */
  pointer?: string;
}

interface Frame {
  value: unknown;
  depth: number;
  key: string;
  parent: Frame | null;
}

const escapePointer = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

function pointerOf(frame: Frame, prefix: string): string {
  const parts: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) parts.push(escapePointer(f.key));
  return (
    prefix +
    parts
      .reverse()
      .map((p) => `/${p}`)
      .join("")
  );
}

/**
 * Checks nesting depth, value count and string length of any parsed JSON without recursion, so it is
 * safe on the whole request body before zod (whose recursive schemas would overflow the stack on a
 * document nested thousands of levels deep) ever sees it.
 */
export function checkJsonLimits(value: unknown, options: JsonLimitOptions): LimitViolation[] {
  const out: LimitViolation[] = [];
  const prefix = options.pointer ?? "";
  const maxNodes = options.maxNodes ?? Number.POSITIVE_INFINITY;
  const maxString = options.maxStringChars ?? Number.POSITIVE_INFINITY;
  const stack: Frame[] = [{ value, depth: 0, key: "", parent: null }];
  let nodes = 0;
  while (stack.length && out.length < MAX_VIOLATIONS) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (++nodes > maxNodes) {
      out.push({ pointer: prefix, message: `more than ${maxNodes} JSON values` });
      break;
    }
    if (typeof v === "string") {
      if (v.length > maxString)
        out.push({
          pointer: pointerOf(frame, prefix),
          message: `string longer than ${maxString} characters`,
        });
      continue;
    }
    if (!v || typeof v !== "object") continue;
    if (frame.depth >= options.maxDepth) {
      out.push({
        pointer: pointerOf(frame, prefix),
        message: `JSON nesting deeper than ${options.maxDepth} levels`,
      });
      continue;
    }
    const depth = frame.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], depth, key: String(i), parent: frame });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (key.length > maxString)
          out.push({ pointer: pointerOf(frame, prefix), message: `key longer than ${maxString} characters` });
        stack.push({ value: (v as Record<string, unknown>)[key], depth, key, parent: frame });
      }
    }
  }
  return out;
}

/**
 * Whether an object or array sits at depth `maxDepth` or deeper (the top-level value is depth 0): exactly
 * when `checkJsonLimits(value, { maxDepth })` reports something. One iterative walk with no allocation
 * per value, so a document within the limit (every accepted one) costs a fraction of the full check,
 * which runs only to name the offending pointers.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (!v || typeof v !== "object") continue;
    if (depth >= maxDepth) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children) {
      if (child && typeof child === "object") {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Characters of text a value contributes once the engine turns it into a string: strings and numbers
 * anywhere inside it (an `exec` array, a structured URL, a header value given as an object). Stops
 * counting past `cap`, and is iterative.
 */
export function textLength(value: unknown, cap = Number.POSITIVE_INFINITY): number {
  // A lone string (a URL, a method, a script given as one text) is the common case: no walk.
  if (typeof value === "string") return value.length;
  if (value === undefined || value === null) return 0;
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= cap) {
    const v = stack.pop();
    if (typeof v === "string") total += v.length + 1;
    else if (typeof v === "number" || typeof v === "boolean") total += String(v).length + 1;
    else if (v && typeof v === "object") for (const x of Object.values(v)) stack.push(x);
  }
  return Math.max(0, total - 1);
}

type Add = (pointer: string, message: string) => void;
type Rec = Record<string, unknown>;
const asRec = (v: unknown): Rec | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : undefined;

function checkText(add: Add, pointer: string, value: unknown, limit: number, what: string): void {
  const length = textLength(value, limit);
  if (length > limit) add(pointer, `${what} of more than ${limit} characters exceeds the limit of ${limit}`);
}

function checkVariables(add: Add, pointer: string, list: unknown): void {
  if (Array.isArray(list) && list.length > LIMITS.variables)
    add(pointer, `${list.length} variables exceed the limit of ${LIMITS.variables}`);
}

function checkEvents(add: Add, events: unknown, pointer: string): void {
  if (!Array.isArray(events)) return;
  events.forEach((e, i) => {
    // `script` may be the source itself, or `{ exec: string | string[], src }`.
    const script = asRec(e)?.script;
    const p = typeof script === "string" ? `${pointer}/${i}/script` : `${pointer}/${i}/script/exec`;
    const exec = typeof script === "string" ? script : asRec(script)?.exec;
    checkText(add, p, exec, LIMITS.scriptChars, "script");
  });
}

function checkAuth(add: Add, auth: unknown, pointer: string): void {
  const a = asRec(auth);
  if (!a || typeof a.type !== "string") return;
  // v2.1: `[{ key, value, type }]`; v2.0: `{ key: value }`.
  const params = a[a.type];
  const entries: Array<[string, unknown]> = Array.isArray(params)
    ? params.map((x, i) => [`${i}/value`, asRec(x)?.value])
    : Object.entries(asRec(params) ?? {}).map(([k, v]): [string, unknown] => [escapePointer(k), v]);
  for (const [key, value] of entries)
    checkText(add, `${pointer}/${escapePointer(a.type)}/${key}`, value, LIMITS.headerChars, "auth parameter");
}

function checkHeaders(add: Add, headers: unknown, pointer: string): void {
  // v2.0 allows the raw `Key: value\n…` block as one string.
  const list = typeof headers === "string" ? headers.split("\n") : Array.isArray(headers) ? headers : [];
  if (list.length > LIMITS.headers)
    add(pointer, `${list.length} headers exceed the limit of ${LIMITS.headers}`);
  checkText(add, pointer, headers, LIMITS.requestHeaderChars, "headers");
  list.slice(0, LIMITS.headers + 1).forEach((h, j) => {
    const r = asRec(h);
    if (typeof h === "string") checkText(add, pointer, h, LIMITS.headerChars, `header line ${j}`);
    else if (r) {
      checkText(add, `${pointer}/${j}/key`, r.key, LIMITS.headerChars, "header name");
      checkText(add, `${pointer}/${j}/value`, r.value, LIMITS.headerChars, "header value");
    }
  });
}

function checkUrl(add: Add, url: unknown, pointer: string): void {
  if (typeof url === "string") {
    checkText(add, pointer, url, LIMITS.urlChars, "URL");
    return;
  }
  const u = asRec(url);
  if (!u) return;
  checkText(add, `${pointer}/raw`, u.raw, LIMITS.urlChars, "URL");
  // The structured parts are what the engine builds the URL from when they are present.
  const { raw: _raw, variable, ...parts } = u;
  checkText(add, pointer, parts, LIMITS.urlChars, "URL (structured parts)");
  checkVariables(add, `${pointer}/variable`, variable);
  checkText(add, `${pointer}/variable`, variable, LIMITS.urlChars, "URL path variables");
}

function checkRequest(add: Add, request: unknown, pointer: string): void {
  if (typeof request === "string") {
    checkUrl(add, request, pointer);
    return;
  }
  const r = asRec(request);
  if (!r) return;
  checkUrl(add, r.url, `${pointer}/url`);
  checkHeaders(add, r.header, `${pointer}/header`);
  checkAuth(add, r.auth, `${pointer}/auth`);
  checkText(add, `${pointer}/method`, r.method, LIMITS.methodChars, "method");
}

/**
 * Walks the raw collection once; returns the limits it breaks (empty when fine). Every shape the schema
 * accepts is checked as what it becomes: a Postman API export `{ collection: … }` as its inner collection
 * (pointers under `/collection`), a v1 collection as its v2.1 conversion, once its references are counted
 * (an 8 MB v1 document naming one request two million times converts to two million items).
 */
export function checkCollectionLimits(raw: unknown): LimitViolation[] {
  if (isV3Input(raw)) return checkV3Limits(raw, checkCollectionLimits);
  if (nestsDeeperThan(raw, LIMITS.jsonDepth)) return checkJsonLimits(raw, { maxDepth: LIMITS.jsonDepth });
  const obj = asRec(raw);
  const inner = asRec(obj?.collection);
  if (inner && obj?.info === undefined && obj?.item === undefined) {
    return checkCollectionLimits(inner).map((v) => ({ ...v, pointer: `/collection${v.pointer}` }));
  }
  if (isV1Collection(raw)) return checkV1Limits(raw);
  return checkV2Limits(obj);
}

/** Items a v1 collection can convert to: one per `order` entry, per folder and per `folders_order` entry. */
function v1References(v1: Rec): number {
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  let refs = len(v1.order) + len(v1.folders);
  if (Array.isArray(v1.folders))
    for (const f of v1.folders) refs += len(asRec(f)?.order) + len(asRec(f)?.folders_order);
  return refs;
}

/**
 * An environment's or globals' limits beyond the body's JSON checks: its name (stored in one row of the
 * workspace's index, as a collection's is). Its values are bounded by the body and the JSON checks.
 */
export function checkScopeLimits(raw: unknown): LimitViolation[] {
  const out: LimitViolation[] = [];
  const obj = asRec(raw);
  checkText(
    (pointer, message) => out.push({ pointer, message }),
    "/name",
    obj?.name,
    LIMITS.nameChars,
    "name",
  );
  return out;
}

/** A v1 collection's limits: its size before converting it, then the v2.1 limits of the conversion. */
function checkV1Limits(v1: Rec): LimitViolation[] {
  if (v1References(v1) > LIMITS.items) {
    const message = `more than ${LIMITS.items} items in one collection (v1 order, folders and folders_order entries)`;
    return [{ pointer: "/order", message }];
  }
  // The conversion's pointers (/item/0/request/…) are not the v1 document's: each names its place in
  // the v2.1 form, at the document's root.
  return checkV2Limits(convertV1Collection(v1)).map((v) => ({
    pointer: "",
    message: `${v.message} (at ${v.pointer} of the collection converted to v2.1)`,
  }));
}

function checkV2Limits(obj: Rec | undefined): LimitViolation[] {
  const out: LimitViolation[] = [];
  const add: Add = (pointer, message) => {
    if (out.length < MAX_VIOLATIONS) out.push({ pointer, message });
  };
  checkText(add, "/info/name", asRec(obj?.info)?.name, LIMITS.nameChars, "name");
  checkVariables(add, "/variable", obj?.variable);
  checkEvents(add, obj?.event, "/event");
  checkAuth(add, obj?.auth, "/auth");
  let itemCount = 0;
  // Iterative walk over the item tree (depth is also bounded by the JSON depth check above).
  const stack: Array<{ items: unknown; pointer: string; depth: number }> = [
    { items: obj?.item, pointer: "/item", depth: 1 },
  ];
  while (stack.length && out.length < MAX_VIOLATIONS) {
    const { items, pointer, depth } = stack.pop()!;
    if (!Array.isArray(items)) continue;
    if (depth > LIMITS.depth) {
      add(pointer, `folders nested deeper than ${LIMITS.depth} levels`);
      continue;
    }
    items.forEach((item, i) => {
      const p = `${pointer}/${i}`;
      itemCount++;
      if (itemCount === LIMITS.items + 1) add(p, `more than ${LIMITS.items} items in one collection`);
      if (itemCount > LIMITS.items) return;
      const it = asRec(item);
      checkText(add, `${p}/name`, it?.name, LIMITS.nameChars, "name");
      checkEvents(add, it?.event, `${p}/event`);
      checkVariables(add, `${p}/variable`, it?.variable);
      checkAuth(add, it?.auth, `${p}/auth`);
      checkRequest(add, it?.request, `${p}/request`);
      stack.push({ items: it?.item, pointer: `${p}/item`, depth: depth + 1 });
    });
  }
  return out;
}
