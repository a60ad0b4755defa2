/**
 * Request authorization for every Postman auth type, applied after variable resolution and before
 * sending. Signatures use WebCrypto (HMAC, SHA) so the same code runs in workerd and Node.
 */
import type { AuthDefinition, JsonValue } from "../types";
import { connectTarget } from "../url";
import { edgegrid } from "./edgegrid";
import { md5Hex } from "./md5";
import { oauth1 } from "./oauth1";
import { asap, jwt } from "./signed-tokens";
import {
  type AuthContext,
  addQuery,
  b64,
  enc,
  hex,
  hmac,
  nonce,
  type Req,
  rfc3986,
  setHeader,
  sha,
} from "./util";

export type { AuthContext } from "./util";

/** Reads `auth[auth.type]` params as a resolved string map. */
export function authParams(auth: AuthDefinition, resolve: (s: string) => string): Record<string, string> {
  const list = auth[auth.type];
  const out: Record<string, string> = {};
  if (Array.isArray(list)) {
    for (const p of list) {
      const v: JsonValue = p.value;
      out[p.key] =
        typeof v === "string"
          ? resolve(v)
          : v === null || v === undefined
            ? ""
            : typeof v === "object"
              ? JSON.stringify(v)
              : String(v);
    }
  }
  return out;
}

export async function applyAuth(
  auth: AuthDefinition | undefined,
  req: Req,
  resolve: (s: string) => string,
  ctx: AuthContext,
): Promise<Req> {
  if (!auth || auth.type === "noauth" || auth.type === "inherit") return req;
  const p = authParams(auth, resolve);
  switch (auth.type) {
    case "basic":
      return setHeader(
        req,
        "Authorization",
        `Basic ${b64(enc.encode(`${p.username ?? ""}:${p.password ?? ""}`))}`,
      );
    case "bearer":
      return p.token ? setHeader(req, "Authorization", `Bearer ${p.token}`) : req;
    case "apikey": {
      if (!p.key) return req;
      return p.in === "query" ? addQuery(req, p.key, p.value ?? "") : setHeader(req, p.key, p.value ?? "");
    }
    case "oauth2": {
      const token = p.accessToken ?? "";
      if (!token) return req;
      if (p.addTokenTo === "queryParams") return addQuery(req, "access_token", token);
      return setHeader(req, "Authorization", `${p.headerPrefix ?? "Bearer"} ${token}`.trim());
    }
    case "digest":
      // Preconfigured realm/nonce: sign now; otherwise http.ts answers the server's challenge.
      return p.realm && p.nonce ? digestHeader(req, p, ctx.random) : req;
    case "awsv4":
      return awsV4(req, p, ctx);
    case "oauth1":
      return oauth1(req, p, ctx);
    case "hawk":
      return hawk(req, p, ctx);
    case "jwt":
      return jwt(req, p, ctx);
    case "edgegrid":
      return edgegrid(req, p, ctx);
    case "asap":
      return asap(req, p, ctx);
    case "ntlm":
      // postman-runtime sends the first request without Authorization (its signer removes the user's)
      // and answers the server's challenge in http.ts (ntlm.ts).
      return { ...req, headers: req.headers.filter((h) => h.key.toLowerCase() !== "authorization") };
    default:
      // Newman sends a request whose auth type it has no handler for without auth, and says nothing.
      return req;
  }
}

/**
 * `disableRetryRequest` (Postman's "disable retrying the request"): no digest or NTLM handshake. Postman
 * writes it as a boolean, which authParams turns into text.
 */
export function retryDisabled(auth: AuthDefinition): boolean {
  const param = auth[auth.type];
  if (!Array.isArray(param)) return false;
  const value = param.find((p) => p.key === "disableRetryRequest")?.value;
  return value !== undefined && value !== null && value !== false && value !== "" && value !== 0;
}

/** Builds the Digest Authorization header from a server challenge (RFC 7616: MD5, MD5-sess, SHA-256). */
export async function digestChallengeAuth(
  auth: AuthDefinition,
  req: Req,
  challenge: string,
  resolve: (s: string) => string,
  random: () => number,
): Promise<Req> {
  const fields = Object.fromEntries(
    [...challenge.slice(6).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [
      m[1]!.toLowerCase(),
      m[2] ?? m[3] ?? "",
    ]),
  );
  const p = { ...authParams(auth, resolve), ...fields } as Record<string, string>;
  return digestHeader(req, p, random);
}

async function digestHeader(req: Req, p: Record<string, string>, random: () => number): Promise<Req> {
  const algorithm = (p.algorithm ?? "MD5").toUpperCase();
  const h = async (s: string) => (algorithm.startsWith("SHA-256") ? hex(await sha("SHA-256", s)) : md5Hex(s));
  const u = new URL(req.url);
  const uri = u.pathname + u.search;
  const qop = p.qop
    ? p.qop
        .split(",")
        .map((q) => q.trim())
        .includes("auth")
      ? "auth"
      : p.qop.split(",")[0]!.trim()
    : "";
  const nc = p.nonceCount || "00000001";
  const cnonce = p.clientNonce || nonce(random, 16);
  let ha1 = await h(`${p.username ?? ""}:${p.realm ?? ""}:${p.password ?? ""}`);
  if (algorithm.endsWith("-SESS")) ha1 = await h(`${ha1}:${p.nonce}:${cnonce}`);
  const ha2 = await h(`${req.method}:${uri}`);
  const response = qop
    ? await h(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : await h(`${ha1}:${p.nonce}:${ha2}`);
  const parts = [
    `username="${p.username ?? ""}"`,
    `realm="${p.realm ?? ""}"`,
    `nonce="${p.nonce ?? ""}"`,
    `uri="${uri}"`,
    `algorithm="${p.algorithm ?? "MD5"}"`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  parts.push(`response="${response}"`);
  if (p.opaque) parts.push(`opaque="${p.opaque}"`);
  return setHeader(req, "Authorization", `Digest ${parts.join(", ")}`);
}

async function awsV4(req: Req, p: Record<string, string>, ctx: AuthContext): Promise<Req> {
  const u = new URL(req.url);
  const region = p.region || "us-east-1";
  const service = p.service || "execute-api";
  const amzDate = new Date(ctx.now()).toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = hex(await sha("SHA-256", typeof req.body === "string" ? req.body : (req.body ?? "")));
  // As postman-runtime: the payload's hash is a header when there is a body (form-data aside).
  let out = setHeader(req, "X-Amz-Date", amzDate);
  const ctype = req.headers.find((h) => h.key.toLowerCase() === "content-type")?.value ?? "";
  const bodied = req.body !== undefined && req.body.length > 0;
  if ((bodied && !/multipart\/form-data/i.test(ctype)) || service === "s3")
    out = setHeader(out, "X-Amz-Content-Sha256", payloadHash);
  if (p.sessionToken) out = setHeader(out, "X-Amz-Security-Token", p.sessionToken);
  const signed = new Map<string, string>([["host", u.host]]);
  for (const hdr of out.headers) {
    const k = hdr.key.toLowerCase();
    if (k.startsWith("x-amz-") || k === "content-type") signed.set(k, hdr.value.trim().replace(/\s+/g, " "));
  }
  const names = [...signed.keys()].sort();
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const path =
    u.pathname
      .split("/")
      .map((s) => rfc3986(decodeURIComponent(s)))
      .join("/") || "/";
  const canonical = [
    req.method,
    path,
    query,
    names.map((n) => `${n}:${signed.get(n)}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(await sha("SHA-256", canonical))].join("\n");
  let key: Uint8Array = new Uint8Array(await hmac("SHA-256", `AWS4${p.secretKey ?? ""}`, day));
  for (const part of [region, service, "aws4_request"])
    key = new Uint8Array(await hmac("SHA-256", key, part));
  const signature = hex(await hmac("SHA-256", key, toSign));
  return setHeader(
    out,
    "Authorization",
    `AWS4-HMAC-SHA256 Credential=${p.accessKey ?? ""}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  );
}

async function hawk(req: Req, p: Record<string, string>, ctx: AuthContext): Promise<Req> {
  const u = new URL(req.url);
  const ts = p.timestamp || String(Math.floor(ctx.now() / 1000));
  const n = p.nonce || nonce(ctx.random, 6);
  const algo = (p.algorithm || "sha256").toLowerCase() === "sha1" ? "SHA-1" : "SHA-256";
  const port = String(connectTarget(u).port);
  // Hawk's normalized string: one line per field, then `app` and `dlg` lines when an app is named.
  const lines = [
    "hawk.1.header",
    ts,
    n,
    req.method.toUpperCase(),
    u.pathname + u.search,
    u.hostname.toLowerCase(),
    port,
    "", // payload hash: not computed
    p.extraData ?? "",
  ];
  let normalized = `${lines.join("\n")}\n`;
  if (p.app) normalized += `${p.app}\n${p.delegation ?? ""}\n`;
  const mac = b64(await hmac(algo, p.authKey ?? "", normalized));
  const attrs = [
    `id="${p.authId ?? ""}"`,
    `ts="${ts}"`,
    `nonce="${n}"`,
    ...(p.extraData ? [`ext="${p.extraData}"`] : []),
    `mac="${mac}"`,
    ...(p.app ? [`app="${p.app}"`] : []),
  ];
  return setHeader(req, "Authorization", `Hawk ${attrs.join(", ")}`);
}
