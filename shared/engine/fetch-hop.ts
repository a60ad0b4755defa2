/**
 * One hop of a request on the platform's fetch: headers built for it, credentials moved out of the URL,
 * what a `Request` cannot carry handed to the fetcher's wire, the remaining timeout and the caller's
 * signal over both the fetch and its body read, and the platform's failure in Newman's words.
 */
import { abortedError, linkSignal } from "./abort";
import { type CapturedBody, readCapped } from "./body";
import type { PreparedRequest, SendDeps } from "./http";
import { inflated } from "./inflate";
import { invalidHeader, invalidMethod, type PlatformError, platformFailure } from "./request-error";
import type { WireRequest } from "./types";
import { connectTarget } from "./url";

/** A failure's message with its cause, workerd's opaque internal errors named for what they usually are. */
export function errorMessage(err: unknown, https = false): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  const message = e?.message ?? String(err);
  // workerd reports DNS, TLS and connect failures as an opaque "internal error; reference = …" (a name
  // that did not resolve is Newman's ENOTFOUND already: request-error.ts).
  if (/^internal error/.test(message))
    return `${https ? "TLS handshake or connection failed" : "host not found or connection failed"} (${message})`;
  return `${message}${cause ? ` (${cause})` : ""}`;
}

export interface Hop {
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
export async function fetchHop(
  url: URL,
  req: PreparedRequest,
  opts: { timeoutMs: number; maxBodyBytes: number; deps: SendDeps },
): Promise<Hop> {
  const { deps } = opts;
  const called = deps.now();
  let t0 = called;
  // Node refuses a method that is no token before it looks at a header (Newman's error is Node's).
  const badMethod = invalidMethod(req.method);
  if (badMethod) return { t0, queuedMs: 0, error: badMethod };
  // Appended one by one into a Headers object: in workerd that is about half the cost of handing the
  // Request an array of pairs (measured: 6 vs 11 µs for the engine's headers), and it names a bad header.
  const h = new Headers();
  for (const { key, value } of req.headers) {
    const lower = key.toLowerCase();
    if (lower === "connection" || lower === "host") continue;
    try {
      h.append(key, value);
    } catch {
      return { t0, queuedMs: 0, error: invalidHeader(key) };
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
