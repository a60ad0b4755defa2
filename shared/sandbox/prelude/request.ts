// pm.request: a mutable Postman Request (url, method, headers, body, auth) built from the engine's
// RequestDefinition and serialised back after the script, so pre-request mutations change what is sent.
// URL parsing and printing are the engine's (shared/engine/url.ts), so a URL a script sets reads back
// the way the engine parses collection URLs.
import type { BodyDefinition, KV, RequestDefinition } from "../../engine/types";
import { parseRawUrl } from "../../engine/url";
import { type ItemInput, type ListItem, PropertyList, sdkInspect } from "./lists";
import { authDefinition, RequestAuth } from "./request-auth";
import { type Fields, isRecord, items, Url } from "./request-url";
import { authJson, defined } from "./sdk-json";

export class RequestBody {
  declare mode: string | undefined;
  declare raw: unknown;
  declare urlencoded: PropertyList;
  declare formdata: PropertyList;
  declare file: BodyDefinition["file"];
  declare graphql: BodyDefinition["graphql"];
  declare options: BodyDefinition["options"];
  declare disabled: boolean | undefined;

  constructor(body?: unknown) {
    this.update(body);
  }
  update(input?: unknown): void {
    const body: Fields =
      typeof input === "string" ? { mode: "raw", raw: input } : isRecord(input) ? input : {};
    this.mode = body.mode as string | undefined;
    this.raw = body.raw;
    this.urlencoded = new PropertyList(items(body.urlencoded));
    this.formdata = new PropertyList(items(body.formdata));
    this.file = body.file as BodyDefinition["file"];
    this.graphql = body.graphql as BodyDefinition["graphql"];
    this.options = body.options as BodyDefinition["options"];
    this.disabled = body.disabled as boolean | undefined;
  }
  isEmpty(): boolean {
    return !this.mode || (this.mode === "raw" && !this.raw);
  }
  toString(): string {
    if (this.mode === "raw") return String(this.raw || "");
    if (this.mode === "urlencoded")
      // QueryParam.unparse: as written, no percent-encoding; a parameter without a value is its key.
      return this.urlencoded
        ._enabled()
        .map((f) => (f.value === null || f.value === undefined ? f.key : `${f.key}=${f.value}`))
        .join("&");
    if (this.mode === "graphql") return JSON.stringify(this.graphql || {});
    return "";
  }
  /** RequestBody#toJSON: only the fields the body has, raw text `""` when a raw body has none. */
  toJSON(): Record<string, unknown> {
    if (!this.mode) return {};
    const mode = this.mode;
    return defined({
      mode,
      raw: this.raw === undefined && mode === "raw" ? "" : this.raw,
      urlencoded: this.urlencoded.count() || mode === "urlencoded" ? this.urlencoded.toJSON() : undefined,
      formdata: this.formdata.count() || mode === "formdata" ? this.formdata.toJSON() : undefined,
      file: this.file,
      graphql: this.graphql ?? (mode === "graphql" ? {} : undefined),
      options: this.options,
      disabled: this.disabled,
    });
  }
  /** The engine's BodyDefinition, or undefined for a body without a mode. */
  toDefinition(): BodyDefinition | undefined {
    if (!this.mode) return undefined;
    return {
      mode: this.mode,
      ...(this.raw !== undefined ? { raw: String(this.raw) } : {}),
      ...(this.mode === "urlencoded" ? { urlencoded: this.urlencoded.toJSON() as KV[] } : {}),
      ...(this.mode === "formdata" ? { formdata: this.formdata.toJSON() as BodyDefinition["formdata"] } : {}),
      ...(this.file ? { file: this.file } : {}),
      ...(this.graphql ? { graphql: this.graphql } : {}),
      ...(this.options ? { options: this.options } : {}),
      ...(this.disabled ? { disabled: true } : {}),
    };
  }
}

const STATE = "__postmanRequest";
interface RequestState {
  /** A Url, or whatever a script assigned to `pm.request.url` (the SDK keeps it as it is). */
  url: unknown;
  body: RequestBody;
}
/** A Url of the request's URL, parsing one a script assigned as text or as a plain object. */
const urlOf = (url: unknown): Url => (url instanceof Url ? url : new Url(url));
const stateOf = (request: object): RequestState => (request as Record<typeof STATE, RequestState>)[STATE];

/** What pm.request is built from: the engine's definition, or what a script handed pm.sendRequest. */
export interface RequestInput {
  method?: unknown;
  url?: unknown;
  headers?: ReadonlyArray<ItemInput>;
  body?: unknown;
  auth?: unknown;
}

/**
 * pm.request, with postman-collection's own properties (url, headers, method, and body/auth when the
 * request has them) so chai renders it as Newman does (`PostmanRequest{ …(4) }`); methods live on the
 * prototype.
 */
export class PostmanRequest {
  declare url: Url;
  declare headers: PropertyList;
  declare method: unknown;
  declare body: RequestBody;
  declare auth: unknown;

  constructor(def: RequestInput) {
    const state: RequestState = { url: new Url(def.url), body: new RequestBody(def.body) };
    Object.defineProperty(this, STATE, { value: state });
    Object.defineProperty(this, "url", { enumerable: true, configurable: true, ...urlAccessor });
    this.headers = new PropertyList(def.headers, { header: true });
    this.method = def.method;
    if (def.body)
      Object.defineProperty(this, "body", { enumerable: true, configurable: true, ...bodyAccessor });
    if (def.auth) this.auth = isRecord(def.auth) ? new RequestAuth(def.auth) : def.auth;
  }
  addHeader(h: unknown): void {
    this.headers.add(h);
  }
  removeHeader(k: unknown): void {
    this.headers.remove(k);
  }
  upsertHeader(h: unknown): void {
    this.headers.upsert(h);
  }
  /** Request#getHeaders: keys as written unless `ignoreCase`, disabled headers too unless `enabled`. */
  getHeaders(opts?: {
    enabled?: boolean;
    ignoreCase?: boolean;
    multiValue?: boolean;
  }): Record<string, unknown> {
    return this.headers.toObject(!!opts?.enabled, !opts?.ignoreCase, !!opts?.multiValue);
  }
  addQueryParams(p: unknown): void {
    this.url.addQueryParams(p);
  }
  removeQueryParams(p: unknown): void {
    this.url.removeQueryParams(p);
  }
  /** Request#toJSON: the collection format (`url`, `header`, `method`, `body`, `auth`), no empty header list. */
  toJSON(): Record<string, unknown> {
    const header = headerItems(this.headers);
    return defined({
      url: this.url instanceof Url ? this.url.toJSON() : this.url,
      header: header.length ? header : undefined,
      method: this.method,
      body: Object.hasOwn(this, "body") ? this.body.toJSON() : undefined,
      auth:
        this.auth instanceof RequestAuth ? this.auth.toJSON() : this.auth ? authJson(this.auth) : undefined,
    });
  }
  /** The engine's RequestDefinition: what a pre-request script's changes send (contract.ts `preludeRequest`). */
  toDefinition(): RequestDefinition {
    const b = this.body.toDefinition();
    return {
      method: String(this.method || "GET").toUpperCase(),
      url: urlOf(this.url).toDefinition(),
      headers: headerItems(this.headers).map((h) => ({
        key: h.key,
        value: h.value === undefined ? "" : String(h.value),
        ...(h.disabled ? { disabled: true } : {}),
      })),
      ...(b ? { body: b } : {}),
      ...(isRecord(this.auth) ? { auth: authDefinition(this.auth) } : {}),
    };
  }
}

/**
 * The headers a script left on pm.request: its list, or none when it assigned anything else (null, a
 * plain array): postman-sandbox hands back a request whose JSON then holds no headers.
 */
function headerItems(headers: unknown): ListItem[] {
  return headers instanceof PropertyList ? headers.toJSON() : [];
}

// pm.request.url = "…" keeps the string (postman-collection's Request has a plain `url` property):
// scripts read back what they assigned; the request sent parses it (`toDefinition`), as postman-runtime does.
const urlAccessor = {
  get(this: PostmanRequest): Url {
    return stateOf(this).url as Url;
  },
  set(this: PostmanRequest, v: unknown) {
    stateOf(this).url = v;
  },
};
const bodyAccessor = {
  get(this: PostmanRequest): RequestBody {
    return stateOf(this).body;
  },
  set(this: PostmanRequest, v: unknown) {
    stateOf(this).body = v instanceof RequestBody ? v : new RequestBody(v);
  },
};
// A request without a body still answers pm.request.body (an empty body) without an own property.
Object.defineProperty(PostmanRequest.prototype, "body", { configurable: true, ...bodyAccessor });
Object.defineProperty(PostmanRequest, "name", { value: "PostmanRequest" });
Object.defineProperty(Url, "name", { value: "PostmanUrl" });
sdkInspect(PostmanRequest, () => true);

/** Builds pm.request from a RequestDefinition; `serialize()` returns the (possibly mutated) definition. */
export function createRequest(def: RequestInput): {
  request: PostmanRequest;
  serialize: () => RequestDefinition;
} {
  const request = new PostmanRequest(def);
  return { request, serialize: () => request.toDefinition() };
}

function parseHeader(line: string): ListItem {
  const i = line.indexOf(":");
  return i < 0
    ? { key: line.trim(), value: "" }
    : { key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() };
}

/** pm.sendRequest's headers in any shape the SDK accepts, as a list. */
function headerList(input: unknown): ListItem[] {
  let headers = input;
  // The SDK also accepts headers as 'Key: value' strings, alone or in an array (one per line).
  if (typeof headers === "string") headers = headers.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (Array.isArray(headers)) return headers.map((h) => (typeof h === "string" ? parseHeader(h) : h));
  if (headers instanceof PropertyList) return headers.toJSON();
  if (isRecord(headers)) {
    const record = headers;
    return Object.keys(record).map((k) => ({ key: k, value: String(record[k]) }));
  }
  return [];
}

/**
 * Accepts what pm.sendRequest accepts (a URL string or a request-like object) and returns a
 * RequestDefinition, so the engine sends it through the same HTTP path as collection requests.
 */
export function toRequestDefinition(input: unknown): RequestDefinition {
  if (typeof input === "string")
    return createRequest({ method: "GET", url: parseRawUrl(input), headers: [] }).serialize();
  if (isRecord(input) && isRequestLike(input)) return input.toDefinition();
  const i: Fields = isRecord(input) ? input : {};
  const headers = headerList(i.header || i.headers || []);
  let bodyDef = i.body;
  if (bodyDef instanceof RequestBody) bodyDef = bodyDef.toDefinition();
  else if (typeof bodyDef === "string") bodyDef = { mode: "raw", raw: bodyDef };
  else if (isRecord(bodyDef) && bodyDef.mode === "raw" && typeof bodyDef.raw === "object")
    bodyDef = { ...bodyDef, raw: JSON.stringify(bodyDef.raw) };
  const url =
    i.url instanceof Url
      ? i.url.toDefinition()
      : typeof i.url === "string"
        ? parseRawUrl(i.url)
        : new Url(i.url).toDefinition();
  return createRequest({ method: i.method || "GET", url, headers, body: bodyDef, auth: i.auth }).serialize();
}

/** A request-like object with a parsed Url and the engine's serializer (a PostmanRequest of this prelude). */
function isRequestLike(v: Fields): v is Fields & { toDefinition(): RequestDefinition } {
  return typeof v.toDefinition === "function" && !(v instanceof Url) && v.url instanceof Url;
}
