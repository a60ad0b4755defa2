/**
 * Newman's words for a request that got no response. Newman (postman-request over Node) reports Node's
 * error: `connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND host`, `ESOCKETTIMEDOUT`, `aborted`,
 * … named `Error`; its JSON report's `requestError`, like a pm.sendRequest callback's `err`, is that
 * error's own fields (`{ errno, code, syscall, address, port }`). CI logs and report parsers match on
 * those, so the engine words a failure as Newman does where the platform's error tells the kind
 * (`platformFailure`), and every consumer reads the fields back from the words (`nodeErrorFields`):
 * one table for the engine, the reporters and the sandbox, and the event stays `{ name, message }`.
 */

/** A request's failure as events carry it. */
export interface RequestFailure {
  name: string;
  message: string;
}

/** Node's errno and syscall for the connection codes a failure can report. */
const NODE_CODES: Record<string, [errno: number, syscall: string]> = {
  ECONNREFUSED: [-111, "connect"],
  ECONNRESET: [-104, "read"],
  EHOSTUNREACH: [-113, "connect"],
  ENETUNREACH: [-101, "connect"],
  ETIMEDOUT: [-110, "connect"],
  ENOTFOUND: [-3008, "getaddrinfo"],
  EAI_AGAIN: [-3001, "getaddrinfo"],
};

/** Node's TLS verification failures, by the start of their message (Node's error carries only `code`). */
const TLS_CODES: ReadonlyArray<readonly [prefix: string, code: string]> = [
  ["self-signed certificate in certificate chain", "SELF_SIGNED_CERT_IN_CHAIN"],
  ["self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"],
  ["certificate has expired", "CERT_HAS_EXPIRED"],
  ["certificate is not yet valid", "CERT_NOT_YET_VALID"],
  ["unable to verify the first certificate", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
  ["unable to get local issuer certificate", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"],
  ["Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID"],
];

/** Newman's messages that are no Node connection error, with the fields its report gives them. */
const FIXED: ReadonlyArray<readonly [test: RegExp, fields: Record<string, unknown>]> = [
  [/^ESOCKETTIMEDOUT$/, { code: "ESOCKETTIMEDOUT", connect: false }],
  [/^ETIMEDOUT$/, { code: "ETIMEDOUT", connect: true }],
  [/^(?:socket hang up|aborted)$/, { code: "ECONNRESET" }],
  [/^Port should be >= 0 and < 65536\. /, { code: "ERR_SOCKET_BAD_PORT" }],
  [/^Invalid protocol: /, {}],
  [/^Exceeded maxRedirects\. /, {}],
  [/^runtime:extensions~request: request url is empty$/, {}],
];

const CONNECT = /^(connect|read) (E[A-Z_]+)(?: (\[[^\]]*\]|[^\s:]+|[0-9a-f:]+):(\d+))?$/i;
const LOOKUP = /^getaddrinfo (E[A-Z_]+) (.+)$/;

/**
 * The fields Newman's report and a pm.sendRequest callback give the error `failure` words (Node's
 * enumerable own fields: no name, no message), or undefined for a failure Newman has no error for
 * (edgerun's target policy, its limits): those keep their name and message.
 */
export function nodeErrorFields(failure: RequestFailure): Record<string, unknown> | undefined {
  if (failure.name !== "Error" && failure.name !== "RangeError") return undefined;
  const { message } = failure;
  for (const [test, fields] of FIXED) if (test.test(message)) return { ...fields };
  const lookup = LOOKUP.exec(message);
  const lookupCode = lookup && NODE_CODES[lookup[1] as string];
  if (lookup && lookupCode)
    return { errno: lookupCode[0], code: lookup[1], syscall: "getaddrinfo", hostname: lookup[2] };
  const connect = CONNECT.exec(message);
  const connectCode = connect && NODE_CODES[connect[2] as string];
  if (connect && connectCode) {
    const [, syscall, code, address, port] = connect;
    const base = { errno: connectCode[0], code, syscall };
    return address ? { ...base, address: address.replace(/^\[|\]$/g, ""), port: Number(port) } : base;
  }
  const tls = TLS_CODES.find(([prefix]) => message.startsWith(prefix));
  return tls ? { code: tls[1] } : undefined;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** A host that cannot fail to resolve (an address, or localhost): a failure there is no DNS failure. */
function resolvable(host: string): boolean {
  return IPV4.test(host) || host.includes(":") || host === "localhost";
}

/** What the platform's fetch threw, as far as it tells (Node's fetch names Node's error as its cause). */
export interface PlatformError {
  message: string;
  cause?: { code?: unknown; message?: unknown } | undefined;
}

/**
 * Newman's error for a fetch that threw (`err`) while sending to `host` (as the URL writes it, without
 * brackets) on `port`, or undefined when the platform's error does not tell which: the caller keeps
 * its own words then. `afterHeaders`: the response head had come (a reset is then Node's `aborted`).
 * Node's fetch hands over Node's own error as the cause; workerd's says "Network connection lost." for
 * a refused connection and a reset alike, and "internal error" for a name that does not resolve, a TLS
 * failure and an unreachable host alike: a name most likely did not resolve, an address cannot fail to.
 */
export function platformFailure(
  err: PlatformError,
  at: { host: string; port: number; afterHeaders: boolean },
): RequestFailure | undefined {
  const error = (message: string): RequestFailure => ({ name: "Error", message });
  const code = typeof err.cause?.code === "string" ? err.cause.code : undefined;
  const causeMessage = typeof err.cause?.message === "string" ? err.cause.message : undefined;
  if (code === "UND_ERR_SOCKET") return error(at.afterHeaders ? "aborted" : "socket hang up");
  if (code && causeMessage && nodeErrorFields(error(causeMessage))) return error(causeMessage);
  const refused = error(`connect ECONNREFUSED ${at.host}:${at.port}`);
  if (/^Network connection lost/i.test(err.message)) return at.afterHeaders ? error("aborted") : refused;
  const decoding = decodeFailure(err, code);
  if (decoding) return error(decoding);
  if (at.afterHeaders) return undefined;
  // workerd's fetch refuses a host WHATWG's parser took (an unresolved `{{baseUrl}}`): Node looks it up.
  if (/^Fetch API cannot load/.test(err.message) && !resolvable(at.host))
    return error(`getaddrinfo ENOTFOUND ${at.host}`);
  if (/^internal error/.test(err.message))
    return resolvable(at.host) ? undefined : error(`getaddrinfo ENOTFOUND ${at.host}`);
  // The socket path (platform/wire-fetch.ts) cannot tell a refused connection from a failed lookup.
  if (/^cannot connect to /.test(err.message) && resolvable(at.host)) return refused;
  return undefined;
}

/**
 * zlib's words (Node's, which Newman reports) for a body that does not decode as its Content-Encoding
 * says: workerd's fetch says "Gzip decompression failed." (or Brotli), Node's fetch names zlib's error
 * as the cause. A gzip or deflate body that is no such stream is zlib's "incorrect header check", the
 * usual case (a server that labels plain text gzip); a cut one would be "unexpected end of file", which
 * workerd's message does not tell apart.
 */
function decodeFailure(err: PlatformError, code: string | undefined): string | undefined {
  if (/^brotli decompression failed/i.test(err.message) || code?.startsWith("ERR__ERROR_FORMAT"))
    return "Decompression failed";
  if (/^(gzip|deflate) decompression failed/i.test(err.message)) return "incorrect header check";
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") {
    const message = typeof err.cause?.message === "string" ? err.cause.message : "";
    return message || "incorrect header check";
  }
  return undefined;
}

/** The host of a URL text as a legacy parser reads it: after any scheme and userinfo, up to the port or path. */
const HOST = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?([^:/?#]*)/i;

/**
 * Newman's error for a URL whose host WHATWG's parser refuses (a space, `<`, an unresolved `{{var}}`
 * workerd's fetch will not load): postman-request looks the name up and Node does not find it, so the
 * request fails with `getaddrinfo ENOTFOUND <host>` (lower-cased, as Node's parser gives it). A
 * bracketed (IPv6) host is left to the caller's own words.
 */
export function unresolvableHost(url: string): RequestFailure | undefined {
  const text = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") return undefined;
  const host = HOST.exec(text)?.[1];
  if (!host || host.startsWith("[")) return undefined;
  return { name: "Error", message: `getaddrinfo ENOTFOUND ${host.toLowerCase()}` };
}

/** RFC 9110's token: what Node's http client takes as a method or header name. */
const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;

/**
 * Node's error (Newman's) for a header the platform refuses: a name that is no HTTP token, else a value
 * with a character a header cannot carry.
 */
export function invalidHeader(key: string): RequestFailure {
  return HTTP_TOKEN.test(key)
    ? { name: "TypeError", message: `Invalid character in header content ["${key}"]` }
    : { name: "TypeError", message: `Header name must be a valid HTTP token ["${key}"]` };
}

/** Node's error (Newman's) for a method that is no HTTP token, which Node refuses before any header. */
export function invalidMethod(method: string): RequestFailure | undefined {
  return HTTP_TOKEN.test(method)
    ? undefined
    : { name: "TypeError", message: `Method must be a valid HTTP token ["${method}"]` };
}

/** Newman's error for a response that did not come within the user's `--timeout-request`. */
export const SOCKET_TIMEOUT: RequestFailure = { name: "Error", message: "ESOCKETTIMEDOUT" };

/** postman-request's error when a request follows more redirects than `maxRedirects` (`url`: the last hop). */
export function redirectLoop(url: string): RequestFailure {
  return { name: "Error", message: `Exceeded maxRedirects. Probably stuck in a redirect loop ${url}` };
}

/** postman-request's error for a URL whose scheme it has no client for (`protocol` with its colon). */
export function invalidProtocol(protocol: string): RequestFailure {
  return { name: "Error", message: `Invalid protocol: ${protocol}` };
}

/** The authority's port of a URL text, when it is all digits. */
const PORT = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)(?:[/?#]|$)/i;

/**
 * Node's error for a port that is no number below 65536 (`port`, else the one `url` writes: past 65535,
 * or text such as an unresolved `{{port}}`), as Newman reports it, or undefined for another: WHATWG's
 * URL parser refuses such a URL outright, Node's socket names the port.
 */
export function badPort(at: {
  port?: string | undefined;
  url?: string | undefined;
}): RequestFailure | undefined {
  const port = at.port?.trim() || (at.url !== undefined ? PORT.exec(at.url.trim())?.[1] : undefined);
  if (!port || (/^\d+$/.test(port) && Number(port) < 65536)) return undefined;
  return {
    name: "RangeError",
    message: `Port should be >= 0 and < 65536. Received type string ('${port}').`,
  };
}
