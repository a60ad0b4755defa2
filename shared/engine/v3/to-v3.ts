/**
 * Postman Collection v2.1 JSON → a v3 tree of YAML files (the reverse of convert.ts), for fixtures,
 * round-trip tests and teams that move a Newman collection into Git. Ids are kept (`id:`) so that
 * `setNextRequest(<id>)` still finds its request after the round trip.
 */
import { stringify } from "yaml";
import { parseUrl, urlToString } from "../url";
import { RAW_LANGUAGES } from "./entities";

type Json = Record<string, unknown>;

export interface ToV3Options {
  /** Directory the collection's files are placed in (default `postman/collections/<name>/`). */
  root?: string;
}

function yaml(value: Json): string {
  return stringify(value, { lineWidth: 0 });
}

/** A file-name stem v3 accepts: no `/ \ : * ? " < > |`, unique (case-insensitively) in its directory. */
function stemFor(name: string, taken: Set<string>): string {
  const clean = name.replace(/[/\\:*?"<>|]/g, "-").trim() || "untitled";
  let stem = clean;
  for (let n = 2; taken.has(stem.toLowerCase()); n++) stem = `${clean} (${n})`;
  taken.add(stem.toLowerCase());
  return stem;
}

const entries = (list: unknown): Json[] =>
  Array.isArray(list) ? list.filter((e): e is Json => !!e && typeof e === "object") : [];

function kvList(list: unknown, keepType = false): Json[] {
  return entries(list).map((e) => ({
    key: e.key ?? "",
    value: e.value === undefined ? "" : e.value,
    ...(typeof e.description === "string" ? { description: e.description } : {}),
    ...(e.disabled === true ? { disabled: true } : {}),
    ...(keepType && typeof e.type === "string" ? { type: e.type } : {}),
  }));
}

function scripts(events: unknown): Json[] {
  return entries(events).flatMap((e) => {
    if (e.listen !== "prerequest" && e.listen !== "test") return [];
    const script = e.script as Json | string | undefined;
    const exec = typeof script === "string" ? script : script?.exec;
    const code = Array.isArray(exec) ? exec.join("\n") : typeof exec === "string" ? exec : "";
    return [
      {
        type: e.listen === "prerequest" ? "http:beforeRequest" : "http:afterResponse",
        code,
        language: "text/javascript",
        ...(e.disabled === true ? { disabled: true } : {}),
      },
    ];
  });
}

function auth(value: unknown): Json | undefined {
  if (!value || typeof value !== "object") return undefined;
  const a = value as Json;
  const type = String(a.type);
  if (type === "noauth") return { type };
  const params = a[type];
  const credentials = Array.isArray(params)
    ? kvList(params).map(({ key, value }) => ({ key, value }))
    : Object.entries((params ?? {}) as Json).map(([key, value]) => ({ key, value }));
  return { type, credentials };
}

function body(value: unknown): Json | undefined {
  if (!value || typeof value !== "object") return undefined;
  const b = value as Json;
  const language = ((b.options as Json | undefined)?.raw as Json | undefined)?.language;
  switch (b.mode) {
    case "raw": {
      const type =
        typeof language === "string" && language in RAW_LANGUAGES && language !== "text" ? language : "text";
      return { type, content: typeof b.raw === "string" ? b.raw : "" };
    }
    case "urlencoded":
      return { type: "urlencoded", content: kvList(b.urlencoded, true) };
    case "formdata":
      return {
        type: "formdata",
        content: entries(b.formdata).map((p) => {
          const { key, value, src, type, contentType, description, disabled } = p;
          return Object.fromEntries(
            Object.entries({
              key,
              type: type ?? "text",
              value,
              src,
              contentType,
              description,
              disabled,
            }).filter(([, v]) => v !== undefined),
          );
        }),
      };
    case "file":
      return { type: "file", src: (b.file as Json | undefined)?.src ?? null };
    case "graphql":
      return { type: "graphql", content: b.graphql ?? {} };
    default:
      return undefined;
  }
}

/** v2.1 url (string or object) → v3 `url` plus `queryParams`/`pathVariables` when the object lists them. */
function url(value: unknown): Json {
  if (typeof value === "string" || value === undefined || value === null) return { url: value ?? "" };
  const u = value as Json;
  const raw = typeof u.raw === "string" ? u.raw : urlToString(parseUrl(u as never));
  const out: Json = { url: raw };
  if (Array.isArray(u.query)) {
    const hashAt = raw.indexOf("#");
    const hash = hashAt < 0 ? "" : raw.slice(hashAt);
    out.url = `${(hashAt < 0 ? raw : raw.slice(0, hashAt)).split("?")[0]}${hash}`;
    // A parameter without a value (`?flag`) has `value: null` in v3, as it does in v2.1.
    out.queryParams = entries(u.query).map((q) => ({
      key: q.key ?? "",
      value: q.value === undefined ? null : q.value,
      ...(q.disabled === true ? { disabled: true } : {}),
    }));
  }
  if (Array.isArray(u.variable) && u.variable.length) out.pathVariables = kvList(u.variable);
  return out;
}

function requestFile(item: Json, order: number, stem: string): string {
  const req = (typeof item.request === "string" ? { url: item.request } : (item.request ?? {})) as Json;
  const header = kvList(req.header);
  const b = body(req.body);
  const a = auth(req.auth);
  const s = scripts(item.event);
  const name = String(item.name ?? "");
  return yaml({
    $kind: "http-request",
    ...(typeof item.id === "string" ? { id: item.id } : {}),
    ...(name !== stem ? { name } : {}),
    ...(typeof item.description === "string" ? { description: item.description } : {}),
    method: typeof req.method === "string" ? req.method : "GET",
    ...url(req.url),
    ...(header.length ? { headers: header } : {}),
    ...(b ? { body: b } : {}),
    ...(a ? { auth: a } : {}),
    ...(item.protocolProfileBehavior ? { settings: item.protocolProfileBehavior } : {}),
    ...(s.length ? { scripts: s } : {}),
    order,
  });
}

function definitionFile(node: Json, extra: Json): string | undefined {
  const variables = kvList(node.variable, true);
  const a = auth(node.auth);
  const s = scripts(node.event);
  const def: Json = {
    $kind: "collection",
    ...extra,
    ...(typeof node.description === "string" ? { description: node.description } : {}),
    ...(variables.length ? { variables } : {}),
    ...(a ? { auth: a } : {}),
    ...(s.length ? { scripts: s } : {}),
    ...(node.protocolProfileBehavior ? { settings: node.protocolProfileBehavior } : {}),
  };
  return Object.keys(def).length > 1 ? yaml(def) : undefined;
}

function writeItems(items: unknown, dir: string, files: Record<string, string>): void {
  const taken = new Set<string>([".resources"]);
  entries(items).forEach((item, i) => {
    const order = (i + 1) * 1000;
    const name = String(item.name ?? "");
    const stem = stemFor(name, taken);
    if (Array.isArray(item.item)) {
      const sub = `${dir}${stem}/`;
      const def = definitionFile(item, {
        ...(typeof item.id === "string" ? { id: item.id } : {}),
        ...(name !== stem ? { name } : {}),
        order,
      });
      if (def) files[`${sub}.resources/definition.yaml`] = def;
      writeItems(item.item, sub, files);
    } else {
      files[`${dir}${stem}.request.yaml`] = requestFile(item, order, stem);
    }
  });
}

/** Converts a v2.1 collection into v3 files (path → YAML text). */
export function toV3(collection: Json, options: ToV3Options = {}): Record<string, string> {
  const info = (collection.info ?? {}) as Json;
  const name = String(info.name ?? "collection");
  const root = options.root ?? `postman/collections/${stemFor(name, new Set())}/`;
  const files: Record<string, string> = {};
  const def = definitionFile(
    { ...collection, description: info.description },
    { ...(typeof info._postman_id === "string" ? { id: info._postman_id } : {}), name },
  );
  if (def) files[`${root}.resources/definition.yaml`] = def;
  writeItems(collection.item, root, files);
  return files;
}

/** A Postman environment export → `postman/environments/<name>.environment.yaml`. */
export function environmentToV3(env: Json): Record<string, string> {
  const name = String(env.name ?? "environment");
  const values = entries(env.values).map((v) => ({
    key: v.key ?? "",
    value: v.value ?? "",
    enabled: v.enabled !== false,
    type: typeof v.type === "string" ? v.type : "default",
  }));
  return { [`postman/environments/${stemFor(name, new Set())}.environment.yaml`]: yaml({ name, values }) };
}
