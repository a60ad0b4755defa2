/** Helpers the auth signers share: encodings, WebCrypto HMAC and digests, header and query edits. */

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

export async function sha(hash: "SHA-1" | "SHA-256", data: Uint8Array | string): Promise<ArrayBuffer> {
  return crypto.subtle.digest(hash, typeof data === "string" ? enc.encode(data) : data);
}

export function setHeader(req: Req, key: string, value: string): Req {
  return {
    ...req,
    headers: [...req.headers.filter((h) => h.key.toLowerCase() !== key.toLowerCase()), { key, value }],
  };
}

export function addQuery(req: Req, key: string, value: string): Req {
  const u = new URL(req.url);
  u.searchParams.append(key, value);
  return { ...req, url: u.href };
}
