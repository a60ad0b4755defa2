// pm.response and pm.sendRequest responses, shaped like postman-collection's Response: the same own
// properties (chai renders a response in failure messages as `PostmanResponse{ …(10) }`, or
// `PostmanResponse{ …(5) }` after a request error), the same details() from http-reasons, and the same
// answers when there was no response (code, status and text() undefined). Runs inside QuickJS.
import type { Cookie, ResponseData } from "../../engine/types";
import type { ContentInfo, ContentSource } from "./content-info";
import { jsonError } from "./json-error";
import { type ListItem, PropertyList, sdkInspect } from "./lists";
import { defined, utf8Bytes } from "./sdk-json";
import { bomLength, btoa } from "./shims";

/** The chai instance the prelude loads (only what pm.response.to / .not need of it). */
export interface ChaiLike {
  expect(value: unknown): { to: unknown; not: unknown };
}

// Bundled as `JSON.parse` of the table's text (scripts/build-sandbox-libs.mjs). A `require` in a
// function: esbuild then parses it on first use and hands over the object itself (an `import` of the
// CommonJS module copied its ≈ 60 codes into getters on every context: in QuickJS every run paid that).
declare const require: (id: "http-reasons/db.json") => Reasons;
type Reasons = Record<string, { name: string; detail: string } | undefined>;
let reasons: Reasons | undefined;
const MARK = "__postmanResponse";
let chaiOf: () => ChaiLike = () => {
  throw new Error("chai is not available");
};

/** The prelude hands in its lazy chai loader (for `pm.response.to` / `.not`). */
export function useChai(load: () => ChaiLike): void {
  chaiOf = load;
}

/**
 * Gives pm.response or pm.request its `to` (`pm.response.to.have.status(200)`), as postman-sandbox
 * does: an own getter of those two objects only, not enumerable. A pm.sendRequest response has none,
 * and neither has a `not` (`pm.response.not` is undefined; `pm.response.to.not…` is the negation).
 */
export function withTo<T extends object>(target: T): T {
  return Object.defineProperty(target, "to", {
    get(this: unknown) {
      return chaiOf().expect(this).to;
    },
  });
}

/** The `content-info` library's exports (content-info.ts). */
export type ContentInfoLibrary = { contentInfo(source: ContentSource): ContentInfo };
let contentInfoOf: () => ContentInfoLibrary = () => {
  throw new Error("contentInfo is not available");
};

/** The prelude hands in the loader of the `content-info` library (its tables load only when used). */
export function useContentInfo(load: () => ContentInfoLibrary): void {
  contentInfoOf = load;
}

interface ResponseCookie {
  name: string;
  value: string;
  path?: string | true;
  domain?: string | true;
  expires?: string | true;
  httpOnly?: boolean;
  secure?: boolean;
}

function parseCookie(header: unknown): ResponseCookie {
  const [pair = "", ...attrs] = String(header).split(";");
  const i = pair.indexOf("=");
  const c: ResponseCookie = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim() };
  for (const a of attrs) {
    const j = a.indexOf("=");
    const k = (j < 0 ? a : a.slice(0, j)).trim().toLowerCase();
    const v = j < 0 ? true : a.slice(j + 1).trim();
    if (k === "path" || k === "domain" || k === "expires") c[k] = v;
    else if (k === "httponly") c.httpOnly = true;
    else if (k === "secure") c.secure = true;
  }
  return c;
}

/** pm.cookies and a response's cookies: a list keyed by cookie name, as the SDK's CookieList. */
export function cookieList(cookies: ReadonlyArray<Cookie | ResponseCookie>): PropertyList {
  return new PropertyList(cookies.map((c) => ({ ...c, key: c.name })));
}

/** http-reasons' entry for a code: `{ name, detail }`, or `{}` for an unknown code. */
export function reasonOf(code: unknown): { name?: string; detail?: string } {
  reasons ??= require("http-reasons/db.json");
  const r = reasons[String(code)];
  return r ? { name: r.name, detail: r.detail } : {};
}

/** A random v4 UUID (the SDK gives every response one), from four 32-bit draws. */
function uuid(): string {
  const hex = () => (Math.floor(Math.random() * 0x100000000) + 0x100000000).toString(16).slice(1);
  const a = hex();
  const b = hex();
  const c = hex();
  const variant = "89ab"[Math.floor(Math.random() * 4)];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${hex()}`;
}

type Details = { name?: string; detail?: string; code?: unknown; standardName?: string };

/** Copies the defined values of `from` onto `to` (lodash's mergeDefined, as postman-collection uses it). */
function mergeDefined(to: Details, from: Details): Details {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) Reflect.set(to, k, v);
  return to;
}

interface ResponseState {
  data: ResponseData | undefined;
}
const stateOf = (response: PostmanResponse): ResponseState =>
  (response as unknown as Record<typeof MARK, ResponseState>)[MARK];

export class PostmanResponse {
  declare id: string;
  declare _details: Details;
  declare status: string | undefined;
  declare code: number | undefined;
  declare headers: PropertyList;
  declare stream: { toString(): string } | undefined;
  declare cookies: PropertyList;
  declare responseTime: number | undefined;
  declare responseSize: number | undefined;

  /** `data` is the engine's ResponseData, or undefined when the request got no response. */
  constructor(data: ResponseData | undefined) {
    this.id = uuid();
    const base = reasonOf(data?.code);
    this._details = mergeDefined(
      { ...base },
      { name: data?.status || undefined, code: data?.code, standardName: base.name },
    );
    if (data) {
      this.status = this._details.name;
      this.code = data.code;
    }
    this.headers = new PropertyList(data ? (data.headers as ListItem[]) : [], { header: true });
    if (data) this.stream = { toString: () => data.body };
    const setCookies = (data?.headers ?? [])
      .filter((h) => h.key.toLowerCase() === "set-cookie")
      .map((h) => parseCookie(h.value));
    this.cookies = cookieList(setCookies);
    if (data) {
      this.responseTime = data.responseTime;
      this.responseSize = data.responseSize;
    }
    const state: ResponseState = { data };
    Object.defineProperty(this, MARK, { value: state });
  }
  text(): string | undefined {
    return stateOf(this).data?.body;
  }
  json(reviver?: (this: unknown, key: string, value: unknown) => unknown): unknown {
    const state = stateOf(this);
    if (!state.data) {
      const err = new SyntaxError('"undefined" is not valid JSON');
      err.name = "JSONError";
      throw err;
    }
    // Parsed on every call, as postman-collection's Response#json does: each call answers a fresh
    // object, so a script that changes what one call returned does not change the next one's.
    const bom = bomLength(state.data.body);
    const body = bom ? state.data.body.slice(bom) : state.data.body;
    try {
      return JSON.parse(body, reviver);
    } catch (e) {
      // The prelude's JSON.parse has worded it already; a script's own replacement may not have.
      throw e instanceof SyntaxError && e.name === "JSONError" ? e : jsonError(body, e);
    }
  }
  jsonp(cb?: string): unknown {
    const m = new RegExp(
      `^\\s*${cb ? cb.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : "[\\w$.]+"}\\s*\\(([\\s\\S]*)\\)\\s*;?\\s*$`,
    ).exec(this.text() ?? "");
    return JSON.parse(String(m ? m[1] : this.text()));
  }
  reason(): string | undefined {
    return this.status || reasonOf(this.code).name;
  }
  details(): Details {
    if (!this._details || this._details.code !== this.code) {
      const base = reasonOf(this.code);
      this._details = { ...base, code: this.code, standardName: base.name };
    }
    return { ...this._details };
  }
  /** Response#size: the header part counts a status line (`HTTP/X.X 200 OK`) and the blank line too. */
  size(): { body: number; header: number; total: number } {
    const data = stateOf(this).data;
    if (!data) return { body: 0, header: 0, total: 0 };
    const statusLine = `HTTP/X.X ${this.code} ${this.reason()}\r\n\r\n`.length;
    const header = data.headers.reduce((n, h) => n + h.key.length + String(h.value).length + 4, statusLine);
    return { body: data.responseSize, header, total: data.responseSize + header };
  }
  /** Response#contentInfo: MIME type and format, charset, file extension and name (content-info.ts). */
  contentInfo(): ContentInfo {
    return contentInfoOf().contentInfo({
      contentType: this.headers.get("content-type"),
      disposition: this.headers.get("content-disposition"),
      body: this.text(),
    });
  }
  dataURI(): string {
    const body = this.text() ?? "";
    return `data:${this.headers.get("content-type") || "text/plain"};base64,${btoa(unescape(encodeURIComponent(body)))}`;
  }
  /** Response#toJSON: the SDK's own fields in its order, the body as the Buffer's JSON (its UTF-8 bytes). */
  toJSON(): Record<string, unknown> {
    const data = stateOf(this).data;
    return defined({
      id: this.id,
      status: this.status,
      code: this.code,
      header: this.headers.toJSON(),
      stream: data ? { type: "Buffer", data: utf8Bytes(data.body) } : undefined,
      cookie: this.cookies.all().map(cookieJson),
      responseTime: this.responseTime,
      responseSize: this.responseSize,
    });
  }
}

// Cookie#toJSON's order of fields (the Cookie constructor's), whatever order the Set-Cookie header had.
const COOKIE_FIELDS = [
  "name",
  "expires",
  "maxAge",
  "domain",
  "path",
  "secure",
  "httpOnly",
  "hostOnly",
  "value",
];
function cookieJson(c: ListItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COOKIE_FIELDS) out[k] = c[k];
  for (const k of Object.keys(c)) if (k !== "key" && !COOKIE_FIELDS.includes(k)) out[k] = c[k];
  return defined(out);
}

Object.defineProperty(PostmanResponse, "name", { value: "PostmanResponse" });
sdkInspect(PostmanResponse, () => true);

/** Builds a response object from the engine's ResponseData (undefined: the request got no response). */
export function createResponse(data: ResponseData | undefined): PostmanResponse {
  return new PostmanResponse(data);
}

/** Whether a value is one of the prelude's responses (chai-postman's guards). */
export function isResponse(obj: unknown): obj is PostmanResponse {
  return obj instanceof PostmanResponse;
}
