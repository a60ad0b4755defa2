/**
 * What an item's event and its test scripts see of the request that was sent and its response: the
 * resolved definition, the event's response preview, and URL/cookie look-ups that never throw.
 */
import type { RequestCompletedEvent } from "../schemas/events";
import type { CookieJar } from "./cookie-jar";
import type { PreparedRequest } from "./http";
import { BODY_PREVIEW_BYTES, safeUrlRaw } from "./send-definition";
import { SYSTEM_HEADER_NAMES } from "./system-headers";
import type { KV, RequestDefinition, ResponseData, Scopes, UrlDefinition } from "./types";
import { parseRawUrl } from "./url";
import { utf8Length } from "./utf8";
import { makeResolver } from "./variables";

export function toEventResponse(r: ResponseData): NonNullable<RequestCompletedEvent["response"]> {
  const preview = truncateUtf8(r.body, BODY_PREVIEW_BYTES);
  return {
    code: r.code,
    status: r.status,
    headers: r.headers,
    size: r.responseSize,
    timeMs: r.responseTime,
    bodyPreview: preview,
    ...(preview.length < r.body.length || r.truncated ? { bodyTruncated: true } : {}),
  };
}

/** Cuts a string to at most `bytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, bytes: number): string {
  if (text.length <= bytes / 3) return text;
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= bytes) return text;
  return new TextDecoder().decode(encoded.subarray(0, bytes)).replace(/\uFFFD$/, "");
}

/** A body definition with its variables resolved (raw text, form fields, GraphQL). */
function resolveBody(body: NonNullable<RequestDefinition["body"]>, resolve: (s: string) => string) {
  const fields = (list: unknown) =>
    Array.isArray(list)
      ? list.map((f: { key?: unknown; value?: unknown }) => ({
          ...f,
          ...(typeof f.key === "string" ? { key: resolve(f.key) } : {}),
          ...(typeof f.value === "string" ? { value: resolve(f.value) } : {}),
        }))
      : list;
  return {
    ...body,
    ...(typeof body.raw === "string" ? { raw: resolve(body.raw) } : {}),
    ...(body.urlencoded ? { urlencoded: fields(body.urlencoded) } : {}),
    ...(body.formdata ? { formdata: fields(body.formdata) } : {}),
  } as typeof body;
}

/** Methods Node's client sends without a Content-Length when they have no body. */
const BODILESS_METHODS = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * Where a listed header goes: the request's own, then the runtime's others, Postman's fixed set, then
 * Content-Length and Cookie in the order postman-request wrote them (a length known only at the end last).
 */
function listRank(h: PreparedRequest["headers"][number], lengthLast: boolean): number {
  if (!h.system) return 0;
  const lower = h.key.toLowerCase();
  if (lower === "cookie") return 4;
  if (lower === "content-length") return lengthLast ? 5 : 3;
  return SYSTEM_HEADER_NAMES.has(lower) ? 2 : 1;
}

/** A listed header: a disabled one is the definition's, kept in its place but not sent. */
export interface ListedHeader {
  key: string;
  value: string;
  disabled?: true;
}

/**
 * The sent request's headers as postman-runtime lists them on the request that test scripts and
 * Newman's report see: the request's own first (`def`'s disabled ones kept in their places, resolved),
 * then the ones the runtime added (auth, the body's type, Postman's system headers, Content-Length,
 * Cookie) — `system` counts those, at the end. A form body's Content-Type is left out (postman-request
 * sets it, so Newman never lists it); Content-Length is listed as Node's client declares it. Why:
 * reports and scripts that read the request see Newman's. Nothing sent (the request failed before
 * it): nothing listed.
 */
export function listedHeaders(
  sent: PreparedRequest,
  def?: { request: RequestDefinition; resolve: (s: string) => string },
): { headers: ListedHeader[]; system: number } {
  if (sent.headers.length === 0) return { headers: [], system: 0 };
  const shown = sent.headers.filter((h) => !h.implicit);
  const length =
    sent.body === undefined
      ? 0
      : typeof sent.body === "string"
        ? utf8Length(sent.body)
        : sent.body.byteLength;
  // Node's client declares an empty body as `Content-Length: 0` on methods that usually carry one.
  const declared = length > 0 || !BODILESS_METHODS.has(sent.method);
  if (declared && !shown.some((h) => h.key.toLowerCase() === "content-length"))
    shown.push({ key: "Content-Length", value: String(length), system: true });
  // A length the client computed as it finished the request (a multipart body, an empty one) comes last.
  const lengthLast = length === 0 || sent.headers.some((h) => h.implicit && /^multipart\//i.test(h.value));
  const ranked = shown
    .map((h, i) => ({ h, rank: listRank(h, lengthLast), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
  const own = ranked.filter(({ rank }) => rank === 0).map(({ h }) => ({ key: h.key, value: h.value }));
  const added = ranked.filter(({ rank }) => rank > 0).map(({ h }) => ({ key: h.key, value: h.value }));
  return { headers: [...withDisabled(own, def), ...added], system: added.length };
}

/** The request's own sent headers with the definition's disabled ones put back in their places. */
function withDisabled(
  own: ListedHeader[],
  def: { request: RequestDefinition; resolve: (s: string) => string } | undefined,
): ListedHeader[] {
  if (!def?.request.headers.some((h) => h.disabled)) return own;
  const { request, resolve } = def;
  const out: ListedHeader[] = [];
  let next = 0;
  for (const h of request.headers) {
    if (h.disabled) out.push({ key: resolve(h.key), value: resolve(String(h.value ?? "")), disabled: true });
    // An own header the runtime replaced (auth's Authorization) is listed among its headers instead.
    else if (h.key && next < own.length && own[next]!.key === resolve(h.key)) out.push(own[next++]!);
  }
  return out.concat(own.slice(next));
}

/**
 * Listed headers with the last `system` of them marked as the runtime's, as `pm.request` and Newman's
 * report hold them (`system: true`).
 */
export function markSystem<H extends { key: string; value: string }>(
  headers: H[],
  system: number,
): Array<H & { system?: true }> {
  const own = headers.length - system;
  return headers.map((h, i) => (i >= own ? { ...h, system: true as const } : h));
}

/**
 * The definition of the request actually sent, for `pm.request` in test scripts; `listed`: its headers
 * as `listedHeaders` gave them for `def`.
 */
export function sentRequest(
  def: RequestDefinition,
  result: { sent: PreparedRequest; builtUrl?: string | undefined },
  resolve: (s: string) => string,
  listed: { headers: ListedHeader[]; system: number },
): RequestDefinition {
  const sent = result.sent;
  // The URL sendDefinition built from `def` (an unbuildable one failed the request already; scripts
  // then see the definition).
  const url = result.builtUrl !== undefined ? sentUrl(result.builtUrl) : def.url;
  const body = def.body ? resolveBody(def.body, resolve) : undefined;
  return {
    ...def,
    method: sent.method || resolve(def.method || "GET").toUpperCase(),
    url,
    headers: sent.headers.length
      ? (markSystem(listed.headers, listed.system) as KV[])
      : def.headers.filter((h) => !h.disabled).map((h) => ({ key: resolve(h.key), value: resolve(h.value) })),
    ...(body ? { body } : {}),
  };
}

/**
 * The URL as sent, parsed for the engine and serialised as its text: the prelude parses that text with
 * the same parseRawUrl when a test script builds pm.request (most never do), so a test script's input
 * carries the URL once instead of its five parsed lists (contract.ts PreludeInput). A spread copy is a
 * plain definition (the `toJSON` is not enumerable).
 */
function sentUrl(raw: string): UrlDefinition {
  const url = parseRawUrl(raw);
  Object.defineProperty(url, "toJSON", { value: () => raw });
  return url;
}

export function safeUrl(request: RequestDefinition, scopes: Scopes): string {
  return safeUrlRaw(request, makeResolver(scopes));
}

export function safeCookies(jar: CookieJar, request: RequestDefinition, scopes: Scopes) {
  if (jar.empty) return [];
  try {
    return jar.cookiesFor(safeUrl(request, scopes));
  } catch {
    return [];
  }
}
