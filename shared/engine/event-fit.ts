/**
 * One event must fit one stored row: a Durable Object's SQLite refuses a value past 2 MB
 * (`SQLITE_TOOBIG`), and a slice whose commit fails is retried until the run fails with an internal
 * error, losing the rest of the run. A script decides how large its request's event gets (100,000
 * `pm.test` calls, thousands of headers added to `pm.request`, a test named by a 3 MB string), so the
 * event log shrinks an oversized event to a bound instead: long strings are cut first, then the largest
 * lists keep their first entries, and the event says what was dropped. Counts in the run's stats are the
 * engine's and stay exact; only the event's lists are shorter.
 */
import type { RunEvent } from "../schemas/events";

/** What an event may take at rest, in UTF-8 bytes of its JSON (half of the platform's row limit). */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** Strings past this many characters are cut when an event is too large (with `…` at the end). */
const LONG_STRING = 8 * 1024;
/** The second, harder cut, for an event still too large once its lists are short. */
const SHORT_STRING = 256;

const encoder = new TextEncoder();

/**
 * UTF-8 bytes of a JSON text, or its length when even 3 bytes per character stay within `limit` (the
 * common case: no encoding needed to know that it fits).
 */
export function jsonBytes(json: string, limit = MAX_EVENT_BYTES): number {
  return json.length * 3 <= limit ? json.length : encoder.encode(json).length;
}

export interface FittedEvent {
  event: RunEvent;
  json: string;
}

/**
 * The event as given when its JSON fits `maxBytes`; otherwise a smaller copy (and its JSON) that does.
 * Why here and not in the engine: only the event log knows the text it is about to store, so the check
 * costs nothing for an event that fits.
 */
export function fitEvent(event: RunEvent, json: string, maxBytes = MAX_EVENT_BYTES): FittedEvent {
  if (jsonBytes(json, maxBytes) <= maxBytes) return { event, json };
  const originalBytes = encoder.encode(json).length;
  const dropped: Record<string, number> = {};
  let next = cutStrings(event, LONG_STRING) as RunEvent;
  let text = JSON.stringify(next);
  // Halve the largest list until the event fits: a few dozen rounds even for 100,000 entries.
  for (let round = 0; round < 64 && jsonBytes(text, maxBytes) > maxBytes; round++) {
    const largest = largestList(next);
    if (!largest || largest.list.length <= 1) break;
    const keep = Math.floor(largest.list.length / 2);
    dropped[largest.path] = (dropped[largest.path] ?? 0) + largest.list.length - keep;
    largest.list.length = keep;
    text = JSON.stringify(next);
  }
  if (jsonBytes(text, maxBytes) > maxBytes) {
    next = cutStrings(next, SHORT_STRING) as RunEvent;
    text = JSON.stringify(next);
  }
  next = annotate(next, { bytes: originalBytes, dropped, limit: maxBytes });
  return { event: next, json: JSON.stringify(next) };
}

/** A deep copy with every string longer than `max` characters cut to it. */
function cutStrings(value: unknown, max: number): unknown {
  if (typeof value === "string") return value.length > max ? `${value.slice(0, max - 1)}…` : value;
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, max));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cutStrings(v, max);
    return out;
  }
  return value;
}

/** The array (anywhere in the event) whose JSON is the longest, with its path for the note. */
function largestList(root: unknown): { list: unknown[]; path: string } | undefined {
  let best: { list: unknown[]; path: string; size: number } | undefined;
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      const size = JSON.stringify(value).length;
      if (value.length > 1 && (!best || size > best.size)) best = { list: value, path, size };
      value.forEach((v, i) => {
        visit(v, `${path}/${i}`);
      });
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, `${path}/${k}`);
    }
  };
  visit(root, "");
  return best;
}

/** Says on the event what was cut: `truncated` on a request's event, plus a console warning people see. */
function annotate(
  event: RunEvent,
  cut: { bytes: number; dropped: Record<string, number>; limit: number },
): RunEvent {
  if (event.type !== "request.completed") return event;
  const lists = Object.entries(cut.dropped).map(([path, n]) => `${n} of ${path.slice(1)}`);
  const message =
    `edgerun: this request's result was ${cut.bytes} bytes, past the ${cut.limit}-byte limit of ` +
    `one event; long texts were shortened${lists.length ? ` and the last entries dropped (${lists.join(", ")})` : ""}.`;
  return {
    ...event,
    console: [...event.console, { level: "warn", message, args: [message] }],
    truncated: { bytes: cut.bytes, dropped: cut.dropped },
  };
}
