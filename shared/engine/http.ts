/**
 * The one HTTP path every request takes (collection requests, `pm.sendRequest`, auth round-trips):
 * system headers, cookies, auth, the target policy on every hop, redirects followed by hand with
 * Postman's policy, a per-request timeout, and response capture with a size cap.
 */
import { abortedError, linkSignal, type SharedTimer } from "./abort";
import { AuthUnsupported, applyAuth, digestChallengeAuth } from "./auth";
import { type CapturedBody, readCapped } from "./body";
import type { CookieJar } from "./cookie-jar";
import { inflated } from "./inflate";
import {
  invalidProtocol,
  type PlatformError,
  platformFailure,
  redirectLoop,
  SOCKET_TIMEOUT,
} from "./request-error";
import { reasonPhrase } from "./status-reasons";
import type {
  AuthDefinition,
  Fetcher,
  KV,
  ProtocolProfile,
  ResponseData,
  TargetCheck,
  WireRequest,
} from "./types";
import { connectTarget, parsedUrl } from "./url";

/**
 * A header of a prepared request. `system`: the runtime added it (Postman's system headers, auth, the
 * body's type, Cookie, a redirect's Referer), as Newman's report marks it. `implicit`: sent, but not part
 * of the request scripts and reports see (postman-request sets a form body's Content-Type itself).
 */
export interface SentHeader {
  key: string;
  value: string;
  system?: true;
  implicit?: true;
}

export interface PreparedRequest {
  method: string;
  url: string;
  headers: SentHeader[];
  body?: Uint8Array | string;
  /** Under `disableUrlEncoding`, the URL as written when WHATWG's parser changes it (`url` is parsed). */
  written?: string;
}

export interface SendOptions {
  /** Headers and body of all hops together; unset or 0 means DEFAULT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  profile: ProtocolProfile;
  maxBodyBytes: number;
  previewBytes?: number;
  insecure?: boolean;
}

export interface SendDeps {
  fetch: Fetcher;
  /** The fetcher sends `FetchHooks.wire`: what fetch cannot express goes out as Newman sends it. */
  wire?: boolean | undefined;
  jar: CookieJar;
  checkTarget: TargetCheck;
  now(): number;
  random?(): number;
  /** Aborts the in-flight fetch and its body read (cancel, run deadline, script timeout). */
  signal?: AbortSignal | undefined;
  /** The owner's shared timer for request timeouts (else each hop sets a platform timer). */
  timer?: SharedTimer | undefined;
}

export interface SendResult {
  response?: ResponseData;
  error?: { name: string; message: string };
  /**
   * The request as first sent (a digest answer included, a redirect's hops not), as postman-runtime
   * hands it to scripts and reports; the request as prepared when it was never sent.
   */
  sent: PreparedRequest;
  redirects: Array<{ url: string; code: number }>;
  /** `headersMs`: from sending the last hop to its response headers (time to first byte). */
  timings: { startedAt: number; totalMs: number; headersMs?: number };
  /** Requests sent besides the main one to complete an auth handshake (digest); Newman counts them. */
  authRequests?: number;
  /** Console warnings of the send (an auth signer's error, as postman-runtime logs it). */
  warnings?: string[];
}

/**
 * A request that never answers, drips or streams forever must not hold a run: Newman has no default
 * timeout, edgerun applies this one (headers and the whole body, across redirects) unless
 * `timeoutRequest` sets another.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** The timeout a request gets: `timeoutRequest` when positive, else the default (never none). */
export function requestTimeoutMs(timeoutRequest: number | undefined): number {
  return timeoutRequest && timeoutRequest > 0 ? timeoutRequest : DEFAULT_REQUEST_TIMEOUT_MS;
}

/** Upper bound for `protocolProfileBehavior.maxRedirects` (curl's and .NET's default maximum). */
export const MAX_REDIRECTS = 50;

export const USER_AGENT = "PostmanRuntime/7.43.0 edgerun/0.1";

const has = (headers: PreparedRequest["headers"], name: string) =>
  headers.some((h) => h.key.toLowerCase() === name);
const drop = (headers: PreparedRequest["headers"], name: string) =>
  headers.filter((h) => h.key.toLowerCase() !== name);

/** Postman's system headers in postman-runtime's order; `undefined` values are made per request. */
const SYSTEM_HEADERS: ReadonlyArray<readonly [key: string, lower: string, value: string | undefined]> = [
  ["User-Agent", "user-agent", USER_AGENT],
  ["Accept", "accept", "*/*"],
  ["Cache-Control", "cache-control", "no-cache"],
  ["Postman-Token", "postman-token", undefined],
  // Listed as postman-runtime lists it (scripts and reports see it); the platform sets the real one.
  ["Host", "host", undefined],
  ["Accept-Encoding", "accept-encoding", "gzip, deflate, br"],
  ["Connection", "connection", "keep-alive"],
];

/** Adds Postman's system headers unless the user set them or disabled them. */
function withSystemHeaders(
  req: PreparedRequest,
  profile: ProtocolProfile,
  random: () => number,
  host: string,
): PreparedRequest {
  const disabled = profile.disabledSystemHeaders;
  const headers = req.headers.slice();
  // Most requests set none of them: no set of the user's names is needed then.
  const present = headers.length ? new Set(headers.map((h) => h.key.toLowerCase())) : undefined;
  for (const [key, lower, fixed] of SYSTEM_HEADERS) {
    if (present?.has(lower) || (disabled && (disabled[lower] || disabled[key]))) continue;
    const value = fixed ?? (lower === "host" ? host : postmanToken(random));
    if (value) headers.push({ key, value, system: true });
  }
  return { ...req, headers };
}

/** The lower-case names of Postman's system headers (the listed view orders them after the others). */
export const SYSTEM_HEADER_NAMES: ReadonlySet<string> = new Set(SYSTEM_HEADERS.map(([, lower]) => lower));

/** `after` with the headers it does not share with `before` (by identity) marked as added by the runtime. */
function markAdded(before: PreparedRequest, after: PreparedRequest): PreparedRequest {
  if (after.headers === before.headers) return after;
  const kept = new Set(before.headers);
  return {
    ...after,
    headers: after.headers.map((h) => (kept.has(h) || h.system ? h : { ...h, system: true })),
  };
}

const TOKEN_PATTERN = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
const HEX = "0123456789abcdef";

/** A v4-shaped UUID from `random`: each `x` a hex digit, `y` one of 8, 9, a, b (in that order of draws). */
function postmanToken(random: () => number): string {
  let out = "";
  for (let i = 0; i < TOKEN_PATTERN.length; i++) {
    const c = TOKEN_PATTERN[i]!;
    out += c === "x" ? HEX[Math.floor(random() * 16)]! : c === "y" ? "89ab"[Math.floor(random() * 4)]! : c;
  }
  return out;
}

function errorMessage(err: unknown, https = false): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const message = e?.message ?? String(err);
  // workerd reports DNS, TLS and connect failures as an opaque "internal error; reference = …" (a name
  // that did not resolve is Newman's ENOTFOUND already: request-error.ts).
  if (/^internal error/.test(message))
    return `${https ? "TLS handshake or connection failed" : "host not found or connection failed"} (${message})`;
  return `${message}${cause ? ` (${cause})` : ""}`;
}

/** Sends a request (following redirects per profile); never throws. */
export async function send(
  input: PreparedRequest,
  auth: AuthDefinition | undefined,
  resolve: (s: string) => string,
  opts: SendOptions,
  deps: SendDeps,
): Promise<SendResult> {
  const startedAt = deps.now();
  const random = deps.random ?? Math.random;
  const profile = opts.profile;
  const redirects: Array<{ url: string; code: number }> = [];
  const maxRedirects = Math.min(profile.maxRedirects ?? 10, MAX_REDIRECTS);
  const timeoutMs = requestTimeoutMs(opts.timeoutMs);
  /** Time spent waiting for a rate-limit slot: not part of the request timeout. */
  let queuedMs = 0;
  const follow = profile.followRedirects !== false;
  const first = parsedUrl(input.url);
  const originalHost = first?.host ?? "";
  let req = withSystemHeaders(input, profile, random, originalHost);
  const userCookie = input.headers.find((h) => h.key.toLowerCase() === "cookie")?.value;
  let digestTried = false;
  let lastHeadersMs: number | undefined;
  let firstHop: PreparedRequest | undefined;
  const finish = (extra: Partial<SendResult>): SendResult => ({
    sent: firstHop ?? req,
    redirects,
    timings: {
      startedAt,
      totalMs: deps.now() - startedAt,
      ...(lastHeadersMs !== undefined ? { headersMs: lastHeadersMs } : {}),
    },
    ...(digestTried ? { authRequests: 1 } : {}),
    ...(warnings ? { warnings } : {}),
    ...extra,
  });

  let warnings: string[] | undefined;
  try {
    const unsigned = req;
    req = markAdded(unsigned, await applyAuth(auth, unsigned, resolve, { now: deps.now, random }));
  } catch (err) {
    if (err instanceof AuthUnsupported) return finish({ error: { name: err.name, message: err.message } });
    // postman-runtime: a signer's error is a console warning and the request goes out unsigned.
    warnings = [`runtime~${auth?.type}.auth: could not sign the request: ${errorMessage(err)}`];
  }

  for (;;) {
    if (deps.signal?.aborted) return finish({ error: abortedError(deps.signal) });
    // Read-only below (withoutUserinfo copies before changing it), so the first hop reuses `first`.
    const url = req.url === input.url && redirects.length === 0 ? first : parsedUrl(req.url);
    if (!url) return finish({ error: { name: "InvalidUrlError", message: `invalid URL '${req.url}'` } });
    // postman-request has clients for http and https only (a redirect elsewhere fails the same way).
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return finish({ error: invalidProtocol(url.protocol) });
    const refusal = await deps.checkTarget(url);
    if (refusal) return finish({ error: { name: "TargetPolicyError", message: refusal } });
    let headers = req.headers;
    // postman-request: each hop's Cookie is the user's own plus the jar's for that URL; when the jar has
    // none, the previous hop's Cookie header goes on unchanged (so cookies deleted by a redirect's
    // Set-Cookie are still sent to its target, as Newman does).
    if (profile.disableCookies !== true) {
      const cookie = deps.jar.empty ? "" : deps.jar.headerFor(url.href);
      if (cookie)
        headers = [
          ...drop(headers, "cookie"),
          { key: "Cookie", value: [userCookie, cookie].filter(Boolean).join("; "), system: true as const },
        ];
    }
    req = { ...req, headers };
    // postman-runtime hands scripts and reports the request as first sent (a digest answer included),
    // not a redirect's hop.
    if (redirects.length === 0) firstHop = req;
    const hop = await fetchHop(url, req, {
      timeoutMs: timeoutMs - (deps.now() - startedAt - queuedMs),
      maxBodyBytes: opts.maxBodyBytes,
      deps,
    });
    queuedMs += hop.queuedMs;
    // A starved event loop can deliver the response before the timer fires: the deadline still decides.
    // The user's timeout fails as Newman's does; edgerun's default (Newman has none) says so.
    if (hop.timedOut || (!hop.error && deps.now() - startedAt - queuedMs > timeoutMs))
      return finish({
        error: opts.timeoutMs
          ? SOCKET_TIMEOUT
          : {
              name: "TimeoutError",
              message: `request to ${url.host} exceeded the timeout of ${timeoutMs} ms`,
            },
      });
    if (hop.error || !hop.res || !hop.captured) return finish({ error: hop.error });
    const { res, captured, t0 } = hop;
    lastHeadersMs = hop.headersMs;
    const responseTime = deps.now() - t0;
    const resHeaders = res.headers;
    const setCookies = resHeaders.getSetCookie();
    if (profile.disableCookies !== true && setCookies.length)
      deps.jar.storeFromResponse(url.href, setCookies);

    // Digest: answer the challenge once, with a real round-trip.
    if (res.status === 401 && auth?.type === "digest" && !digestTried) {
      const challenge = resHeaders.get("www-authenticate");
      if (challenge?.toLowerCase().startsWith("digest")) {
        digestTried = true;
        const unsigned = req;
        req = markAdded(unsigned, await digestChallengeAuth(auth, unsigned, challenge, resolve, random));
        continue;
      }
    }

    const location = resHeaders.get("location");
    if (follow && location && [301, 302, 303, 307, 308].includes(res.status)) {
      if (redirects.length >= maxRedirects) {
        // Newman's words for the profile's own maximum; edgerun's cap on a larger one is edgerun's limit.
        const capped = (profile.maxRedirects ?? 10) > MAX_REDIRECTS;
        return finish({
          error: capped
            ? { name: "RedirectError", message: `exceeded the maximum of ${maxRedirects} redirects` }
            : redirectLoop(url.href),
        });
      }
      redirects.push({ url: url.href, code: res.status });
      const next = new URL(location, url);
      const keepMethod =
        res.status === 307 || res.status === 308 || profile.followOriginalHttpMethod === true;
      let nextHeaders = req.headers;
      if (has(nextHeaders, "host"))
        nextHeaders = [
          ...drop(nextHeaders, "host"),
          { key: "Host", value: next.host, system: true as const },
        ];
      if (next.host !== originalHost && profile.followAuthorizationHeader !== true)
        nextHeaders = drop(nextHeaders, "authorization");
      // postman-request: each hop sets Referer to the previous URL unless removeRefererHeaderOnRedirect,
      // which leaves the headers as they were (a user's own Referer goes on unchanged).
      if (profile.removeRefererHeaderOnRedirect !== true)
        nextHeaders = [
          ...drop(nextHeaders, "referer"),
          { key: "Referer", value: url.href, system: true as const },
        ];
      if (keepMethod) req = { ...req, url: next.href, headers: nextHeaders, written: undefined };
      else {
        const method = req.method === "HEAD" ? "HEAD" : "GET";
        const { body: _body, written: _written, ...rest } = req;
        req = {
          ...rest,
          method,
          url: next.href,
          headers: drop(drop(nextHeaders, "content-type"), "content-length"),
        };
      }
      continue;
    }

    const responseHeaders: Array<{ key: string; value: string }> = [];
    resHeaders.forEach((value, key) => {
      if (key === "set-cookie") return;
      responseHeaders.push({ key, value });
    });
    for (const c of setCookies) responseHeaders.push({ key: "set-cookie", value: c });
    return finish({
      response: {
        code: res.status,
        status: reasonPhrase(res.status, res.statusText),
        headers: responseHeaders,
        body: captured.body,
        responseSize: captured.size,
        responseTime,
        ...(captured.truncated ? { truncated: true } : {}),
      },
    });
  }
}

interface Hop {
  res?: Response;
  captured?: CapturedBody;
  /** When the request left (after any rate-limit queueing). */
  t0: number;
  /** From t0 to the response headers. */
  headersMs?: number;
  queuedMs: number;
  timedOut?: boolean;
  error?: { name: string; message: string };
}

/**
 * One fetch and its body read under one signal: the remaining request timeout and the caller's signal
 * (cancel, run deadline, script timeout) both abort the fetch *and* the body read.
 */
async function fetchHop(
  url: URL,
  req: PreparedRequest,
  opts: { timeoutMs: number; maxBodyBytes: number; deps: SendDeps },
): Promise<Hop> {
  const { deps } = opts;
  const called = deps.now();
  let t0 = called;
  // Appended one by one into a Headers object: in workerd that is about half the cost of handing the
  // Request an array of pairs (measured: 6 vs 11 µs for the engine's headers), and it names a bad header.
  const h = new Headers();
  for (const { key, value } of req.headers) {
    const lower = key.toLowerCase();
    if (lower === "connection" || lower === "host") continue;
    try {
      h.append(key, value);
    } catch {
      return { t0, queuedMs: 0, error: { name: "InvalidHeaderError", message: `invalid header '${key}'` } };
    }
  }
  const target = withoutUserinfo(url, h);
  let afterHeaders = false;
  const link = linkSignal([deps.signal], opts.timeoutMs, { timer: deps.timer });
  const hooks = {
    onQueue: () => link.restart(),
    onSend: () => {
      t0 = deps.now();
      link.restart(opts.timeoutMs);
    },
  };
  try {
    const wire = deps.wire ? wireFor(req, url) : undefined;
    const request = new Request(target, {
      method: wire ? "GET" : req.method,
      headers: h,
      redirect: "manual",
      signal: link.signal,
      ...(!wire && req.body !== undefined && req.method !== "GET" && req.method !== "HEAD"
        ? { body: req.body }
        : {}),
    });
    if (wire) wire.names = req.headers.map((x) => x.key);
    const res = await deps.fetch(request, wire ? { ...hooks, wire } : hooks);
    const headersAt = deps.now();
    afterHeaders = true;
    const captured = await readCapped(inflated(res), opts.maxBodyBytes, link.signal);
    return { res, captured, t0, headersMs: headersAt - t0, queuedMs: t0 - called };
  } catch (err) {
    const queuedMs = t0 - called;
    if (link.timedOut()) return { t0, queuedMs, timedOut: true };
    if (deps.signal?.aborted) return { t0, queuedMs, error: abortedError(deps.signal) };
    // workerd's fetch takes only the standard methods (Newman sends any token, e.g. `POSTMAN`).
    if (/invalid HTTP method/i.test(String((err as Error)?.message)))
      return {
        t0,
        queuedMs,
        error: {
          name: "InvalidRequestError",
          message: `the platform's fetch cannot send the HTTP method '${req.method}' (standard methods only)`,
        },
      };
    const at = { ...connectTarget(url), afterHeaders };
    const error = platformFailure(platformError(err), at) ?? {
      name: "RequestError",
      message: `could not reach ${url.host}: ${errorMessage(err, url.protocol === "https:")}`,
    };
    return { t0, queuedMs, error };
  } finally {
    link.dispose();
  }
}

/** What a platform's fetch threw, whatever it threw. */
function platformError(err: unknown): PlatformError {
  const e = err as { message?: unknown; cause?: PlatformError["cause"] } | null | undefined;
  const cause = e?.cause !== null && typeof e?.cause === "object" ? e.cause : undefined;
  return { message: String(e?.message ?? err), cause };
}

const fetchMethods = new Map<string, boolean>();

/** Whether the platform's Request takes this method (workerd knows a fixed list; Newman sends any token). */
function fetchTakesMethod(method: string): boolean {
  let ok = fetchMethods.get(method);
  if (ok === undefined) {
    try {
      new Request("http://edgerun.invalid/", { method });
      ok = true;
    } catch {
      ok = false;
    }
    if (fetchMethods.size < 64) fetchMethods.set(method, ok);
  }
  return ok;
}

/**
 * What a Request cannot carry, for a fetcher that sends it itself: a body on GET/HEAD, an unknown
 * method, or under `disableUrlEncoding` (`req.written`) a path the URL parser would change (`/./`
 * removed, `"<>` encoded), which Newman sends as written. Without the option a parsed path goes
 * through fetch as before: the socket cannot reach targets behind Cloudflare's own network.
 */
function wireFor(req: PreparedRequest, url: URL): WireRequest | undefined {
  const bodied = req.body !== undefined && req.body.length > 0;
  const target = req.written !== undefined ? rawTarget(req.written, url) : undefined;
  const body = bodied ? { body: req.body } : {};
  const path = target ? { target } : {};
  if ((req.method === "GET" || req.method === "HEAD") && bodied)
    return { method: req.method, ...body, ...path };
  if (fetchTakesMethod(req.method) && !target) return undefined;
  return { method: req.method, ...body, ...path };
}

const AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*/i;

/**
 * The request target as written in the URL text, when the parser's differs: path and query up to any
 * fragment. Only printable ASCII qualifies (Node refuses anything else in a path; fetch's encoding
 * is then the better answer), and only for http(s).
 */
function rawTarget(text: string, url: URL): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  const authority = AUTHORITY.exec(text);
  if (!authority) return undefined;
  let rest = text.slice(authority[0].length);
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  if (rest === "" || rest[0] === "?") rest = `/${rest}`;
  if (rest === url.pathname + url.search || !/^[\x21-\x7e]+$/.test(rest)) return undefined;
  return rest;
}

/**
 * `http://user:pass@host/`: postman-request sends the credentials as `Authorization: Basic` (decoded,
 * unless the request has its own Authorization) and never in the URL, which fetch refuses or drops.
 */
function withoutUserinfo(url: URL, headers: Headers): string {
  if (!url.username && !url.password) return url.href;
  if (!headers.has("authorization")) {
    const pair = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
    const bytes = new TextEncoder().encode(pair);
    headers.set("Authorization", `Basic ${btoa(String.fromCharCode(...bytes))}`);
  }
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  return bare.href;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export type { KV };
