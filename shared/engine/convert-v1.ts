/**
 * Postman Collection v1 (the pre-2016 export: flat `requests` with `order`/`folders`/`folders_order`)
 * converted to v2.1, following the mapping Newman applies through postman-collection-transformer, so
 * old exports still run: folder tree from the orders, `dataMode` bodies, header strings, script strings,
 * `pathVariables`, and the legacy `currentHelper`/`helperAttributes` auth. Pure data in, data out.
 */
type Json = Record<string, unknown>;

const SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

/** Newman's test (`util.isV1Collection`): a name, an order and requests. */
export function isV1Collection(value: unknown): value is Json {
  return isObject(value) && Boolean(value.name) && Boolean(value.order) && Boolean(value.requests);
}

const LEGACY_AUTH: Record<string, string> = {
  apikeyAuth: "apikey",
  basicAuth: "basic",
  bearerAuth: "bearer",
  digestAuth: "digest",
  hawkAuth: "hawk",
  oAuth1: "oauth1",
  oAuth2: "oauth2",
  ntlmAuth: "ntlm",
  awsSigV4: "awsv4",
};

/** v1 helper attribute names → v2 auth parameter names (where they differ). */
const LEGACY_PARAMS: Record<string, Record<string, string>> = {
  basicAuth: { username: "username", password: "password" },
  bearerAuth: { token: "token" },
  apikeyAuth: { key: "key", value: "value", in: "in" },
  digestAuth: Object.fromEntries(
    ["algorithm", "username", "realm", "password", "nonce", "nonceCount", "clientNonce", "opaque", "qop"].map(
      (k) => [k, k],
    ),
  ),
  ntlmAuth: { username: "username", password: "password", domain: "domain", workstation: "workstation" },
  hawkAuth: {
    hawk_id: "authId",
    hawk_key: "authKey",
    algorithm: "algorithm",
    user: "user",
    nonce: "nonce",
    ext: "extraData",
    app: "appId",
    dlg: "delegation",
    timestamp: "timestamp",
  },
  oAuth1: {
    consumerKey: "consumerKey",
    consumerSecret: "consumerSecret",
    token: "token",
    tokenSecret: "tokenSecret",
    signatureMethod: "signatureMethod",
    timestamp: "timestamp",
    nonce: "nonce",
    version: "version",
    realm: "realm",
    header: "addParamsToHeader",
    auto: "autoAddParam",
    includeEmpty: "addEmptyParamsToSign",
  },
};

/** v2.1 auth (parameter arrays) from an entity's v2-style `auth` or its legacy helper. */
function convertAuth(entity: Json): Json | undefined {
  const legacy = "currentHelper" in entity || Boolean(entity.helperAttributes);
  if ("auth" in entity && !legacy) return isObject(entity.auth) ? entity.auth : undefined;
  const helper = entity.currentHelper;
  if (typeof helper !== "string" || helper === "normal") return undefined;
  const type = LEGACY_AUTH[helper] ?? helper;
  let attrs = entity.helperAttributes;
  if (typeof attrs === "string") {
    try {
      attrs = JSON.parse(attrs);
    } catch {
      return undefined;
    }
  }
  if (!isObject(attrs)) return { type };
  const names = LEGACY_PARAMS[helper];
  const entries = names
    ? Object.entries(names).map(([from, to]) => [to, attrs[from]] as const)
    : Object.entries(attrs).filter(([k]) => k !== "id");
  const params = entries
    .filter(([, v]) => v !== undefined)
    .map(([key, value]) => ({ key, value, type: typeof value === "boolean" ? "boolean" : "string" }));
  return { type, [type]: params };
}

/** `tests`/`preRequestScript` strings (or a v2-style `events` list) → v2 events. */
function convertEvents(entity: Json): Json[] | undefined {
  const legacy = Boolean(entity.tests || entity.preRequestScript);
  if (!legacy && !isEmpty(entity.events)) {
    return list(entity.events)
      .filter(isObject)
      .map((e) => {
        const script = isObject(e.script) ? { type: "text/javascript", ...e.script } : e.script;
        if (isObject(script) && typeof script.exec === "string") script.exec = script.exec.split("\n");
        return { ...e, listen: e.listen ?? "test", ...(script !== undefined ? { script } : {}) };
      });
  }
  const events: Json[] = [];
  const add = (listen: string, source: unknown) => {
    if (!source) return;
    const exec = typeof source === "string" ? source.split("\n") : source;
    events.push({ listen, script: { type: "text/javascript", exec } });
  };
  add("test", entity.tests);
  add("prerequest", entity.preRequestScript);
  return events.length ? events : undefined;
}

/** A v1 header block (`"K: v\nK2: v2"`, `//` disables a line) → v2 headers. */
export function parseHeaderBlock(text: string): Json[] {
  const headers: Json[] = [];
  const unfolded = text.replace(/\r\n([ \t])/g, "$1");
  for (const match of unfolded.matchAll(/^((\/\/\s*)?\S+):(.*)$/gm)) {
    const disabled = match[1]!.startsWith("//");
    headers.push({
      key: disabled ? match[1]!.slice(2).trim() : match[1]!,
      value: match[3]!.trim(),
      ...(disabled ? { disabled: true } : {}),
    });
  }
  return headers;
}

function convertHeaders(req: Json): Json[] {
  if (Array.isArray(req.headers)) return req.headers as Json[];
  const headers: Json[] = [];
  const seen = new Set<string>();
  for (const h of list(req.headerData).filter(isObject)) {
    const key = String(h.key ?? "");
    const { enabled, ...rest } = h;
    const disabled = key.startsWith("//") || enabled === false;
    headers.push({ ...rest, key: key.replace(/^\/\//, "").trim(), ...(disabled ? { disabled: true } : {}) });
    seen.add(key);
  }
  if (typeof req.headers === "string") {
    for (const h of parseHeaderBlock(req.headers)) if (!seen.has(String(h.key))) headers.push(h);
  }
  return headers;
}

function formParams(data: unknown): Json[] {
  return list(data)
    .filter((p): p is Json => isObject(p) && p.key !== undefined && p.key !== null)
    .map((p) => {
      const { enabled, ...param } = p;
      if (param.type === "file" && !param.src && param.value) {
        param.src = typeof param.value === "string" || Array.isArray(param.value) ? param.value : null;
        delete param.value;
      }
      if (enabled === false) param.disabled = true;
      return param;
    });
}

const BODY_MODES: Record<string, string> = {
  binary: "file",
  graphql: "graphql",
  params: "formdata",
  raw: "raw",
  urlencoded: "urlencoded",
};

function bodyMode(req: Json, raw: string | undefined, graphql: unknown): string {
  const explicit = typeof req.dataMode === "string" ? BODY_MODES[req.dataMode] : undefined;
  if (explicit) return explicit;
  if (!raw && Array.isArray(req.data ?? req.rawModeData)) return "formdata";
  if (!raw && graphql) return "graphql";
  return "raw";
}

/** `dataMode` + `data`/`rawModeData`/`graphqlModeData` → a v2 body (undefined when there is none). */
function convertBody(req: Json): Json | undefined {
  const empty = isEmpty(req.data) && isEmpty(req.rawModeData) && isEmpty(req.graphqlModeData);
  const known = typeof req.dataMode === "string" && BODY_MODES[req.dataMode] !== undefined;
  if ((!known && empty) || req.dataMode === null) return undefined;
  const rm = req.rawModeData;
  const raw =
    typeof rm === "string"
      ? rm
      : Array.isArray(rm) && rm.length === 1 && typeof rm[0] === "string"
        ? rm[0]
        : undefined;
  const options = isObject(req.dataOptions) ? req.dataOptions : undefined;
  const graphql = !isEmpty(req.graphqlModeData)
    ? req.graphqlModeData
    : options?.graphql !== undefined && !isEmpty(req.data)
      ? req.data
      : undefined;
  const mode = bodyMode(req, raw, graphql);
  const body: Json = { mode };
  if (mode === "raw") body.raw = raw ?? (typeof req.data === "string" ? req.data : "");
  else if (mode === "graphql") body.graphql = graphql;
  else if (mode === "file") body.file = { src: raw };
  else body[mode] = formParams(req.data ?? req.rawModeData);
  if (options) {
    const converted = Object.entries(BODY_MODES)
      .filter(([v1]) => !isEmpty(options[v1]))
      .map(([v1, v2]) => [v2, options[v1]]);
    if (converted.length) body.options = Object.fromEntries(converted);
  }
  if (req.dataDisabled) body.disabled = true;
  return body;
}

/** The URL, as an object only when v1 gave path variables or query parameters separately. */
function convertUrl(req: Json): unknown {
  const raw = req.url === undefined || req.url === null ? undefined : String(req.url);
  const variable: Json[] = [];
  const seen = new Set<string>();
  for (const v of list(req.pathVariableData).filter(isObject)) {
    const { id: _id, ...rest } = v;
    variable.push(rest);
    seen.add(String(v.key));
  }
  if (isObject(req.pathVariables)) {
    for (const [key, value] of Object.entries(req.pathVariables))
      if (!seen.has(key)) variable.push({ key, value });
  }
  const query = list(req.queryParams)
    .filter(isObject)
    .map((q) => {
      const { enabled, equals: _equals, ...rest } = q;
      return { ...rest, ...(enabled === false ? { disabled: true } : {}) };
    });
  if (!variable.length && !query.length) return raw;
  return { raw: raw ?? "", ...(variable.length ? { variable } : {}), ...(query.length ? { query } : {}) };
}

function convertRequest(req: Json): Json {
  const auth = convertAuth(req);
  const body = convertBody(req);
  return {
    ...(auth ? { auth } : {}),
    method: req.method,
    header: convertHeaders(req),
    ...(body ? { body } : {}),
    url: convertUrl(req),
    ...(req.description ? { description: req.description } : {}),
  };
}

function variables(entity: Json): unknown[] | undefined {
  const source = list(entity.variables ?? entity.variable).filter(isObject);
  if (!source.length) return undefined;
  return source.map((v) => ({
    key: v.key ?? v.id,
    value: v.value,
    ...(v.type ? { type: v.type === "text" ? "string" : v.type } : {}),
    ...(v.disabled ? { disabled: true } : {}),
  }));
}

/** Copies what every v2 entity may carry besides its content (scripts, variables, profile). */
function common(entity: Json, into: Json): Json {
  const event = convertEvents(entity);
  const variable = variables(entity);
  if (event) into.event = event;
  if (variable) into.variable = variable;
  if (isObject(entity.protocolProfileBehavior) && !isEmpty(entity.protocolProfileBehavior)) {
    into.protocolProfileBehavior = entity.protocolProfileBehavior;
  }
  return into;
}

function convertItem(req: Json): Json {
  return common(req, {
    name: req.name ?? "",
    ...(req.id ? { id: req.id } : {}),
    request: convertRequest(req),
  });
}

/**
 * Folders (with `folders_order` nesting) first, then the root requests in `order`, as the transformer does.
 * Each folder is placed once, where the walk from the root first meets it: a `folders_order` cycle
 * (f1 → f2 → f1) or a folder named twice would otherwise make the tree circular or repeat a subtree, and
 * every later walk (the schema, the limits, the plan) would recurse without end. The walk is iterative,
 * so a long chain of folders cannot overflow the stack here (the limits then refuse its depth).
 */
function convertItems(v1: Json): Json[] {
  const requests = new Map(
    list(v1.requests)
      .filter(isObject)
      .map((r) => [String(r.id), r] as const),
  );
  const folders = list(v1.folders).filter(isObject);
  const groups = new Map<string, { folder: Json; group: Json & { item: Json[] } }>();
  for (const f of folders) {
    const auth = convertAuth(f);
    const group = { name: f.name, ...(f.id ? { id: f.id } : {}), item: [] as Json[] };
    if (f.description) Object.assign(group, { description: f.description });
    if (auth) Object.assign(group, { auth });
    groups.set(String(f.id), { folder: f, group: common(f, group) as Json & { item: Json[] } });
  }
  const nested = new Set(folders.flatMap((f) => list(f.folders_order).map(String)));
  const order = Array.isArray(v1.folders_order) ? v1.folders_order : folders.map((f) => f.id);
  const items: Json[] = [];
  const placed = new Set<string>();
  // A stack of folders to place and of folders whose requests follow their (already placed) sub-folders.
  type Task = { id: string; into: Json[] } | { requestsOf: Json & { item: Json[] }; order: unknown[] };
  const pending: Task[] = [];
  const roots = [...new Set(order.map(String))].filter((id) => !nested.has(id));
  for (let i = roots.length - 1; i >= 0; i--) pending.push({ id: roots[i]!, into: items });
  while (pending.length) {
    const task = pending.pop()!;
    if ("requestsOf" in task) {
      for (const reqId of task.order) {
        const req = requests.get(String(reqId));
        if (req) task.requestsOf.item.push(convertItem(req));
      }
      continue;
    }
    const entry = groups.get(task.id);
    if (!entry || placed.has(task.id)) continue;
    placed.add(task.id);
    task.into.push(entry.group);
    pending.push({ requestsOf: entry.group, order: list(entry.folder.order) });
    const children = list(entry.folder.folders_order).map(String);
    for (let i = children.length - 1; i >= 0; i--) pending.push({ id: children[i]!, into: entry.group.item });
  }
  for (const id of list(v1.order)) {
    const req = requests.get(String(id));
    if (req) items.push(convertItem(req));
  }
  return items;
}

/**
 * The conversions made so far, by input document: a submission checks the limits of the conversion and
 * then runs it, and converting a large v1 document twice cost as much again. Callers only read it.
 */
const converted = new WeakMap<Json, Json>();

/**
 * Converts a v1 collection (see `isV1Collection`) to v2.1; the input is not modified. The same input
 * object answers the same (read-only) conversion.
 */
export function convertV1Collection(source: Json): Json {
  let out = converted.get(source);
  if (!out) {
    out = convertOnce(source);
    converted.set(source, out);
  }
  return out;
}

function convertOnce(source: Json): Json {
  const v1 = structuredClone(source);
  const info: Json = { ...(v1.id ? { _postman_id: v1.id } : {}), name: v1.name, schema: SCHEMA_V21 };
  if (v1.description) info.description = v1.description;
  const out: Json = { info, item: convertItems(v1) };
  const auth = convertAuth(v1);
  if (auth && auth.type !== "noauth") out.auth = auth;
  return common(v1, out);
}
