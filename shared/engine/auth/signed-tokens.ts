/**
 * JWT and ASAP (Atlassian S2S) bearer tokens as postman-runtime signs them (with `jose`): HS* with the
 * secret, RS*, PS* and ES* with a PKCS#8 private key, all through WebCrypto so the same code runs in
 * workerd and Node. The header is the user's object with `alg` set (no `typ` added), the payload exactly
 * the user's JSON (no `iat` added); ASAP adds its registered claims in jose's order.
 */
import { type AuthContext, addQuery, b64url, dropQuery, enc, hmac, type Req, setHeader } from "./util";

type Hash = "SHA-256" | "SHA-384" | "SHA-512";
const HASH: Record<string, Hash> = { "256": "SHA-256", "384": "SHA-384", "512": "SHA-512" };
const CURVE: Record<string, string> = { "256": "P-256", "384": "P-384", "512": "P-521" };
const ALGORITHMS = /^(HS|RS|PS|ES)(256|384|512)$/;

/** A JSON object, as jose requires of a claims set ("JWT Claims Set MUST be an object" otherwise). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Decodes base64 as Node's Buffer does: lenient, standard or URL-safe alphabet, padding optional. */
function lenientBase64(text: string): Uint8Array {
  const clean = text
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .replace(/[^A-Za-z0-9+/]/g, "");
  const padded = clean + "=".repeat((4 - (clean.length % 4)) % 4);
  const bin = atob(clean.length % 4 === 1 ? padded.slice(0, -3) : padded);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The DER of a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as jose's importPKCS8 takes it. */
export function pkcs8Der(pem: string): Uint8Array {
  const text = pem.trim();
  if (!/^-----BEGIN PRIVATE KEY-----/.test(text))
    throw new TypeError('"pkcs8" must be PKCS#8 formatted string');
  return lenientBase64(text.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, ""));
}

async function importKey(der: Uint8Array, alg: string): Promise<CryptoKey> {
  const [, family, bits] = ALGORITHMS.exec(alg)!;
  const hash = HASH[bits!]!;
  const algorithm =
    family === "RS"
      ? { name: "RSASSA-PKCS1-v1_5", hash }
      : family === "PS"
        ? { name: "RSA-PSS", hash }
        : { name: "ECDSA", namedCurve: CURVE[bits!]! };
  return crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
}

/** `header.payload.signature` (JWS compact) with the given key: ES signatures are raw r‖s, as JWS wants. */
async function signJws(opts: {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  alg: string;
  key: Uint8Array | CryptoKey;
}): Promise<string> {
  const input = `${b64url(enc.encode(JSON.stringify(opts.header)))}.${b64url(enc.encode(JSON.stringify(opts.payload)))}`;
  const [, family, bits] = ALGORITHMS.exec(opts.alg)!;
  const hash = HASH[bits!]!;
  let signature: ArrayBuffer;
  if (family === "HS") signature = await hmac(hash, opts.key as Uint8Array, input);
  else {
    const params =
      family === "RS"
        ? { name: "RSASSA-PKCS1-v1_5" }
        : family === "PS"
          ? { name: "RSA-PSS", saltLength: Number(bits) / 8 }
          : { name: "ECDSA", hash };
    signature = await crypto.subtle.sign(params, opts.key as CryptoKey, enc.encode(input));
  }
  return `${input}.${b64url(signature)}`;
}

/** A JSON object parameter: trimmed text, empty as `empty`; anything else is what JSON.parse says. */
function jsonParam(text: string | undefined, empty: Record<string, unknown> | undefined): unknown {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed ? (JSON.parse(trimmed) as unknown) : empty;
}

/** Postman's JWT auth (postman-runtime's jwt.js): errors say what Newman's console says. */
export async function jwt(req: Req, p: Record<string, string>, _ctx: AuthContext): Promise<Req> {
  const alg = p.algorithm ?? "";
  if (!ALGORITHMS.test(alg)) throw new Error("invalid algorithm");
  const hs = alg.startsWith("HS");
  if (hs && !p.secret) throw new Error("Invalid secret key. Enter a valid key.");
  if (!hs && !p.privateKey) throw new Error("Invalid private key. Enter a valid key.");
  const userHeader = jsonParam(p.header, undefined);
  const header = userHeader ? { ...(userHeader as Record<string, unknown>), alg } : { alg };
  const payload = jsonParam(p.payload, {});
  if (!isObject(payload)) throw new TypeError("JWT Claims Set MUST be an object");
  const key = hs
    ? p.isSecretBase64Encoded === "true"
      ? lenientBase64(p.secret!)
      : enc.encode(p.secret!)
    : await importKey(pkcs8Der(p.privateKey!), alg);
  const token = await signJws({ header, payload, alg, key });
  if (p.addTokenTo === "queryParam") {
    // Newman removes a query parameter of that name and appends the token.
    const name = p.queryParamKey || "token";
    return addQuery(dropQuery(req, new Set([name])), name, token);
  }
  const prefix = p.headerPrefix ?? "Bearer";
  return setHeader(req, "Authorization", prefix ? `${prefix} ${token}` : token);
}

const DATA_URI = /^data:application\/pkcs8;kid=([\w.\-+/]+);base64,([a-zA-Z0-9+/=]+)$/;

/** ASAP's private key: a PEM (newlines removed, quotes and URI encoding undone) or a `data:` URI. */
function asapKey(kid: string, raw: string): Uint8Array {
  const text = decodeURIComponent(raw.replace(/\n/g, "").replace(/^"(.*)"$/, "$1"));
  if (!text.startsWith("data:")) return pkcs8Der(text);
  const m = DATA_URI.exec(text);
  if (!m) throw new Error("Malformed Data URI");
  if (m[1] !== kid) throw new Error("Supplied key id does not match the one included in data uri.");
  return lenientBase64(m[2]!);
}

/** Atlassian's ASAP auth (postman-runtime's asap.js): a short-lived JWT with the registered claims. */
export async function asap(req: Req, p: Record<string, string>, ctx: AuthContext): Promise<Req> {
  let claims: Record<string, unknown> = {};
  try {
    const parsed = jsonParam(p.claims, {});
    if (parsed !== undefined) claims = isObject(parsed) ? parsed : {};
  } catch {
    throw new Error("Failed to parse claims");
  }
  const str = (v: unknown) => (v === undefined || v === null || v === "" ? undefined : v);
  const iss = str(claims.iss) ?? str(p.iss);
  const sub = str(claims.sub) ?? str(p.sub) ?? iss;
  const aud = str(claims.aud) ?? str(p.aud);
  const jti = str(claims.jti) ?? crypto.randomUUID();
  const now = Math.floor(ctx.now() / 1000);
  const iat = str(claims.iat) ?? now;
  const expiry = Number.parseInt(p.exp ?? "", 10) || 3600;
  const exp = Number.parseInt(String(claims.exp ?? ""), 10) || now + expiry;
  const kid = str(claims.kid) ?? str(p.kid);
  const alg = p.alg || "RS256";
  if (!kid || !iss || !aud || !p.privateKey) throw new Error("One or more of required claims missing");
  if (!ALGORITHMS.test(alg) || alg.startsWith("HS")) throw new Error("invalid algorithm");
  let der: Uint8Array;
  try {
    der = asapKey(String(kid), p.privateKey);
  } catch {
    throw new Error("Failed to parse private key.");
  }
  try {
    const key = await importKey(der, alg);
    // jose's setters, in its order: a claim the user gave keeps its place, a new one is appended.
    const payload = { ...claims, iat, iss, sub, jti, aud, exp };
    const token = await signJws({ header: { alg, kid }, payload, alg, key });
    return setHeader(req, "Authorization", `Bearer ${token}`);
  } catch {
    throw new Error("Failed to sign request with key.");
  }
}
