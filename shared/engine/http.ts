/**
 * The one HTTP path every request takes (collection requests, `pm.sendRequest`, auth round-trips):
 * system headers, cookies, auth, the target policy on every hop, redirects followed by hand with
 * Postman's policy, a per-request timeout, and response capture with a size cap.
 */
import { abortedError, linkSignal } from "./abort";
import { applyAuth, digestChallengeAuth } from "./auth";
import { type CapturedBody, readCapped } from "./body";
import type { CookieJar } from "./cookie-jar";
import type { AuthDefinition, Fetcher, KV, ProtocolProfile, ResponseData, TargetCheck } from "./types";

export interface PreparedRequest {
  method: string;
  url: string;
  headers: Array<{ key: string; value: string }>;
  body?: Uint8Array | string;
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
  jar: CookieJar;
  checkTarget: TargetCheck;
  now(): number;
  random?(): number;
  /** Aborts the in-flight fetch and its body read (cancel, run deadline, script timeout). */
  signal?: AbortSignal | undefined;
}

export interface SendResult {
  response?: ResponseData;
  error?: { name: string; message: string };
  sent: PreparedRequest;
  redirects: Array<{ url: string; code: number }>;
  /** `headersMs`: from sending the last hop to its response headers (time to first byte). */
  timings: { startedAt: number; totalMs: number; headersMs?: number };
  /** Requests sent besides the main one to complete an auth handshake (digest); Newman counts them. */
  authRequests?: number;
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

const REASONS: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  422: "Unprocessable Entity",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  507: "Insufficient Storage",
  511: "Network Authentication Required",
};

export function reasonPhrase(code: number, given?: string): string {
  return given?.trim() || REASONS[code] || "";
}

const has = (headers: PreparedRequest["headers"], name: string) =>
  headers.some((h) => h.key.toLowerCase() === name);
const drop = (headers: PreparedRequest["headers"], name: string) =>
  headers.filter((h) => h.key.toLowerCase() !== name);

/** Adds Postman's system headers unless the user set them or disabled them. */
function withSystemHeaders(
  req: PreparedRequest,
  profile: ProtocolProfile,
  random: () => number,
): PreparedRequest {
  const disabled = profile.disabledSystemHeaders ?? {};
  const headers = [...req.headers];
  const add = (key: string, value: () => string) => {
    if (!disabled[key.toLowerCase()] && !disabled[key] && !has(headers, key.toLowerCase()))
      headers.push({ key, value: value() });
  };
  add("User-Agent", () => USER_AGENT);
  add("Accept", () => "*/*");
  add("Cache-Control", () => "no-cache");
  add("Postman-Token", () => {
    const h = () => Math.floor(random() * 16).toString(16);
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) =>
      c === "x" ? h() : "89ab"[Math.floor(random() * 4)]!,
    );
  });
  add("Accept-Encoding", () => "gzip, deflate, br");
  add("Connection", () => "keep-alive");
  return { ...req, headers };
}

function errorMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const message = e?.message ?? String(err);
  // workerd reports DNS and connect failures as an opaque "internal error; reference = …".
  if (/^internal error/.test(message)) return `host not found or connection failed (${message})`;
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
  let req = withSystemHeaders(input, profile, random);
  const originalHost = safeHost(input.url);
  let digestTried = false;
  let lastHeadersMs: number | undefined;
  const finish = (extra: Partial<SendResult>): SendResult => ({
    sent: req,
    redirects,
    timings: {
      startedAt,
      totalMs: deps.now() - startedAt,
      ...(lastHeadersMs !== undefined ? { headersMs: lastHeadersMs } : {}),
    },
    ...(digestTried ? { authRequests: 1 } : {}),
    ...extra,
  });

  try {
    req = await applyAuth(auth, req, resolve, { now: deps.now, random });
  } catch (err) {
    return finish({ error: { name: "AuthError", message: errorMessage(err) } });
  }

  for (;;) {
    if (deps.signal?.aborted) return finish({ error: abortedError(deps.signal) });
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return finish({ error: { name: "InvalidUrlError", message: `invalid URL '${req.url}'` } });
    }
    const refusal = await deps.checkTarget(url);
    if (refusal) return finish({ error: { name: "TargetPolicyError", message: refusal } });
    let headers = req.headers;
    if (profile.disableCookies !== true) {
      const cookie = deps.jar.headerFor(url.href);
      if (cookie)
        headers = [
          ...drop(headers, "cookie"),
          {
            key: "Cookie",
            value: [headers.find((h) => h.key.toLowerCase() === "cookie")?.value, cookie]
              .filter(Boolean)
              .join("; "),
          },
        ];
    }
    req = { ...req, headers };
    const hop = await fetchHop(url, req, {
      timeoutMs: timeoutMs - (deps.now() - startedAt - queuedMs),
      maxBodyBytes: opts.maxBodyBytes,
      deps,
    });
    queuedMs += hop.queuedMs;
    // A starved event loop can deliver the response before the timer fires: the deadline still decides.
    if (hop.timedOut || (!hop.error && deps.now() - startedAt - queuedMs > timeoutMs))
      return finish({
        error: {
          name: "TimeoutError",
          message: `request to ${url.host} exceeded the timeout of ${timeoutMs} ms`,
        },
      });
    if (hop.error || !hop.res || !hop.captured) return finish({ error: hop.error });
    const { res, captured, t0 } = hop;
    lastHeadersMs = hop.headersMs;
    const responseTime = deps.now() - t0;
    if (profile.disableCookies !== true) deps.jar.storeFromResponse(url.href, res.headers.getSetCookie());

    // Digest: answer the challenge once, with a real round-trip.
    if (res.status === 401 && auth?.type === "digest" && !digestTried) {
      const challenge = res.headers.get("www-authenticate");
      if (challenge?.toLowerCase().startsWith("digest")) {
        digestTried = true;
        req = await digestChallengeAuth(auth, req, challenge, resolve, random);
        continue;
      }
    }

    const location = res.headers.get("location");
    if (follow && location && [301, 302, 303, 307, 308].includes(res.status)) {
      if (redirects.length >= maxRedirects) {
        return finish({
          error: { name: "RedirectError", message: `exceeded the maximum of ${maxRedirects} redirects` },
        });
      }
      redirects.push({ url: url.href, code: res.status });
      const next = new URL(location, url);
      const keepMethod =
        res.status === 307 || res.status === 308 || profile.followOriginalHttpMethod === true;
      let nextHeaders = drop(req.headers, "cookie");
      if (next.host !== originalHost && profile.followAuthorizationHeader !== true)
        nextHeaders = drop(nextHeaders, "authorization");
      if (profile.removeRefererHeaderOnRedirect !== true)
        nextHeaders = [...drop(nextHeaders, "referer"), { key: "Referer", value: url.href }];
      else nextHeaders = drop(nextHeaders, "referer");
      if (keepMethod) req = { ...req, url: next.href, headers: nextHeaders };
      else {
        const method = req.method === "HEAD" ? "HEAD" : "GET";
        const { body: _body, ...rest } = req;
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
    res.headers.forEach((value, key) => {
      if (key === "set-cookie") return;
      responseHeaders.push({ key, value });
    });
    for (const c of res.headers.getSetCookie()) responseHeaders.push({ key: "set-cookie", value: c });
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
  const h = new Headers();
  for (const { key, value } of req.headers) {
    if (key.toLowerCase() === "connection" || key.toLowerCase() === "host") continue;
    try {
      h.append(key, value);
    } catch {
      return { t0, queuedMs: 0, error: { name: "InvalidHeaderError", message: `invalid header '${key}'` } };
    }
  }
  const link = linkSignal([deps.signal], opts.timeoutMs);
  const hooks = {
    onQueue: () => link.restart(),
    onSend: () => {
      t0 = deps.now();
      link.restart(opts.timeoutMs);
    },
  };
  try {
    const res = await deps.fetch(
      new Request(url.href, {
        method: req.method,
        headers: h,
        redirect: "manual",
        signal: link.signal,
        ...(req.body !== undefined && req.method !== "GET" && req.method !== "HEAD"
          ? { body: req.body }
          : {}),
      }),
      hooks,
    );
    const headersAt = deps.now();
    const captured = await readCapped(res, opts.maxBodyBytes, link.signal);
    return { res, captured, t0, headersMs: headersAt - t0, queuedMs: t0 - called };
  } catch (err) {
    const queuedMs = t0 - called;
    if (link.timedOut()) return { t0, queuedMs, timedOut: true };
    if (deps.signal?.aborted) return { t0, queuedMs, error: abortedError(deps.signal) };
    return {
      t0,
      queuedMs,
      error: { name: "RequestError", message: `could not reach ${url.host}: ${errorMessage(err)}` },
    };
  } finally {
    link.dispose();
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}

export type { KV };
