/**
 * OAuth 1.0a as postman-runtime signs it (node-oauth1): nothing is signed without a consumer key and
 * secret (a private key for RSA), empty parameters stay out unless `addEmptyParamsToSign`, `oauth_version`
 * only when set, the signature parameters in its order (consumer key, token, method, timestamp, nonce,
 * version, body hash, callback, verifier, signature), HMAC-SHA1/256/512, RSA-SHA1/256/512 or PLAINTEXT,
 * and `oauth_body_hash` under `includeBodyHash` for bodies that are not form-encoded.
 */
import { pkcs8Der } from "./signed-tokens";
import {
  type AuthContext,
  addQuery,
  b64,
  bodyText,
  dropQuery,
  enc,
  hmac,
  nonce,
  type Req,
  rfc3986,
  setHeader,
  sha,
} from "./util";

type Hash = "SHA-1" | "SHA-256" | "SHA-512";
const HASHES: Record<string, Hash> = { SHA1: "SHA-1", SHA256: "SHA-256", SHA512: "SHA-512" };

async function rsaSign(privateKey: string, hash: Hash, data: string): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey(
    "pkcs8",
    pkcs8Der(privateKey),
    { name: "RSASSA-PKCS1-v1_5", hash },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, enc.encode(data));
}

/** Signs `req` (see the module comment); answers it unchanged when the required keys are missing. */
export async function oauth1(req: Req, input: Record<string, string>, ctx: AuthContext): Promise<Req> {
  const method = (input.signatureMethod || "HMAC-SHA1").toUpperCase();
  const [algo = "", hashName = ""] = method.split("-");
  const rsa = algo === "RSA";
  if (!input.consumerKey || (!rsa && !input.consumerSecret) || (rsa && !input.privateKey)) return req;
  const keepEmpty = input.addEmptyParamsToSign === "true";
  const p: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) if (keepEmpty || v.trim() !== "") p[k] = v;
  p.nonce ||= nonce(ctx.random);
  p.timestamp ||= String(Math.floor(ctx.now() / 1000));
  const ctype = req.headers.find((h) => h.key.toLowerCase() === "content-type")?.value ?? "";
  const form = ctype.includes("application/x-www-form-urlencoded");
  const hash = HASHES[hashName];
  const bodyHash =
    !form && p.includeBodyHash === "true" && hash
      ? b64(
          await sha(
            hash,
            typeof req.body === "string" || req.body === undefined ? (req.body ?? "") : req.body,
          ),
        )
      : undefined;
  const oauth: Array<[string, string | undefined]> = [
    ["oauth_consumer_key", p.consumerKey],
    ["oauth_token", p.token],
    ["oauth_signature_method", p.signatureMethod ? method : undefined],
    ["oauth_timestamp", p.timestamp],
    ["oauth_nonce", p.nonce],
    ["oauth_version", p.version],
  ];
  if (bodyHash) oauth.push(["oauth_body_hash", bodyHash]);
  if (p.callback) oauth.push(["oauth_callback", p.callback]);
  if (p.verifier) oauth.push(["oauth_verifier", p.verifier]);
  const signed = oauth.filter((e): e is [string, string] => (keepEmpty ? e[1] !== undefined : Boolean(e[1])));
  // Without a query of its own oauth_* names a request already has are dropped (Newman removes them).
  const u = new URL(req.url);
  for (const [k] of oauth) u.searchParams.delete(k);
  const params: Array<[string, string]> = [...u.searchParams.entries(), ...signed];
  if (form) params.push(...new URLSearchParams(bodyText(req.body)).entries());
  const normalized = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const baseUrl = `${u.protocol}//${u.host.toLowerCase()}${u.pathname}`;
  const base = [req.method.toUpperCase(), rfc3986(baseUrl), rfc3986(normalized)].join("&");
  const key = `${rfc3986(input.consumerSecret ?? "")}&${rfc3986(input.tokenSecret ?? "")}`;
  const signature =
    method === "PLAINTEXT"
      ? key
      : rsa
        ? b64(await rsaSign(p.privateKey!, hash ?? "SHA-1", base))
        : b64(await hmac(hash ?? "SHA-1", key, base));
  signed.push(["oauth_signature", signature]);
  if (p.addParamsToHeader !== "true") {
    // Newman's order of preference: the header, a form body (POST/PUT), else the query.
    if (form && /PUT|POST/.test(req.method)) {
      const text = bodyText(req.body);
      const extra = signed.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
      return { ...req, body: text ? `${text}&${extra}` : extra };
    }
    // RFC 3986-encoded, as Newman adds them (addQuery keeps the `%`s).
    let out = dropQuery(req, new Set(oauth.map(([k]) => k)));
    for (const [k, v] of signed) out = addQuery(out, rfc3986(k), rfc3986(v));
    return out;
  }
  const raw = input.disableHeaderEncoding === "true";
  const encode = (s: string) => (raw ? s : rfc3986(s));
  const parts = [
    ...(input.realm?.trim() ? [`realm="${encode(input.realm)}"`] : []),
    ...signed.filter(([, v]) => v).map(([k, v]) => `${encode(k)}="${encode(v.trim())}"`),
  ];
  return setHeader(req, "Authorization", `OAuth ${parts.join(",")}`);
}
