/**
 * Akamai EdgeGrid (EG1-HMAC-SHA256) as postman-runtime's edgegrid.js signs it: the signing key is the
 * HMAC of the timestamp under the client secret, the signed data the method, scheme, host (or
 * `baseURL`'s), path with query, the listed headers canonicalised, a POST body's SHA-256 (up to
 * `maxBodySize`, default 128 KiB; form-data bodies are not hashed there either) and the header itself.
 */
import { type AuthContext, b64, enc, hmac, type Req, setHeader, sha } from "./util";

const pad = (n: number) => String(n).padStart(2, "0");

/** `20260101T12:00:00+0000`: EdgeGrid's timestamp format. */
function timestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+0000`;
}

function canonicalHeaders(names: string[], headers: Req["headers"]): string {
  const values = new Map<string, string>();
  for (const h of headers) if (!values.has(h.key.toLowerCase())) values.set(h.key.toLowerCase(), h.value);
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    const value = values.get(name);
    if (value) out.push(`${name}:${value.trim().replace(/\s+/g, " ")}`);
  }
  return out.join("\t");
}

/** `headersToSign`: comma-separated text, or a list (which reaches here as its JSON). */
function headerNames(value: string | undefined): string[] {
  if (!value) return [];
  if (value.startsWith("[")) {
    try {
      const list = JSON.parse(value) as unknown;
      if (Array.isArray(list)) return list.filter((x): x is string => typeof x === "string");
    } catch {
      // not JSON: a plain list of names
    }
  }
  return value.split(",");
}

async function bodyHash(req: Req, maxBodySize: number): Promise<string> {
  if (req.method !== "POST" || req.body === undefined || maxBodySize <= 0) return "";
  const type = req.headers.find((h) => h.key.toLowerCase() === "content-type")?.value ?? "";
  if (/multipart\/form-data/i.test(type)) return "";
  const bytes = typeof req.body === "string" ? enc.encode(req.body) : req.body;
  if (!bytes.byteLength) return "";
  return b64(await sha("SHA-256", bytes.subarray(0, maxBodySize)));
}

/** Signs `req` when the three tokens are set (else leaves it alone, as postman-runtime does). */
export async function edgegrid(req: Req, p: Record<string, string>, ctx: AuthContext): Promise<Req> {
  if (!(p.accessToken && p.clientToken && p.clientSecret)) return req;
  const url = new URL(req.url);
  const ts = p.timestamp || timestamp(ctx.now());
  const nonce = p.nonce || crypto.randomUUID();
  const base = p.baseURL
    ? new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(p.baseURL) ? p.baseURL : `http://${p.baseURL}`).host
    : "";
  const maxBodySize = Number(p.maxBodySize) || 131072;
  const header = `EG1-HMAC-SHA256 client_token=${p.clientToken};access_token=${p.accessToken};timestamp=${ts};nonce=${nonce};`;
  const headers = req.headers.filter((h) => h.key.toLowerCase() !== "authorization");
  const data = [
    req.method,
    url.protocol.replace(/:$/, ""),
    base || url.host,
    url.pathname + url.search || "/",
    canonicalHeaders(headerNames(p.headersToSign), headers),
    await bodyHash(req, maxBodySize),
    header,
  ].join("\t");
  const signingKey = b64(await hmac("SHA-256", p.clientSecret, ts));
  const signature = b64(await hmac("SHA-256", signingKey, data));
  return setHeader({ ...req, headers }, "Authorization", `${header}signature=${signature}`);
}
