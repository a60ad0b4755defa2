/**
 * `executions[].request` of Newman's JSON report: the request as postman-runtime left it after sending
 * (headers the runtime added marked `system: true`, the body in its own mode), rebuilt from the event
 * and the item's definition. Tools that render reports (htmlextra, dashboards) show these as Newman's.
 */
import { BODY_PREVIEW_BYTES } from "../engine/send-definition";
import { markSystem } from "../engine/sent-request";
import type { BodyDefinition, JsonValue } from "../engine/types";
import type { RequestCompletedEvent } from "../schemas/events";
import type { ReportItem } from "./collection-json";

type EventRequest = RequestCompletedEvent["request"];

export interface NewmanHeader {
  key: string;
  value: string;
  disabled?: true;
  system?: true;
}

interface NewmanGraphql {
  query?: string;
  operationName?: string;
  variables?: JsonValue;
}

/** Body shapes as Newman writes them; `raw` is the sent text (the event's capped preview). */
export type NewmanBody =
  | { mode: "raw"; raw: string; options?: JsonValue }
  | { mode: "urlencoded"; urlencoded: Array<Record<string, JsonValue>> }
  | { mode: "formdata"; formdata: Array<Record<string, JsonValue>> }
  | { mode: "graphql"; graphql: NewmanGraphql }
  | { mode: "file"; file: { src: string } };

/** The event's headers with those the runtime added marked as Newman marks them. */
export function newmanHeaders(request: EventRequest): NewmanHeader[] {
  return markSystem(request.headers, request.systemHeaders ?? 0);
}

/**
 * Whether the event's preview of the sent body may have been cut (at 2,048 UTF-8 bytes, less a split
 * character): its fields cannot be read back from it then.
 */
function mayBeCut(text: string): boolean {
  const shortest = BODY_PREVIEW_BYTES - 3;
  return text.length * 3 >= shortest && new TextEncoder().encode(text).byteLength >= shortest;
}
const hasVariables = (value: unknown): boolean => JSON.stringify(value ?? null).includes("{{");

/**
 * The body in its definition's mode, its values as sent: from the event's text where it can be read
 * back exactly (urlencoded, GraphQL), from the definition where nothing in it was resolved (form data,
 * file); otherwise the sent text as a raw body, as before.
 */
export function newmanBody(
  request: EventRequest,
  definition: ReportItem | undefined,
): NewmanBody | undefined {
  const def = definition?.request.body as BodyDefinition | undefined;
  const sent = request.body;
  const raw = (): NewmanBody | undefined =>
    sent === undefined
      ? undefined
      : {
          mode: "raw",
          raw: sent,
          ...(def?.mode === "raw" && def.options ? { options: def.options as JsonValue } : {}),
        };
  if (!def || def.disabled) return raw();
  switch (def.mode) {
    case "urlencoded":
      return urlencoded(sent, def.urlencoded ?? []) ?? raw();
    case "graphql":
      return graphql(sent, def.graphql) ?? raw();
    case "formdata":
      return def.formdata && !hasVariables(def.formdata)
        ? { mode: "formdata", formdata: def.formdata.map((f) => ({ ...f }) as Record<string, JsonValue>) }
        : raw();
    case "file":
      return typeof def.file?.src === "string" && def.file.src && !hasVariables(def.file.src)
        ? { mode: "file", file: { src: def.file.src } }
        : raw();
    default:
      return raw();
  }
}

/** The definition's fields, each enabled one with the key and value it was sent with. */
function urlencoded(sent: string | undefined, fields: NonNullable<BodyDefinition["urlencoded"]>) {
  // Every field disabled: nothing was sent, and Newman's report keeps the definition's fields.
  if (sent === undefined && fields.length > 0 && fields.every((f) => f.disabled))
    return {
      mode: "urlencoded" as const,
      urlencoded: fields.map((f) => ({ ...f }) as Record<string, JsonValue>),
    };
  if (sent === undefined || mayBeCut(sent)) return undefined;
  let pairs: Array<[string, string]>;
  try {
    pairs = sent
      ? sent.split("&").map((pair) => {
          const at = pair.indexOf("=");
          return [decodeURIComponent(pair.slice(0, at)), decodeURIComponent(pair.slice(at + 1))];
        })
      : [];
  } catch {
    return undefined;
  }
  const sentFields = fields.filter((f) => !f.disabled && f.key !== "");
  // A pre-request script changed the body: its fields are not the definition's.
  if (pairs.length !== sentFields.length) return undefined;
  let next = 0;
  const urlencoded = fields.map((f) => {
    const out = { ...f } as Record<string, JsonValue>;
    if (f.disabled || f.key === "") return out;
    const [key, value] = pairs[next++]!;
    return { ...out, key, value };
  });
  return { mode: "urlencoded" as const, urlencoded };
}

/**
 * Newman keeps the GraphQL definition's shape (variables written as text stay text): the definition
 * itself when nothing in it was resolved, else the sent JSON read back.
 */
function graphql(sent: string | undefined, def: BodyDefinition["graphql"]) {
  if (def && !hasVariables(def)) return { mode: "graphql" as const, graphql: { ...def } as NewmanGraphql };
  if (sent === undefined || mayBeCut(sent)) return undefined;
  let parsed: Record<string, JsonValue>;
  try {
    parsed = JSON.parse(sent) as Record<string, JsonValue>;
  } catch {
    return undefined;
  }
  const graphql: NewmanGraphql = {};
  if (typeof parsed.query === "string") graphql.query = parsed.query;
  if (typeof parsed.operationName === "string") graphql.operationName = parsed.operationName;
  if (parsed.variables !== undefined)
    graphql.variables =
      typeof def?.variables === "string" ? JSON.stringify(parsed.variables) : parsed.variables;
  return { mode: "graphql" as const, graphql };
}
