/** Helpers the auth signers share: encodings, WebCrypto HMAC and digests, header and query edits. */
import { encodeQueryPart } from "../url";

export type Req = {
  method: string;
  url: string;
  headers: Array<{ key: string; value: string }>;
  body?: Uint8Array | string;
};

export interface AuthContext {
  now(): number;
  random(): number;
}

export const enc = new TextEncoder();
export const hex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
export const b64 = (buf: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(buf instanceof Uint8Array ? buf : new Uint8Array(buf))));
export const b64url = (buf: ArrayBuffer | Uint8Array) =>
  b64(buf).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export async function hmac(
  hash: "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512",
  key: Uint8Array | string,
  data: string,
): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    "raw",
    typeof key === "string" ? enc.encode(key) : key,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

export async function sha(
  hash: "SHA-1" | "SHA-256" | "SHA-512",
  data: Uint8Array | string,
): Promise<ArrayBuffer> {
  return crypto.subtle.digest(hash, typeof data === "string" ? enc.encode(data) : data);
}

export function setHeader(req: Req, key: string, value: string): Req {
  return {
    ...req,
    headers: [...req.headers.filter((h) => h.key.toLowerCase() !== key.toLowerCase()), { key, value }],
  };
}

/** Splits a URL at its query and fragment, without re-encoding anything. */
function splitUrl(url: string): { head: string; query: string; hash: string } {
  const h = url.indexOf("#");
  const hash = h >= 0 ? url.slice(h) : "";
  const rest = h >= 0 ? url.slice(0, h) : url;
  const q = rest.indexOf("?");
  return q >= 0
    ? { head: rest.slice(0, q), query: rest.slice(q + 1), hash }
    : { head: rest, query: "", hash };
}

/** Appends `key=value` to the query as Newman does, leaving the rest of the URL's text alone. */
export function addQuery(req: Req, key: string, value: string): Req {
  const { head, query, hash } = splitUrl(req.url);
  const pair = `${encodeQueryPart(key, true)}=${encodeQueryPart(value, false)}`;
  return { ...req, url: `${head}?${query ? `${query}&` : ""}${pair}${hash}` };
}

/** Drops the query parameters with these names (compared decoded), leaving the rest as written. */
export function dropQuery(req: Req, names: ReadonlySet<string>): Req {
  const { head, query, hash } = splitUrl(req.url);
  if (!query) return req;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  const kept = query.split("&").filter((part) => !names.has(decode(part.split("=")[0]!)));
  return { ...req, url: `${head}${kept.length ? `?${kept.join("&")}` : ""}${hash}` };
}

/** RFC 3986 encoding used by OAuth 1.0 signatures. */
export const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function nonce(random: () => number, n = 11): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join("");
}

export function bodyText(body: Req["body"]): string {
  return body === undefined ? "" : typeof body === "string" ? body : new TextDecoder().decode(body);
}
