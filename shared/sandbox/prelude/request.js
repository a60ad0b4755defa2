// pm.request: a mutable Postman Request (url, method, headers, body, auth) built from the engine's
// RequestDefinition and serialised back after the script, so pre-request mutations change what is sent.
import { PropertyList, sdkInspect } from "./lists";

function parseRaw(raw) {
  const def = { raw, host: [], path: [], query: [], variable: [] };
  let rest = String(raw || "").trim();
  const proto = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (proto) {
    def.protocol = proto[1];
    rest = rest.slice(proto[0].length);
  }
  const h = rest.indexOf("#");
  if (h >= 0) {
    def.hash = rest.slice(h + 1);
    rest = rest.slice(0, h);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    def.query = rest
      .slice(q + 1)
      .split("&")
      .filter((p) => p !== "")
      .map((p) => {
        const i = p.indexOf("=");
        return i < 0 ? { key: p, value: null } : { key: p.slice(0, i), value: p.slice(i + 1) };
      });
    rest = rest.slice(0, q);
  }
  const parts = rest.split("/");
  let host = parts.shift() || "";
  const m = /:(\d+|\{\{[^}]+\}\})$/.exec(host);
  if (m) {
    def.port = m[1];
    host = host.slice(0, -m[0].length);
  }
  def.host = host ? host.split(".") : [];
  def.path = parts;
  def.variable = parts
    .filter((p) => p.startsWith(":") && p.length > 1)
    .map((p) => ({ key: p.slice(1), value: "" }));
  return def;
}

export class Url {
  constructor(def) {
    this.update(def);
  }
  update(def) {
    if (typeof def === "string") def = parseRaw(def);
    def = def || { host: [], path: [], query: [], variable: [] };
    this.protocol = def.protocol;
    this.host = Array.isArray(def.host) ? def.host.slice() : def.host ? String(def.host).split(".") : [];
    this.port = def.port;
    this.path = Array.isArray(def.path)
      ? def.path.slice()
      : def.path
        ? String(def.path).replace(/^\//, "").split("/")
        : [];
    this.hash = def.hash;
    this.auth = def.auth;
    this.query = new PropertyList(
      (def.query || []).map((q) => ({
        key: q.key,
        value: q.value,
        ...(q.disabled ? { disabled: true } : {}),
      })),
    );
    this.variables = new PropertyList(def.variable || []);
  }
  getHost() {
    return this.host.join(".");
  }
  getPath(unresolved) {
    let segs = this.path;
    if (!unresolved)
      segs = segs.map((s) =>
        s.startsWith(":") && this.variables.has(s.slice(1)) ? String(this.variables.get(s.slice(1))) : s,
      );
    return `/${segs.join("/")}`;
  }
  getPathWithQuery() {
    const q = this.getQueryString();
    return this.getPath() + (q ? `?${q}` : "");
  }
  getQueryString() {
    return this.query
      .all()
      .map((p) => (p.value === null || p.value === undefined ? p.key : `${p.key}=${p.value}`))
      .join("&");
  }
  getRemote() {
    return this.getHost() + (this.port ? `:${this.port}` : "");
  }
  getRaw() {
    return this.toString();
  }
  addQueryParams(params) {
    if (typeof params === "string") params = parseRaw(`x?${params}`).query;
    // Array entries may be "key=value" strings too (postman-collection's QueryParam.parse).
    for (const p of [].concat(params)) {
      this.query.add(typeof p === "string" ? (parseRaw(`x?${p}`).query[0] ?? { key: p, value: null }) : p);
    }
  }
  removeQueryParams(params) {
    for (const p of [].concat(params)) this.query.remove(typeof p === "string" ? p : p.key);
  }
  toString(forceProtocol) {
    let out = this.protocol ? `${this.protocol}://` : forceProtocol ? "http://" : "";
    if (this.auth) out += `${this.auth}@`;
    out += this.getHost();
    if (this.port) out += `:${this.port}`;
    if (this.path.length) out += `/${this.path.join("/")}`;
    const q = this.getQueryString();
    if (q) out += `?${q}`;
    if (this.hash) out += `#${this.hash}`;
    return out;
  }
  toJSON() {
    return {
      raw: this.toString(),
      ...(this.protocol ? { protocol: this.protocol } : {}),
      host: this.host,
      ...(this.port ? { port: String(this.port) } : {}),
      path: this.path,
      query: this.query
        .toJSON()
        .map((q) => ({ key: q.key, value: q.value, ...(q.disabled ? { disabled: true } : {}) })),
      ...(this.hash ? { hash: this.hash } : {}),
      variable: this.variables
        .toJSON()
        .map((v) => ({ key: v.key, value: v.value === undefined ? "" : String(v.value) })),
      ...(this.auth ? { auth: this.auth } : {}),
    };
  }
}

export class RequestBody {
  constructor(body) {
    this.update(body);
  }
  update(body) {
    if (typeof body === "string") body = { mode: "raw", raw: body };
    body = body || {};
    this.mode = body.mode;
    this.raw = body.raw;
    this.urlencoded = new PropertyList(body.urlencoded || []);
    this.formdata = new PropertyList(body.formdata || []);
    this.file = body.file;
    this.graphql = body.graphql;
    this.options = body.options;
    this.disabled = body.disabled;
  }
  isEmpty() {
    return !this.mode || (this.mode === "raw" && !this.raw);
  }
  toString() {
    if (this.mode === "raw") return this.raw || "";
    if (this.mode === "urlencoded")
      return this.urlencoded
        .all()
        .map((f) => `${encodeURIComponent(f.key)}=${encodeURIComponent(f.value)}`)
        .join("&");
    if (this.mode === "graphql") return JSON.stringify(this.graphql || {});
    return "";
  }
  toJSON() {
    if (!this.mode) return undefined;
    return {
      mode: this.mode,
      ...(this.raw !== undefined ? { raw: String(this.raw) } : {}),
      ...(this.mode === "urlencoded" ? { urlencoded: this.urlencoded.toJSON() } : {}),
      ...(this.mode === "formdata" ? { formdata: this.formdata.toJSON() } : {}),
      ...(this.file ? { file: this.file } : {}),
      ...(this.graphql ? { graphql: this.graphql } : {}),
      ...(this.options ? { options: this.options } : {}),
      ...(this.disabled ? { disabled: true } : {}),
    };
  }
}

const STATE = "__postmanRequest";

/**
 * pm.request, with postman-collection's own properties (url, headers, method, and body/auth when the
 * request has them) so chai renders it as Newman does (`PostmanRequest{ …(4) }`); methods live on the
 * prototype.
 */
export class PostmanRequest {
  constructor(def) {
    const state = { url: new Url(def.url), body: new RequestBody(def.body) };
    Object.defineProperty(this, STATE, { value: state });
    Object.defineProperty(this, "url", { enumerable: true, configurable: true, ...urlAccessor });
    this.headers = new PropertyList(def.headers, true);
    this.method = def.method;
    if (def.body)
      Object.defineProperty(this, "body", { enumerable: true, configurable: true, ...bodyAccessor });
    if (def.auth) this.auth = def.auth;
  }
  addHeader(h) {
    this.headers.add(h);
  }
  removeHeader(k) {
    this.headers.remove(k);
  }
  upsertHeader(h) {
    this.headers.upsert(h);
  }
  getHeaders(opts) {
    return this.headers.toObject(!(opts && opts.enabled === false), false);
  }
  addQueryParams(p) {
    this.url.addQueryParams(p);
  }
  removeQueryParams(p) {
    this.url.removeQueryParams(p);
  }
  toJSON() {
    const b = this.body.toJSON();
    return {
      method: String(this.method || "GET").toUpperCase(),
      url: this.url.toJSON(),
      headers: this.headers.toJSON().map((h) => ({
        key: h.key,
        value: h.value === undefined ? "" : String(h.value),
        ...(h.disabled ? { disabled: true } : {}),
      })),
      ...(b ? { body: b } : {}),
      ...(this.auth ? { auth: this.auth } : {}),
    };
  }
}

const urlAccessor = {
  get() {
    return this[STATE].url;
  },
  set(v) {
    this[STATE].url = v instanceof Url ? v : new Url(v);
  },
};
const bodyAccessor = {
  get() {
    return this[STATE].body;
  },
  set(v) {
    this[STATE].body = v instanceof RequestBody ? v : new RequestBody(v);
  },
};
// A request without a body still answers pm.request.body (an empty body) without an own property.
Object.defineProperty(PostmanRequest.prototype, "body", { configurable: true, ...bodyAccessor });
Object.defineProperty(PostmanRequest, "name", { value: "PostmanRequest" });
Object.defineProperty(Url, "name", { value: "PostmanUrl" });
sdkInspect(PostmanRequest, () => true);

/** Builds pm.request from a RequestDefinition; `serialize()` returns the (possibly mutated) definition. */
export function createRequest(def) {
  const request = new PostmanRequest(def);
  return { request, serialize: () => request.toJSON() };
}

function parseHeader(line) {
  const i = line.indexOf(":");
  return i < 0
    ? { key: line.trim(), value: "" }
    : { key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() };
}

/** Accepts what pm.sendRequest accepts (a URL string or a request-like object) and returns a RequestDefinition. */
export function toRequestDefinition(input) {
  if (typeof input === "string")
    return createRequest({ method: "GET", url: parseRaw(input), headers: [] }).serialize();
  if (input && typeof input.toJSON === "function" && !(input instanceof Url) && input.url instanceof Url)
    return input.toJSON();
  const i = input || {};
  let headers = i.header || i.headers || [];
  // The SDK also accepts headers as 'Key: value' strings, alone or in an array (one per line).
  if (typeof headers === "string") headers = headers.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (Array.isArray(headers)) headers = headers.map((h) => (typeof h === "string" ? parseHeader(h) : h));
  if (headers instanceof PropertyList) headers = headers.toJSON();
  else if (!Array.isArray(headers) && typeof headers === "object")
    headers = Object.keys(headers).map((k) => ({ key: k, value: String(headers[k]) }));
  let bodyDef = i.body;
  if (bodyDef instanceof RequestBody) bodyDef = bodyDef.toJSON();
  else if (typeof bodyDef === "string") bodyDef = { mode: "raw", raw: bodyDef };
  else if (bodyDef && bodyDef.mode === "raw" && typeof bodyDef.raw === "object")
    bodyDef = { ...bodyDef, raw: JSON.stringify(bodyDef.raw) };
  const url =
    i.url instanceof Url
      ? i.url.toJSON()
      : typeof i.url === "string"
        ? parseRaw(i.url)
        : new Url(i.url).toJSON();
  return createRequest({ method: i.method || "GET", url, headers, body: bodyDef, auth: i.auth }).serialize();
}
