/**
 * v3 entities (an `http-request` file, a `.resources/definition.yaml`, an environment file) → their
 * Postman v2.1 JSON counterparts. The mapping is written down in docs/collection-v3.md.
 */
import { optEntries, optString, type YamlFile, type YamlMap } from "./yaml-file";

export type Json = Record<string, unknown>;

/** v3 body types whose content is one string, and the v2.1 raw language each maps to. */
export const RAW_LANGUAGES: Record<string, string | undefined> = {
  json: "json",
  xml: "xml",
  html: "html",
  javascript: "javascript",
  // v3 `text` is v2.1 raw without a declared language (`text/plain` whenever the body is not empty).
  text: undefined,
};

function kv(entries: YamlMap[], withDisabled: boolean): Json[] {
  return entries.map((e) => {
    const value = e.value === undefined ? "" : e.value;
    return {
      key: e.key,
      value,
      ...(typeof e.description === "string" ? { description: e.description } : {}),
      ...(withDisabled && e.disabled === true ? { disabled: true } : {}),
      ...(typeof e.type === "string" ? { type: e.type } : {}),
    };
  });
}

/** `scripts: [{ type, code }]` → v2.1 `event`; scripts of other protocols are left out. */
export function scriptsToEvents(file: YamlFile, keys: string[], value: unknown): Json[] {
  return optEntries(file, keys, value, false).flatMap((s, i) => {
    const type = optString(file, [...keys, i, "type"], s.type);
    if (!type) throw file.error([...keys, i], "each script needs a 'type' (beforeRequest or afterResponse)");
    const code = optString(file, [...keys, i, "code"], s.code) ?? "";
    const kind = type.replace(/^http:/, "");
    if (kind !== "beforeRequest" && kind !== "afterResponse") return [];
    return [
      {
        listen: kind === "beforeRequest" ? "prerequest" : "test",
        script: { type: optString(file, [], s.language) ?? "text/javascript", exec: code.split("\n") },
        ...(s.disabled === true ? { disabled: true } : {}),
      },
    ];
  });
}

/** `auth: { type, credentials: [{ key, value }] }` → v2.1 auth; a multi-auth list uses its first entry. */
export function authToV21(file: YamlFile, keys: string[], value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value);
  const auth = (list ? value[0] : value) as YamlMap | undefined;
  const at = list ? [...keys, 0] : keys;
  if (!auth || typeof auth !== "object") throw file.error(at, "'auth' must be a mapping with a 'type'");
  const type = optString(file, [...at, "type"], auth.type);
  if (!type) throw file.error(at, "'auth' needs a 'type' (for example bearer, basic, apikey or noauth)");
  if (type === "inherit") return undefined;
  if (type === "noauth") return { type };
  const credentials = optEntries(file, [...at, "credentials"], auth.credentials);
  return { type, [type]: credentials.map((c) => ({ key: c.key, value: c.value ?? "", type: "string" })) };
}

function urlToV21(file: YamlFile, req: YamlMap): Json | string {
  const raw = optString(file, ["url"], req.url) ?? "";
  const query =
    req.queryParams === undefined ? undefined : optEntries(file, ["queryParams"], req.queryParams);
  const vars =
    req.pathVariables === undefined ? undefined : optEntries(file, ["pathVariables"], req.pathVariables);
  if (!query && !vars) return raw;
  let full = raw;
  if (query) {
    const hashAt = raw.indexOf("#");
    const beforeHash = hashAt < 0 ? raw : raw.slice(0, hashAt);
    const hash = hashAt < 0 ? "" : raw.slice(hashAt);
    const base = beforeHash.split("?")[0] ?? "";
    const on = query.filter((q) => q.disabled !== true);
    const text = on.map((q) => (q.value == null ? String(q.key) : `${q.key}=${q.value}`)).join("&");
    full = `${base}${on.length ? `?${text}` : ""}${hash}`;
  }
  return {
    raw: full,
    ...(query
      ? {
          query: query.map((q) => ({
            key: q.key,
            value: q.value === undefined ? null : q.value,
            ...(q.disabled === true ? { disabled: true } : {}),
          })),
        }
      : {}),
    ...(vars ? { variable: kv(vars, false) } : {}),
  };
}

function bodyToV21(file: YamlFile, value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw file.error(["body"], "'body' must be a mapping");
  const body = value as YamlMap;
  const type = optString(file, ["body", "type"], body.type);
  if (!type) throw file.error(["body"], "'body' needs a 'type' (json, text, formdata, urlencoded, file, …)");
  if (type === "none") return undefined;
  if (type in RAW_LANGUAGES) {
    const language = RAW_LANGUAGES[type];
    return {
      mode: "raw",
      raw: optString(file, ["body", "content"], body.content) ?? "",
      ...(language ? { options: { raw: { language } } } : {}),
    };
  }
  if (type === "urlencoded")
    return { mode: "urlencoded", urlencoded: kv(optEntries(file, ["body", "content"], body.content), true) };
  if (type === "formdata") {
    const parts = optEntries(file, ["body", "content"], body.content).map((p) => ({
      key: p.key,
      type: p.type === "file" ? "file" : "text",
      ...(p.value !== undefined ? { value: p.value } : {}),
      ...(p.src !== undefined ? { src: p.src } : {}),
      ...(typeof p.contentType === "string" ? { contentType: p.contentType } : {}),
      ...(typeof p.description === "string" ? { description: p.description } : {}),
      ...(p.disabled === true ? { disabled: true } : {}),
    }));
    return { mode: "formdata", formdata: parts };
  }
  if (type === "file") {
    const content = body.content as YamlMap | string | undefined;
    const src = typeof content === "object" && content ? content.src : (body.src ?? content);
    return { mode: "file", file: { src: optString(file, ["body", "src"], src) ?? null } };
  }
  if (type === "graphql") {
    const content = (body.content ?? {}) as YamlMap;
    return { mode: "graphql", graphql: { query: content.query ?? "", variables: content.variables ?? "" } };
  }
  throw file.error(["body", "type"], `unknown body type '${type}'`);
}

/** An `http-request` file → a v2.1 item. */
export function requestToItem(file: YamlFile, stem: string): Json {
  const req = file.value;
  const method = optString(file, ["method"], req.method) ?? "GET";
  const headers = kv(optEntries(file, ["headers"], req.headers), true);
  const body = bodyToV21(file, req.body);
  const auth = authToV21(file, ["auth"], req.auth);
  const events = scriptsToEvents(file, ["scripts"], req.scripts);
  const settings = req.settings;
  if (
    settings !== undefined &&
    (typeof settings !== "object" || settings === null || Array.isArray(settings))
  ) {
    throw file.error(["settings"], "'settings' must be a mapping");
  }
  const id = optString(file, ["id"], req.id);
  return {
    ...(id ? { id } : {}),
    name: optString(file, ["name"], req.name) ?? stem,
    ...(typeof req.description === "string" ? { description: req.description } : {}),
    request: {
      method: method.toUpperCase(),
      url: urlToV21(file, req),
      ...(headers.length ? { header: headers } : {}),
      ...(body ? { body } : {}),
      ...(auth ? { auth } : {}),
    },
    ...(events.length ? { event: events } : {}),
    ...(settings && Object.keys(settings).length ? { protocolProfileBehavior: settings } : {}),
  };
}

/** What a `definition.yaml` gives its collection or folder (name, variables, auth, scripts, settings). */
export function definitionParts(file: YamlFile): { name?: string; order?: number; id?: string; parts: Json } {
  const def = file.value;
  if (def.$kind !== undefined && def.$kind !== "collection") {
    throw file.error(
      ["$kind"],
      `a definition.yaml must have '$kind: collection', found '${String(def.$kind)}'`,
    );
  }
  const variables = kv(optEntries(file, ["variables"], def.variables), true);
  const auth = authToV21(file, ["auth"], def.auth);
  const events = scriptsToEvents(file, ["scripts"], def.scripts);
  if (def.order !== undefined && typeof def.order !== "number")
    throw file.error(["order"], "'order' must be a number");
  const settings = def.settings as Json | undefined;
  const name = optString(file, ["name"], def.name);
  const id = optString(file, ["id"], def.id);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(typeof def.order === "number" ? { order: def.order } : {}),
    ...(id ? { id } : {}),
    parts: {
      ...(typeof def.description === "string" ? { description: def.description } : {}),
      ...(variables.length ? { variable: variables } : {}),
      ...(auth ? { auth } : {}),
      ...(events.length ? { event: events } : {}),
      ...(settings && typeof settings === "object" && Object.keys(settings).length
        ? { protocolProfileBehavior: settings }
        : {}),
    },
  };
}

/** A `*.environment.yaml` file → a Postman environment export. */
export function environmentToV21(file: YamlFile, fallbackName: string): Json {
  const env = file.value;
  const values = optEntries(file, ["values"], env.values).map((v) => ({
    key: v.key,
    value: v.value ?? "",
    type: typeof v.type === "string" ? v.type : "default",
    enabled: v.enabled !== false,
  }));
  return {
    name: optString(file, ["name"], env.name) ?? fallbackName,
    values,
    _postman_variable_scope: "environment",
  };
}
