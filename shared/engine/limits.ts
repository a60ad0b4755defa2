/**
 * Input limits: what one run may contain. Checked on the raw JSON before schema validation so that an
 * oversized or hostile document is refused cheaply, with a JSON pointer to the offending part.
 */
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
  /** Characters of one header value. */
  headerChars: 64 * 1024,
  /** Characters of one URL. */
  urlChars: 16 * 1024,
  /** Collection variables. */
  variables: 5000,
  /** JSON nesting depth anywhere in the document. */
  jsonDepth: 64,
} as const;

export interface LimitViolation {
  pointer: string;
  message: string;
}

const MAX_VIOLATIONS = 20;

/** Walks the raw collection once; returns the limits it breaks (empty when fine). */
export function checkCollectionLimits(raw: unknown): LimitViolation[] {
  if (isV3Input(raw)) return checkV3Limits(raw);
  const out: LimitViolation[] = [];
  let itemCount = 0;
  const add = (pointer: string, message: string) => {
    if (out.length < MAX_VIOLATIONS) out.push({ pointer, message });
  };
  const jsonDepth = (value: unknown, depth: number, pointer: string): boolean => {
    if (depth > LIMITS.jsonDepth) {
      add(pointer, `JSON nesting deeper than ${LIMITS.jsonDepth} levels`);
      return false;
    }
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value))
        if (!jsonDepth(v, depth + 1, `${pointer}/${k}`)) return false;
    }
    return true;
  };
  if (!jsonDepth(raw, 0, "")) return out;
  const obj = raw as { item?: unknown; variable?: unknown; event?: unknown };
  if (Array.isArray(obj?.variable) && obj.variable.length > LIMITS.variables) {
    add("/variable", `${obj.variable.length} collection variables exceed the limit of ${LIMITS.variables}`);
  }
  const checkEvents = (events: unknown, pointer: string) => {
    if (!Array.isArray(events)) return;
    events.forEach((e, i) => {
      const exec = (e as { script?: { exec?: unknown } })?.script?.exec;
      const length =
        typeof exec === "string"
          ? exec.length
          : Array.isArray(exec)
            ? exec.reduce((n: number, l) => n + (typeof l === "string" ? l.length + 1 : 0), 0)
            : 0;
      if (length > LIMITS.scriptChars)
        add(
          `${pointer}/${i}/script/exec`,
          `script of ${length} characters exceeds the limit of ${LIMITS.scriptChars}`,
        );
    });
  };
  checkEvents(obj?.event, "/event");
  const walk = (items: unknown, pointer: string, depth: number) => {
    if (!Array.isArray(items)) return;
    if (depth > LIMITS.depth) {
      add(pointer, `folders nested deeper than ${LIMITS.depth} levels`);
      return;
    }
    items.forEach((item, i) => {
      const p = `${pointer}/${i}`;
      itemCount++;
      if (itemCount === LIMITS.items + 1) add(p, `more than ${LIMITS.items} items in one collection`);
      const it = item as { item?: unknown; event?: unknown; request?: { url?: unknown; header?: unknown } };
      checkEvents(it?.event, `${p}/event`);
      const url = it?.request?.url;
      const raw = typeof url === "string" ? url : (url as { raw?: unknown })?.raw;
      if (typeof raw === "string" && raw.length > LIMITS.urlChars)
        add(`${p}/request/url`, `URL of ${raw.length} characters exceeds the limit of ${LIMITS.urlChars}`);
      const headers = it?.request?.header;
      if (Array.isArray(headers)) {
        if (headers.length > LIMITS.headers)
          add(`${p}/request/header`, `${headers.length} headers exceed the limit of ${LIMITS.headers}`);
        headers.forEach((h, j) => {
          const v = (h as { value?: unknown })?.value;
          if (typeof v === "string" && v.length > LIMITS.headerChars)
            add(`${p}/request/header/${j}/value`, `header value exceeds ${LIMITS.headerChars} characters`);
        });
      }
      walk(it?.item, `${p}/item`, depth + 1);
    });
  };
  walk(obj?.item, "/item", 1);
  return out;
}
