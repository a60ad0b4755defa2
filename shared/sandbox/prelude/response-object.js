// pm.response and pm.sendRequest responses, shaped like postman-collection's Response: the same own
// properties (chai renders a response in failure messages as `PostmanResponse{ …(10) }`, or
// `PostmanResponse{ …(5) }` after a request error), the same details() from http-reasons, and the same
// answers when there was no response (code, status and text() undefined). Runs inside QuickJS.
import reasons from "http-reasons/db.json";
import { jsonError } from "./json-error";
import { PropertyList, sdkInspect } from "./lists";

const MARK = "__postmanResponse";
let chaiOf = () => {
  throw new Error("chai is not available");
};

/** The prelude hands in its lazy chai loader (for `pm.response.to` / `.not`). */
export function useChai(load) {
  chaiOf = load;
}

function parseCookie(header) {
  const [pair, ...attrs] = String(header).split(";");
  const i = pair.indexOf("=");
  const c = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim() };
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

export function cookieList(cookies) {
  return new PropertyList(
    cookies.map((c) => ({ ...c, key: c.name })),
    false,
  );
}

/** http-reasons' entry for a code: `{ name, detail }`, or `{}` for an unknown code. */
export function reasonOf(code) {
  const r = reasons[code];
  return r ? { name: r.name, detail: r.detail } : {};
}

/** A random v4 UUID (the SDK gives every response one), from four 32-bit draws. */
function uuid() {
  const hex = () => (Math.floor(Math.random() * 0x100000000) + 0x100000000).toString(16).slice(1);
  const a = hex();
  const b = hex();
  const c = hex();
  const variant = "89ab"[Math.floor(Math.random() * 4)];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${hex()}`;
}

/** Copies the defined values of `from` onto `to` (lodash's mergeDefined, as postman-collection uses it). */
function mergeDefined(to, from) {
  for (const k of Object.keys(from)) if (from[k] !== undefined) to[k] = from[k];
  return to;
}

export class PostmanResponse {
  /** `data` is the engine's ResponseData, or undefined when the request got no response. */
  constructor(data) {
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
    this.headers = new PropertyList(data ? data.headers : [], true);
    if (data) this.stream = { toString: () => data.body };
    const setCookies = (data?.headers ?? [])
      .filter((h) => h.key.toLowerCase() === "set-cookie")
      .map((h) => parseCookie(h.value));
    this.cookies = cookieList(setCookies);
    if (data) {
      this.responseTime = data.responseTime;
      this.responseSize = data.responseSize;
    }
    Object.defineProperty(this, MARK, { value: { data, parsed: undefined, parsedOk: false } });
  }
  get to() {
    return chaiOf().expect(this).to;
  }
  get not() {
    return chaiOf().expect(this).not;
  }
  text() {
    return this[MARK].data?.body;
  }
  json(reviver) {
    const state = this[MARK];
    if (!state.data) {
      const err = new SyntaxError('"undefined" is not valid JSON');
      err.name = "JSONError";
      throw err;
    }
    if (!state.parsedOk || reviver) {
      try {
        state.parsed = JSON.parse(state.data.body, reviver);
        state.parsedOk = !reviver;
      } catch (e) {
        throw jsonError(state.data.body, e);
      }
    }
    return state.parsed;
  }
  jsonp(cb) {
    const m = new RegExp(
      `^\\s*${cb ? cb.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : "[\\w$.]+"}\\s*\\(([\\s\\S]*)\\)\\s*;?\\s*$`,
    ).exec(this.text() ?? "");
    return JSON.parse(m ? m[1] : this.text());
  }
  reason() {
    return this.status || reasonOf(this.code).name;
  }
  details() {
    if (!this._details || this._details.code !== this.code) {
      const base = reasonOf(this.code);
      this._details = { ...base, code: this.code, standardName: base.name };
    }
    return { ...this._details };
  }
  size() {
    const data = this[MARK].data;
    if (!data) return { body: 0, header: 0, total: 0 };
    const header = data.headers.reduce((n, h) => n + h.key.length + String(h.value).length + 4, 0);
    return { body: data.responseSize, header, total: data.responseSize + header };
  }
  dataURI() {
    const body = this.text() ?? "";
    return `data:${this.headers.get("content-type") || "text/plain"};base64,${btoa(unescape(encodeURIComponent(body)))}`;
  }
  toJSON() {
    const data = this[MARK].data;
    return {
      code: this.code,
      status: this.status,
      header: data ? data.headers : [],
      body: data?.body,
      responseTime: this.responseTime,
    };
  }
}

Object.defineProperty(PostmanResponse, "name", { value: "PostmanResponse" });
sdkInspect(PostmanResponse, () => true);

export function createResponse(data) {
  return new PostmanResponse(data);
}

export function isResponse(obj) {
  return obj instanceof PostmanResponse;
}
