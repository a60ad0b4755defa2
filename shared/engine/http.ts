/**
 * The one HTTP path every request takes (collection requests, `pm.sendRequest`, auth round-trips):
 * system headers, cookies, auth, the target policy on every hop, redirects followed by hand with
 * Postman's policy, a per-request timeout, and response capture with a size cap.
 */
import { abortedError, type SharedTimer } from "./abort";
import { applyAuth, authParams, digestChallengeAuth, retryDisabled } from "./auth";
import { type NtlmStage, ntlmStep } from "./auth/ntlm";
import { setHeader } from "./auth/util";
import type { CapturedBody } from "./body";
import type { CookieJar } from "./cookie-jar";
import { errorMessage, fetchHop } from "./fetch-hop";
import { invalidProtocol, redirectLoop, SOCKET_TIMEOUT } from "./request-error";
import { reasonPhrase } from "./status-reasons";
import { dropHeader, hasHeader, markAdded, withSystemHeaders } from "./system-headers";
import type { AuthDefinition, Fetcher, KV, ProtocolProfile, ResponseData, TargetCheck } from "./types";
import { parsedUrl } from "./url";

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
  /** Requests sent besides the main one to complete an auth handshake (digest, NTLM); Newman counts them. */
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
  let ntlmStage: NtlmStage = "initial";
  let authRequests = 0;
  let lastHeadersMs: number | undefined;
  let firstHop: PreparedRequest | undefined;
  let warnings: string[] | undefined;
  const finish = (extra: Partial<SendResult>): SendResult => ({
    sent: firstHop ?? req,
    redirects,
    timings: {
      startedAt,
      totalMs: deps.now() - startedAt,
      ...(lastHeadersMs !== undefined ? { headersMs: lastHeadersMs } : {}),
    },
    ...(authRequests ? { authRequests } : {}),
    ...(warnings ? { warnings } : {}),
    ...extra,
  });

  try {
    const unsigned = req;
    req = markAdded(unsigned, await applyAuth(auth, unsigned, resolve, { now: deps.now, random }));
  } catch (err) {
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
    req = withJarCookie(req, url, { jar: deps.jar, userCookie, profile });
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
    if (hop.timedOut || (!hop.error && deps.now() - startedAt - queuedMs > timeoutMs))
      return finish({ error: timeoutError(opts.timeoutMs, timeoutMs, url.host) });
    if (hop.error || !hop.res || !hop.captured) return finish({ error: hop.error });
    const { res, captured, t0 } = hop;
    lastHeadersMs = hop.headersMs;
    const responseTime = deps.now() - t0;
    const resHeaders = res.headers;
    const setCookies = resHeaders.getSetCookie();
    if (profile.disableCookies !== true && setCookies.length)
      deps.jar.storeFromResponse(url.href, setCookies);

    // Digest: answer the challenge once, with a real round-trip.
    if (res.status === 401 && auth?.type === "digest" && !digestTried && !retryDisabled(auth)) {
      const challenge = resHeaders.get("www-authenticate");
      if (challenge?.toLowerCase().startsWith("digest")) {
        digestTried = true;
        authRequests++;
        const unsigned = req;
        req = markAdded(unsigned, await digestChallengeAuth(auth, unsigned, challenge, resolve, random));
        continue;
      }
    }

    const location = resHeaders.get("location");
    if (follow && location && REDIRECT_CODES.has(res.status)) {
      if (redirects.length >= maxRedirects) {
        // Newman's words for the profile's own maximum; edgerun's cap on a larger one is edgerun's limit.
        const capped = (profile.maxRedirects ?? 10) > MAX_REDIRECTS;
        return finish({
          error: capped
            ? { name: "RedirectError", message: `exceeded the maximum of ${maxRedirects} redirects` }
            : redirectLoop(url.href),
        });
      }
      // A target's Location that is no URL fails this request, not the run.
      const to = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
      if (!to) return finish({ error: badLocation(location) });
      redirects.push({ url: url.href, code: res.status });
      req = redirected(req, { from: url, to, status: res.status, profile, originalHost });
      continue;
    }
    if (auth?.type === "ntlm" && !retryDisabled(auth)) {
      // postman-runtime's NTLM handshake: each step replays the request with the next message.
      const step = ntlmStep({
        params: authParams(auth, resolve),
        stage: ntlmStage,
        status: res.status,
        wwwAuthenticate: resHeaders.get("www-authenticate"),
      });
      if ("authorization" in step) {
        ntlmStage = ntlmStage === "initial" ? "negotiated" : "authenticated";
        authRequests++;
        req = markAdded(req, setHeader(req, "Authorization", step.authorization));
        // NTLM authenticates the connection: one turn of the event loop lets the client put the one
        // that answered back in its pool (Node's fetch does so after the body's end is read), so the
        // next message goes out on it.
        await new Promise((resolve) => setTimeout(resolve, 0));
        continue;
      }
      if ("warning" in step) warnings = [...(warnings ?? []), step.warning];
    }
    return finish({ response: responseData(res, captured, { setCookies, responseTime }) });
  }
}

const REDIRECT_CODES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A redirect whose Location does not parse (Newman fails it with whatever Node's resolver made of it). */
function badLocation(location: string): { name: string; message: string } {
  const shown = location.length > 200 ? `${location.slice(0, 200)}…` : location;
  return { name: "RedirectError", message: `the redirect's Location '${shown}' is not a valid URL` };
}

/**
 * The user's timeout fails as Newman's does (a socket timeout); edgerun's default (Newman has none)
 * says what it is.
 */
function timeoutError(
  own: number | undefined,
  timeoutMs: number,
  host: string,
): { name: string; message: string } {
  return own
    ? SOCKET_TIMEOUT
    : { name: "TimeoutError", message: `request to ${host} exceeded the timeout of ${timeoutMs} ms` };
}

/**
 * postman-request: each hop's Cookie is the user's own plus the jar's for that URL; when the jar has
 * none, the previous hop's Cookie header goes on unchanged (so cookies deleted by a redirect's
 * Set-Cookie are still sent to its target, as Newman does).
 */
function withJarCookie(
  req: PreparedRequest,
  url: URL,
  opts: { jar: CookieJar; userCookie: string | undefined; profile: ProtocolProfile },
): PreparedRequest {
  if (opts.profile.disableCookies === true) return { ...req };
  const cookie = opts.jar.empty ? "" : opts.jar.headerFor(url.href);
  if (!cookie) return { ...req };
  const value = [opts.userCookie, cookie].filter(Boolean).join("; ");
  return { ...req, headers: [...dropHeader(req.headers, "cookie"), { key: "Cookie", value, system: true }] };
}

/**
 * The next hop of a redirect, with Postman's policy: 307/308 (or `followOriginalHttpMethod`) keep the
 * method and body, the others become GET (HEAD stays HEAD) without the body's headers; Host follows
 * the target, Authorization is dropped for another host unless `followAuthorizationHeader`, and
 * Referer names the previous URL unless `removeRefererHeaderOnRedirect`.
 */
function redirected(
  req: PreparedRequest,
  hop: { from: URL; to: URL; status: number; profile: ProtocolProfile; originalHost: string },
): PreparedRequest {
  const { from, to, status, profile } = hop;
  const keepMethod = status === 307 || status === 308 || profile.followOriginalHttpMethod === true;
  let headers = req.headers;
  if (hasHeader(headers, "host"))
    headers = [...dropHeader(headers, "host"), { key: "Host", value: to.host, system: true }];
  if (to.host !== hop.originalHost && profile.followAuthorizationHeader !== true)
    headers = dropHeader(headers, "authorization");
  // postman-request: each hop sets Referer to the previous URL unless removeRefererHeaderOnRedirect,
  // which leaves the headers as they were (a user's own Referer goes on unchanged).
  if (profile.removeRefererHeaderOnRedirect !== true)
    headers = [...dropHeader(headers, "referer"), { key: "Referer", value: from.href, system: true }];
  if (keepMethod) return { ...req, url: to.href, headers, written: undefined };
  const { body: _body, written: _written, ...rest } = req;
  return {
    ...rest,
    method: req.method === "HEAD" ? "HEAD" : "GET",
    url: to.href,
    headers: dropHeader(dropHeader(headers, "content-type"), "content-length"),
  };
}

/** The response as scripts and events see it: Set-Cookie headers last, one entry each. */
function responseData(
  res: Response,
  captured: CapturedBody,
  opts: { setCookies: string[]; responseTime: number },
): ResponseData {
  const headers: Array<{ key: string; value: string }> = [];
  res.headers.forEach((value, key) => {
    if (key === "set-cookie") return;
    headers.push({ key, value });
  });
  for (const c of opts.setCookies) headers.push({ key: "set-cookie", value: c });
  return {
    code: res.status,
    status: reasonPhrase(res.status, res.statusText),
    headers,
    body: captured.body,
    responseSize: captured.size,
    responseTime: opts.responseTime,
    ...(captured.truncated ? { truncated: true } : {}),
  };
}

export type { KV };
