/**
 * Postman URL semantics: parse raw or structured URLs into one normalised form, print it back
 * unresolved (what `pm.request.url.toString()` shows), and build the resolved, percent-encoded URL
 * that is actually sent (postman-url-encoder's rules: keep existing `%xx`, encode what WHATWG would
 * reject or misread, default to `http://`).
 */
import type { UrlObject } from "../schemas/collection";
import type { KV, UrlDefinition } from "./types";

/** A scheme, or a set-aside {{variable}} standing for one (`\uE000n\uE000`, see parseRawUrl). */
const PROTOCOL_RE = /^([A-Za-z][A-Za-z0-9+.-]*|\uE000\d+\uE000):\/\//;

function splitQuery(query: string): KV[] {
  if (query === "") return [];
  return query.split("&").map((pair) => {
    const i = pair.indexOf("=");
    return i < 0
      ? { key: pair, value: null as unknown as string }
      : { key: pair.slice(0, i), value: pair.slice(i + 1) };
  });
}

/** Splits on `sep` outside `{{…}}`, so variables containing `/` or `.` stay whole. */
function splitOutsideVars(text: string, sep: string): string[] {
  if (!text.includes("{{")) return text.split(sep);
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("{{", i)) depth++;
    if (text.startsWith("}}", i) && depth > 0) depth--;
    const ch = text[i]!;
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function indexOutsideVars(text: string, ch: string): number {
  if (!text.includes("{{")) return text.indexOf(ch);
  const first = splitOutsideVars(text, ch)[0]!;
  return first.length === text.length ? -1 : first.length;
}

/**
 * Parses a raw URL string the way Postman's Url.parse does. A {{variable}} whose name holds URL
 * syntax (`{{p://}}`, `{{###}}`, `{{&}}`) stays whole: variables are set aside while the URL is split.
 */
export function parseRawUrl(raw: string): UrlDefinition {
  if (!raw.includes("{{")) return parseMaskedUrl(raw);
  const vars: string[] = [];
  const masked = raw.replace(VAR_RE, (m) => `\uE000${vars.push(m) - 1}\uE000`);
  if (!vars.length) return parseMaskedUrl(raw);
  // The parts are fresh: each is put back in place, and most (`{{base}}/get?i=1`: all but the host)
  // hold no variable and stay as they are. Key order is parseMaskedUrl's, so the plan's JSON is too.
  const d = parseMaskedUrl(masked);
  d.raw = raw;
  if (d.protocol !== undefined) d.protocol = unmask(d.protocol, vars);
  if (d.auth !== undefined) d.auth = unmask(d.auth, vars);
  if (d.port !== undefined) d.port = unmask(d.port, vars);
  if (d.hash !== undefined) d.hash = unmask(d.hash, vars);
  unmaskAll(d.host, vars);
  unmaskAll(d.path, vars);
  unmaskPairs(d.query, vars);
  unmaskPairs(d.variable, vars);
  return d;
}

const VAR_RE = /\{\{[^{}]*\}\}/g;
const MASK_RE = /\uE000(\d+)\uE000/g;

/** A part with its set-aside variables written back (the part itself when it holds none). */
function unmask(text: string, vars: string[]): string {
  return text.includes("\uE000") ? text.replace(MASK_RE, (_m, i: string) => vars[Number(i)]!) : text;
}

function unmaskAll(parts: string[], vars: string[]): void {
  for (let i = 0; i < parts.length; i++) parts[i] = unmask(parts[i]!, vars);
}

function unmaskPairs(list: KV[], vars: string[]): void {
  for (const q of list) {
    q.key = unmask(q.key, vars);
    if (typeof q.value === "string") q.value = unmask(q.value, vars);
  }
}

function parseMaskedUrl(raw: string): UrlDefinition {
  let rest = raw.trim();
  const def: UrlDefinition = { raw, host: [], path: [], query: [], variable: [] };
  const proto = PROTOCOL_RE.exec(rest);
  if (proto) {
    def.protocol = proto[1]!;
    rest = rest.slice(proto[0].length);
  }
  // A `#` or `?` inside a {{variable}} name (`{{###}}`) is part of the name, as in Postman's parser.
  const hashAt = indexOutsideVars(rest, "#");
  if (hashAt >= 0) {
    def.hash = rest.slice(hashAt + 1);
    rest = rest.slice(0, hashAt);
  }
  const qAt = indexOutsideVars(rest, "?");
  if (qAt >= 0) {
    def.query = splitQuery(rest.slice(qAt + 1));
    rest = rest.slice(0, qAt);
  }
  const parts = splitOutsideVars(rest, "/");
  let hostPart = parts.shift() ?? "";
  const at = hostPart.lastIndexOf("@");
  // The last `@` ends the credentials (`us@r:p@ss@host`), as in WHATWG URL and Postman's parser.
  const auth = at >= 0 ? hostPart.slice(0, at) : undefined;
  if (at >= 0) hostPart = hostPart.slice(at + 1);
  const portMatch = /:(\d+|\{\{[^}]+\}\}|\uE000\d+\uE000)$/.exec(hostPart);
  if (portMatch && !hostPart.endsWith("]")) {
    def.port = portMatch[1]!;
    hostPart = hostPart.slice(0, -portMatch[0].length);
  }
  if (auth !== undefined) def.auth = auth;
  def.host = hostPart === "" ? [] : hostPart.startsWith("[") ? [hostPart] : splitOutsideVars(hostPart, ".");
  def.path = parts;
  def.variable = parts
    .filter((p) => p.startsWith(":") && p.length > 1)
    .map((p) => ({ key: p.slice(1), value: "" }));
  return def;
}

/** A structured URL's `auth: { user, password }` as the `user:password` written before the host. */
function urlAuth(auth: unknown): string | undefined {
  if (!auth || typeof auth !== "object") return undefined;
  const { user, password } = auth as { user?: unknown; password?: unknown };
  if (typeof user !== "string" && typeof password !== "string") return undefined;
  return `${typeof user === "string" ? user : ""}${typeof password === "string" ? `:${password}` : ""}`;
}

/** Normalises a collection URL (string or structured) into the engine's UrlDefinition. */
export function parseUrl(input: string | UrlObject | undefined | null): UrlDefinition {
  if (input === undefined || input === null) return { host: [], path: [], query: [], variable: [] };
  if (typeof input === "string") return parseRawUrl(input);
  const fromRaw = input.raw !== undefined ? parseRawUrl(input.raw) : undefined;
  const hasStructure = input.host !== undefined || input.path !== undefined;
  const def: UrlDefinition =
    hasStructure || !fromRaw ? { host: [], path: [], query: [], variable: [] } : fromRaw;
  if (input.raw !== undefined) def.raw = input.raw;
  if (hasStructure) {
    if (input.protocol) def.protocol = input.protocol.replace(/:$/, "");
    else if (fromRaw?.protocol) def.protocol = fromRaw.protocol;
    def.host = typeof input.host === "string" ? splitOutsideVars(input.host, ".") : (input.host ?? []);
    const path = input.path;
    def.path =
      typeof path === "string"
        ? splitOutsideVars(path.replace(/^\//, ""), "/")
        : (path ?? []).map((p) => (typeof p === "string" ? p : (p.value ?? "")));
    if (input.port !== undefined) def.port = String(input.port);
    else if (fromRaw?.port) def.port = fromRaw.port;
    if (input.hash !== undefined) def.hash = input.hash;
    else if (fromRaw?.hash !== undefined) def.hash = fromRaw.hash;
    const auth = urlAuth((input as { auth?: unknown }).auth) ?? fromRaw?.auth;
    if (auth !== undefined) def.auth = auth;
  }
  if (input.query) {
    def.query = input.query.map((q) => ({
      key: q.key ?? "",
      value: q.value === undefined || q.value === null ? (null as unknown as string) : String(q.value),
      ...(q.disabled ? { disabled: true } : {}),
    }));
  } else if (hasStructure && fromRaw) def.query = fromRaw.query;
  const declared = (input.variable ?? []).map((v) => ({
    key: v.key ?? v.id ?? "",
    value: v.value === undefined || v.value === null ? "" : String(v.value),
  }));
  const implicit = def.path.filter((p) => p.startsWith(":") && p.length > 1).map((p) => p.slice(1));
  def.variable = [
    ...declared,
    ...implicit.filter((k) => !declared.some((d) => d.key === k)).map((key) => ({ key, value: "" })),
  ];
  return def;
}

/** The unresolved URL as Postman prints it (`pm.request.url.toString()`). */
export function urlToString(def: UrlDefinition, opts: { forceProtocol?: boolean } = {}): string {
  let out = def.protocol ? `${def.protocol}://` : opts.forceProtocol ? "http://" : "";
  if (def.auth) out += `${def.auth}@`;
  out += def.host.join(".");
  if (def.port) out += `:${def.port}`;
  if (def.path.length) out += `/${def.path.join("/")}`;
  const query = def.query.filter((q) => !q.disabled);
  if (query.length)
    out += `?${query.map((q) => (q.value === null || q.value === undefined ? q.key : `${q.key}=${q.value}`)).join("&")}`;
  if (def.hash !== undefined && def.hash !== "") out += `#${def.hash}`;
  return out;
}

/** Percent-encodes what must be encoded; a `%` stays as written (postman-url-encoder's encode sets). */
function encodePart(text: string, mustEncode: (ch: string) => boolean): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x21 || code > 0x7e || mustEncode(ch)) {
      try {
        out += encodeURIComponent(ch);
      } catch {
        out += "%EF%BF%BD";
      }
    } else out += ch;
  }
  return out;
}

function encodeKeepingPercents(text: string, mustEncode: (ch: string) => boolean): string {
  // Printable ASCII outside the special sets is kept as written (the usual case: nothing to encode).
  if (PLAIN.test(text) && !hasSpecial(text, mustEncode)) return text;
  return text
    .split(/(%[0-9A-Fa-f]{2})/)
    .map((p, i) => (i % 2 === 1 ? p : encodePart(p, mustEncode)))
    .join("");
}

const PLAIN = /^[\x21-\x7e]*$/;

function hasSpecial(text: string, mustEncode: (ch: string) => boolean): boolean {
  for (let i = 0; i < text.length; i++) if (mustEncode(text[i]!)) return true;
  return false;
}

const PATH_SPECIAL = new Set(['"', "<", ">", "`", "#", "?", "{", "}"]);
// `&` is not encoded: Postman substitutes variables into the URL text and re-parses it, so an `&` that
// a variable brings into a value starts a new parameter (as Newman sends it).
const QUERY_SPECIAL = new Set(['"', "#", "'", "<", ">"]);

/**
 * A query parameter's text as postman-url-encoder writes it, for a parameter added after variables are
 * resolved (auth): the query's encode set, plus its own `&` and `#` (and `=` in a key).
 */
export function encodeQueryPart(text: string, isKey: boolean): string {
  const own = text.replace(isKey ? /[&#=]/g : /[&#]/g, (c) => encodeURIComponent(c));
  return encodeKeepingPercents(own, (ch) => QUERY_SPECIAL.has(ch));
}

/**
 * A query parameter's own `&` and `#` (and `=` in a key) are encoded before variables are substituted,
 * as postman-collection's QueryParam.unparseSingle does; what a `{{variable}}` brings is not.
 */
function reservedInParam(text: string, isKey: boolean): string {
  const special = isKey ? /[&#=]/g : /[&#]/g;
  if (!text.includes("&") && !text.includes("#") && !(isKey && text.includes("="))) return text;
  return text
    .split(/(\{\{[^{}]*\}\})/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(special, (c) => encodeURIComponent(c))))
    .join("");
}

/**
 * Newman's refusals of a URL without a host, before anything is sent: nothing at all (`null`, `""`, a
 * `{{var}}` that resolves to `""`) is postman-runtime's "request url is empty"; a path or query without
 * a host (`/login`, `{{baseUrl}}/login` with an empty baseUrl, `http://`) is postman-request's
 * `Invalid URI "http:///login"`. Why: WHATWG would read `http:///login` as the host `login` and send
 * the request there. A written scheme with a path (`https:///p`) is left to WHATWG, as Node's parser
 * in Newman reads it the same way (host `p`).
 */
/** Newman's refusal of a URL without a host: a plain `Error` there, so its name is `Error` here too. */
export class HostlessUrlError extends Error {}

function refuseHostless(url: string, at: { explicit: boolean; segments: string[] }): void {
  const scheme = /^(https?):\/\//i.exec(url);
  if (!scheme) return;
  const rest = url.slice(scheme[0].length);
  if (!at.explicit && rest === "")
    throw new HostlessUrlError("runtime:extensions~request: request url is empty");
  if (at.explicit && at.segments.length > 0) return;
  throw new HostlessUrlError(`Invalid URI "${scheme[0]}${rest.startsWith("/") ? "" : "/"}${rest}"`);
}

/** Builds the resolved, encoded URL that is sent. Throws with a clear message if the result is not a URL. */
export function buildUrl(
  def: UrlDefinition,
  resolve: (s: string) => string,
  opts: { disableUrlEncoding?: boolean; written?: (text: string) => void } = {},
): string {
  const enc = (s: string, set: Set<string>) =>
    opts.disableUrlEncoding ? s : encodeKeepingPercents(s, (ch) => set.has(ch));
  let protocol = def.protocol ? resolve(def.protocol) : "";
  let host = resolve(def.host.join("."));
  // A variable may hold a whole base URL (`{{baseUrl}}/users`): re-split it.
  const embedded = PROTOCOL_RE.exec(host);
  let extraPath: string[] = [];
  if (embedded) {
    if (!protocol) protocol = embedded[1]!;
    host = host.slice(embedded[0].length);
  }
  // The query first: a variable holding `https://host/get?x=1` carries its query after the path.
  let embeddedQuery = "";
  const q = host.indexOf("?");
  if (q >= 0) {
    embeddedQuery = host.slice(q + 1);
    host = host.slice(0, q);
  }
  const slash = host.indexOf("/");
  if (slash >= 0) {
    extraPath = host.slice(slash + 1).split("/");
    host = host.slice(0, slash);
  }
  if (!protocol) protocol = "http";
  const vars = new Map(def.variable.map((v) => [v.key, v.value]));
  const segments = [...extraPath, ...def.path].map((seg) => {
    if (seg.startsWith(":") && vars.has(seg.slice(1)))
      return enc(resolve(vars.get(seg.slice(1)) ?? ""), PATH_SPECIAL);
    return enc(resolve(seg), PATH_SPECIAL);
  });
  const port = def.port ? `:${resolve(def.port)}` : "";
  let url = `${protocol.toLowerCase()}://${def.auth ? `${resolve(def.auth)}@` : ""}${host}${port}`;
  if (segments.length) url += `/${segments.join("/")}`;
  const query = def.query
    .filter((p) => !p.disabled)
    .map((p) => {
      const key = enc(resolve(reservedInParam(p.key ?? "", true)), QUERY_SPECIAL);
      return p.value === null || p.value === undefined
        ? key
        : `${key}=${enc(resolve(reservedInParam(String(p.value), false)), QUERY_SPECIAL)}`;
    });
  if (embeddedQuery) query.unshift(embeddedQuery);
  if (query.length) url += `?${query.join("&")}`;
  if (def.hash) url += `#${enc(resolve(def.hash), new Set())}`;
  if (host === "" && !def.auth && !port)
    refuseHostless(url, { explicit: !!def.protocol || !!embedded, segments });
  try {
    // WHATWG normalises (e.g. lower-cases the host, adds a trailing `/`); send its form, which is
    // equivalent (and equal to `url` when there is nothing to normalise).
    const built = parseBuilt(url);
    lastBuilt = built;
    // The text before WHATWG's normalisation, for a sender that can put it on the wire as written.
    if (opts.written && built.href !== url) opts.written(url);
    return built.href;
  } catch {
    throw new UnparsableUrlError(url);
  }
}

/** A URL that WHATWG's parser refuses after variable resolution; `url` is the text it refused. */
export class UnparsableUrlError extends Error {
  constructor(readonly url: string) {
    super(
      `invalid URL after variable resolution: '${url}'${url.includes("{{") ? " (an unresolved {{variable}} remains)" : ""}`,
    );
  }
}

/** The URL object behind the last URL `buildUrl` returned (see `parsedUrl`). */
let lastBuilt: { href: string; parsed: URL } | undefined;

/** Recently built URLs by their text before WHATWG's normalisation (see `parseBuilt`). */
const builtCache = new Map<string, { href: string; parsed: URL }>();
const BUILT_CACHE_SIZE = 256;

/**
 * `new URL(text)` once per distinct text among the last few built. Why: a run sends the same
 * collection's URLs iteration after iteration, and a URL parse is the largest part of `buildUrl` in
 * workerd (≈ 1.5 % of a busy run object's CPU); the object is shared read-only (see `parsedUrl`).
 * Throws for a text that is not a URL, as `new URL` does (failures are not cached).
 */
function parseBuilt(text: string): { href: string; parsed: URL } {
  const hit = builtCache.get(text);
  if (hit) return hit;
  const parsed = new URL(text);
  const built = { href: parsed.href, parsed };
  if (builtCache.size >= BUILT_CACHE_SIZE) builtCache.delete(builtCache.keys().next().value as string);
  builtCache.set(text, built);
  return built;
}

/**
 * `new URL(href)`, or undefined when `href` is not a URL. Why: the URL a request sends was parsed by
 * `buildUrl` just before, and the HTTP layer parses it again for the target policy and cookies (a
 * parse is ≈ 1 µs in workerd, and a profile's 3–5 %); the last built one is handed back instead. The
 * object is shared, so callers must treat it as read-only (copy it to change it).
 */
export function parsedUrl(href: string): URL | undefined {
  if (lastBuilt?.href === href) return lastBuilt.parsed;
  try {
    return new URL(href);
  } catch {
    return undefined;
  }
}

/**
 * The host and port a URL connects to: the host without an IPv6 address's brackets, the port its own or
 * its scheme's. Why: the socket path, Hawk's normalized string and Node's error words all name them so.
 */
export function connectTarget(url: { hostname: string; port: string; protocol: string }): {
  host: string;
  port: number;
} {
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port };
}
