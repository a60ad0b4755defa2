/**
 * The pieces of Newman's JSON report that tie a run's failures to their executions: script errors in
 * postman-runtime's serialised shape, a failure's `at`, `source` and `cursor`, and Newman's URL object.
 */
import { nodeErrorFields } from "../engine/request-error";
import { parseRawUrl } from "../engine/url";
import type { Failure, RequestCompletedEvent } from "../schemas/events";
import type { ReportItem } from "./collection-json";
import type { NewmanExecution } from "./newman-json";

/** Newman serialises the sent request's URL as a Postman Url object, not a string. */
export interface NewmanUrl {
  protocol?: string;
  port?: string;
  path: string[];
  host: string[];
  query: Array<{ key: string; value: string }>;
  variable: unknown[];
}

export function newmanUrl(raw: string): NewmanUrl {
  const u = parseRawUrl(raw);
  return {
    ...(u.protocol ? { protocol: u.protocol } : {}),
    ...(u.port ? { port: u.port } : {}),
    path: u.path,
    host: u.host,
    query: u.query.map((q) => ({ key: q.key, value: q.value })),
    variable: [],
  };
}

/** A script error as Newman's summary stores it (postman-runtime's serialised error). */
export function scriptError(s: { name: string; message: string }) {
  return {
    type: "Error",
    name: s.name,
    message: s.message,
    checksum: "",
    id: "",
    timestamp: 0,
    stacktrace: [],
  };
}

/** `prerequestScript` / `testScript`: Newman adds them to an execution only when its script failed. */
export function scriptErrorsOf(e: RequestCompletedEvent, event: "prerequest" | "test") {
  const errors = e.scriptErrors.filter((s) => s.event === event);
  if (!errors.length) return {};
  return { [`${event}Script`]: errors.map((s) => ({ error: scriptError(s) })) };
}

/** What a failure needs of the execution it points at (kept small so streaming stays bounded). */
export interface ExecutionRef {
  cursor: NewmanExecution["cursor"];
  id: string;
  /**
   * Name → indexes of the failed assertions with that name, in order; the failures of a name are
   * matched to them one by one (`taken`), so same-named tests keep their own index as in Newman.
   */
  failedAt: Map<string, number[]>;
  taken: Map<string, number>;
}

export function refOf(ex: NewmanExecution): ExecutionRef {
  const failedAt = new Map<string, number[]>();
  ex.assertions?.forEach((a, i) => {
    if (!a.error) return;
    const list = failedAt.get(a.assertion) ?? [];
    list.push(a.error.index ?? i);
    failedAt.set(a.assertion, list);
  });
  return { cursor: ex.cursor, id: ex.id, failedAt, taken: new Map() };
}

/** The index of the assertion a failure reports: the next failed one of its name, if known. */
export function assertionIndex(found: ExecutionRef | undefined, name: string): number {
  if (!found) return -1;
  const nth = found.taken.get(name) ?? 0;
  const list = found.failedAt.get(name) ?? [];
  found.taken.set(name, nth + 1);
  return list[Math.min(nth, list.length - 1)] ?? -1;
}

/** Newman's `source` of a failed pm.sendRequest: the side request itself (no name, no parent). */
export function sideSource(r: { method: string; url: string }) {
  return { id: "", request: { url: newmanUrl(r.url), method: r.method } };
}

/** The folder (or the collection) holding each item, by item id: a failure's `parent` in Newman's report. */
export type ItemParents = Map<string, { id: string; name: string }>;

export function failure(
  f: Failure,
  index: number,
  exec: Map<string, ExecutionRef>,
  defs: Map<string, ReportItem>,
  parents: ItemParents = new Map(),
) {
  const found = f.item ? exec.get(`${f.item.id}:${f.iteration}`) : undefined;
  const assertion = f.source === "assertion" ? assertionIndex(found, f.name) : -1;
  const position = assertion >= 0 ? assertion : index;
  const at =
    f.source === "assertion"
      ? `assertion:${position} in test-script`
      : f.source === "request"
        ? "request"
        : f.source === "script"
          ? f.event === "prerequest"
            ? "prerequest-script"
            : "test-script"
          : "run";
  const cursor = found
    ? { ...found.cursor, scriptId: "", execution: found.id }
    : { iteration: f.iteration, scriptId: "", execution: "" };
  const name = f.errorName ?? (f.source === "assertion" ? "AssertionError" : f.name);
  // Newman's error shapes differ by source: an assertion's names its test, a script's is
  // postman-runtime's serialised error, a request's Node's (its errno/code are Node's alone).
  const error =
    f.source === "script"
      ? scriptError({ name, message: f.message })
      : {
          ...(f.source === "request" ? nodeErrorFields({ name, message: f.message }) : {}),
          name,
          ...(f.source === "assertion" ? { index: position, test: f.name } : {}),
          message: f.message,
          stack: `${name}: ${f.message}`,
          checksum: "",
          id: "",
          timestamp: 0,
          stacktrace: [],
        };
  return {
    error,
    at,
    source: f.sideRequest
      ? sideSource(f.sideRequest)
      : f.item
        ? (defs.get(f.item.id) ?? { id: f.item.id, name: f.item.name })
        : { name: "run" },
    // Newman's is the whole folder (or collection) object; its id and name stand for it here. A failed
    // pm.sendRequest has none, as in Newman.
    parent: f.item && !f.sideRequest ? parentOf(f.item, parents) : undefined,
    cursor,
  };
}

/** The item's folder or collection; without the item tree, the last folder of its path (no id). */
function parentOf(item: NonNullable<Failure["item"]>, parents: ItemParents): { id: string; name: string } {
  return parents.get(item.id) ?? { id: "", name: item.path.at(-1) ?? "" };
}
