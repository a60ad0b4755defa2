// pm.request.url: postman-collection's Url over the engine's parsed URL (shared/engine/url.ts), so a URL
// a script sets reads back the way the engine parses collection URLs.
import type { KV, UrlDefinition } from "../../engine/types";
import { parseRawUrl, urlToString } from "../../engine/url";
import { type ListItem, PropertyList, unparseQuery } from "./lists";
import { defined, variableJson } from "./sdk-json";

export type Fields = Record<string, unknown>;
export const isRecord = (v: unknown): v is Fields => typeof v === "object" && v !== null;
export const items = (v: unknown): ListItem[] => (Array.isArray(v) ? (v as ListItem[]) : []);

/** `?a=1&b` → [{ key: "a", value: "1" }, { key: "b", value: null }] (postman-collection's QueryParam.parse). */
const parseQuery = (query: string): KV[] => parseRawUrl(`x?${query}`).query;

/** The URL's `user:password` as postman-collection holds it: `{ user, password }`. */
function urlAuth(auth: unknown): unknown {
  if (typeof auth !== "string") return auth;
  const colon = auth.indexOf(":");
  return colon < 0
    ? { user: auth, password: undefined }
    : { user: auth.slice(0, colon), password: auth.slice(colon + 1) };
}

/** `user:password` again (the engine's form), from the object or from a string a script assigned. */
function authText(auth: unknown): string | undefined {
  if (!auth) return undefined;
  if (!isRecord(auth)) return String(auth);
  const { user, password } = auth;
  const text = `${user ?? ""}${password === undefined || password === null ? "" : `:${String(password)}`}`;
  return text || undefined;
}

export class Url {
  declare protocol: string | undefined;
  declare host: string[];
  declare port: string | undefined;
  declare path: string[];
  declare hash: string | undefined;
  declare auth: unknown;
  declare query: PropertyList;
  declare variables: PropertyList;

  constructor(def?: unknown) {
    this.update(def);
  }
  update(input?: unknown): void {
    const def: Fields = typeof input === "string" ? { ...parseRawUrl(input) } : isRecord(input) ? input : {};
    // postman-collection's order of own properties, which chai's messages show (`PostmanUrl{ auth: …`).
    this.auth = urlAuth(def.auth);
    this.protocol = def.protocol as string | undefined;
    this.port = def.port as string | undefined;
    this.path = Array.isArray(def.path)
      ? def.path.slice()
      : def.path
        ? String(def.path).replace(/^\//, "").split("/")
        : [];
    this.hash = def.hash as string | undefined;
    this.host = Array.isArray(def.host) ? def.host.slice() : def.host ? String(def.host).split(".") : [];
    this.query = new PropertyList(
      items(def.query).map((q) => ({
        key: q.key,
        value: q.value,
        ...(q.disabled ? { disabled: true } : {}),
      })),
      { unparse: unparseQuery },
    );
    // The SDK's parser names a text's path variables without a value (`{ key }`).
    const variable = items(def.variable);
    this.variables = new PropertyList(
      typeof input === "string"
        ? variable.map((v) => ({ type: "any", key: v.key, value: undefined }))
        : variable,
    );
  }
  getHost(): string {
    return this.host.join(".");
  }
  getPath(unresolved?: boolean): string {
    return `/${(unresolved ? this.path : this.resolvedPath()).join("/")}`;
  }
  /** Url#getPath's segments: `:name` (up to a ".") becomes the variable's value when a non-empty string. */
  resolvedPath(): string[] {
    return this.path.map((s) => {
      if (!s.startsWith(":")) return s;
      const dot = s.indexOf(".");
      const key = s.slice(1, dot < 0 ? undefined : dot);
      const value = key ? this.variables.get(key) : undefined;
      return value && typeof value === "string" ? value + s.slice(key.length + 1) : s;
    });
  }
  getPathWithQuery(): string {
    const q = this.getQueryString();
    return this.getPath() + (q ? `?${q}` : "");
  }
  getQueryString(): string {
    return unparseQuery(this.query._enabled());
  }
  getRemote(): string {
    return this.getHost() + (this.port ? `:${this.port}` : "");
  }
  /** Url#getRaw is discontinued in postman-collection 4: it throws, so a script fails as in Newman. */
  getRaw(): never {
    throw new Error("`Url#getRaw` has been discontinued, use `Url#toString` instead.");
  }
  addQueryParams(params: unknown): void {
    const list = typeof params === "string" ? parseQuery(params) : ([] as unknown[]).concat(params);
    // Array entries may be "key=value" strings too (postman-collection's QueryParam.parse).
    for (const p of list)
      this.query.add(typeof p === "string" ? (parseQuery(p)[0] ?? { key: p, value: null }) : p);
  }
  removeQueryParams(params: unknown): void {
    for (const p of ([] as unknown[]).concat(params))
      this.query.remove(typeof p === "string" ? p : isRecord(p) ? p.key : undefined);
  }
  /** The URL as Postman prints it (the engine's printer), path variables with a value filled in. */
  toString(forceProtocol?: boolean): string {
    return this.print({ forceProtocol: !!forceProtocol, path: this.resolvedPath() });
  }
  print(opts: { forceProtocol: boolean; path: string[] }): string {
    const def: UrlDefinition = {
      protocol: this.protocol,
      auth: authText(this.auth),
      host: this.host,
      port: this.port,
      path: opts.path,
      query: this.query._enabled() as KV[],
      hash: this.hash,
      variable: [],
    };
    return urlToString(def, { forceProtocol: opts.forceProtocol });
  }
  /** Url#toJSON: the collection format (no `raw`; auth as `{ user, password }`), in the SDK's order. */
  toJSON(): Record<string, unknown> {
    const auth = this.auth;
    return defined({
      auth: isRecord(auth) ? { ...auth } : auth,
      protocol: this.protocol,
      port: this.port,
      // The SDK's parser leaves out a path or host the text has none of.
      path: this.path.length ? this.path.slice() : undefined,
      hash: this.hash,
      host: this.host.length ? this.host.slice() : undefined,
      query: this.query.toJSON(),
      variable: this.variables.toJSON().map(variableJson),
    });
  }
  /** The engine's UrlDefinition (what the prelude hands back to it: contract.ts). */
  toDefinition(): UrlDefinition {
    return {
      // The template: the engine fills in path variables itself.
      raw: this.print({ forceProtocol: false, path: this.path }),
      ...(this.protocol ? { protocol: this.protocol } : {}),
      host: this.host,
      ...(this.port ? { port: String(this.port) } : {}),
      path: this.path,
      query: this.query
        .toJSON()
        .map((q) => ({ key: q.key, value: q.value as string, ...(q.disabled ? { disabled: true } : {}) })),
      ...(this.hash ? { hash: this.hash } : {}),
      variable: this.variables
        .toJSON()
        .map((v) => ({ key: v.key, value: v.value === undefined ? "" : String(v.value) })),
      ...(authText(this.auth) ? { auth: authText(this.auth) } : {}),
    };
  }
}
