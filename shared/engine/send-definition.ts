/**
 * Sending one request definition (an item's or a script's pm.sendRequest) through the engine's single
 * HTTP path: resolving, building the body, retry policy, and the shapes of a request that cannot be sent.
 */
import { buildBody } from "./body";
import type { CookieJar } from "./cookie-jar";
import type { ItemDeps, ItemSettings } from "./execute-item";
import { type PreparedRequest, type SendResult, send } from "./http";
import { badPort, nodeErrorFields, unresolvableHost } from "./request-error";
import type { ProtocolProfile, RequestDefinition } from "./types";
import { buildUrl, HostlessUrlError, parseUrl, UnparsableUrlError } from "./url";

export const BODY_PREVIEW_BYTES = 2048;
export const MAX_CAPTURE_BYTES = 10 * 1024 * 1024;

/** The error a script's pm.sendRequest callback gets when its request got no response. */
export function failedWith(result: SendResult): { name: string; message: string } {
  return result.error ?? { name: "RequestError", message: "request failed" };
}

/** Resolves, builds and sends a Postman request definition through the one HTTP path. */
export async function sendDefinition(
  request: RequestDefinition,
  resolve: (s: string) => string,
  jar: CookieJar,
  profile: ProtocolProfile,
  settings: ItemSettings,
  deps: ItemDeps,
): Promise<SendResult & { warnings?: string[]; builtUrl?: string }> {
  const started = deps.now();
  let prepared: PreparedRequest;
  let warnings: string[] | undefined;
  let url: string | undefined;
  try {
    let written: string | undefined;
    url = buildUrl(request.url, resolve, {
      disableUrlEncoding: profile.disableUrlEncoding === true,
      ...(profile.disableUrlEncoding === true && deps.wire ? { written: (text) => (written = text) } : {}),
    });
    const method = resolve(request.method || "GET").toUpperCase();
    const built = await buildBody(request.body, { method, resolve, profile, wire: deps.wire });
    const headers: PreparedRequest["headers"] = request.headers
      .filter((h) => !h.disabled && h.key)
      .map((h) => ({ key: resolve(h.key), value: resolve(String(h.value ?? "")) }));
    if (built.contentType && !headers.some((h) => h.key.toLowerCase() === "content-type")) {
      const origin = built.implicitType ? { implicit: true as const } : { system: true as const };
      headers.push({ key: "Content-Type", value: built.contentType, ...origin });
    }
    prepared = {
      method,
      url,
      headers,
      ...(built.body !== undefined ? { body: built.body } : {}),
      ...(written !== undefined ? { written } : {}),
    };
    warnings = built.warnings;
  } catch (err) {
    // A port past 65535 fails Newman's socket, not its URL parser: Node's RangeError names it; a host
    // WHATWG refuses (a space, `<`) goes to Newman's DNS lookup, which does not find it.
    const port = url === undefined ? portRefusal(request, resolve) : undefined;
    const host = err instanceof UnparsableUrlError ? unresolvableHost(err.url) : undefined;
    return {
      error: port ??
        host ?? {
          name: err instanceof HostlessUrlError ? "Error" : "InvalidRequestError",
          message: (err as Error).message,
        },
      sent: { method: request.method, url: safeUrlRaw(request, resolve), headers: [] },
      redirects: [],
      timings: { startedAt: started, totalMs: 0 },
      ...(url !== undefined ? { builtUrl: url } : {}),
    };
  }
  const sent = await send(
    prepared,
    request.auth,
    resolve,
    {
      ...(settings.timeoutRequest ? { timeoutMs: settings.timeoutRequest } : {}),
      // unset/0: http.ts applies DEFAULT_REQUEST_TIMEOUT_MS
      profile,
      maxBodyBytes: MAX_CAPTURE_BYTES,
      previewBytes: BODY_PREVIEW_BYTES,
      ...(settings.insecure ? { insecure: true } : {}),
    },
    {
      fetch: deps.fetch,
      wire: deps.wire,
      jar,
      checkTarget: deps.checkTarget,
      now: deps.now,
      random: deps.random,
      signal: deps.signal,
      timer: deps.timer,
    },
  );
  // The URL before auth and redirects, for `pm.request.url` in test scripts (see sentRequest).
  const all = [...(warnings ?? []), ...(sent.warnings ?? [])];
  return { ...sent, builtUrl: prepared.url, ...(all.length ? { warnings: all } : {}) };
}

/** Newman's error for the definition's port, when it is past 65535 (its URL could not be built). */
function portRefusal(request: RequestDefinition, resolve: (s: string) => string) {
  const { port, raw } = request.url;
  return badPort({ port: port !== undefined ? resolve(port) : undefined, url: raw && resolve(raw) });
}

/** Refusals before sending, which would fail the same way again (Newman's errors without a Node code). */
const REFUSALS = ["TargetPolicyError", "InvalidRequestError", "RangeError"];

export function isRetryable(r: SendResult): boolean {
  // Newman's `Error`s are retried when they are a connection's (a Node code: refused, reset, timeout,
  // DNS, TLS), not for a URL without a host, an empty one, another scheme or a redirect loop.
  if (r.error)
    return r.error.name === "Error"
      ? typeof nodeErrorFields(r.error)?.code === "string"
      : !REFUSALS.includes(r.error.name);
  const code = r.response?.code ?? 0;
  return code === 429 || code >= 500;
}

/** Exponential backoff (250 ms · 2^n, max 10 s) with full jitter; a target's Retry-After wins, capped at 60 s. */
export function retryDelay(attempt: number, r: SendResult, random: () => number): number {
  const header = r.response?.headers.find((h) => h.key.toLowerCase() === "retry-after")?.value;
  if (header) {
    const secs = Number(header);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 60_000);
  }
  const cap = Math.min(10_000, 250 * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export function safeUrlRaw(request: RequestDefinition, resolve: (s: string) => string): string {
  try {
    return buildUrl(request.url, resolve);
  } catch {
    return request.url.raw ?? "";
  }
}

/** Script-provided request objects may be partial or use Postman's SDK-ish shapes; fill the gaps. */
export function normalizeScriptRequest(req: RequestDefinition): RequestDefinition {
  const r = req as Partial<RequestDefinition> & { url?: unknown; header?: unknown };
  const url =
    typeof r.url === "string" || r.url === undefined
      ? parseUrl((r.url as string | undefined) ?? "")
      : (r.url as RequestDefinition["url"]);
  const headers = Array.isArray(r.headers)
    ? r.headers
    : Array.isArray(r.header)
      ? (r.header as RequestDefinition["headers"])
      : [];
  return {
    method: r.method ?? "GET",
    url: {
      ...url,
      host: url.host ?? [],
      path: url.path ?? [],
      query: url.query ?? [],
      variable: url.variable ?? [],
    },
    headers,
    ...(r.body ? { body: r.body } : {}),
    ...(r.auth ? { auth: r.auth } : {}),
  };
}
