// What a failed pm.sendRequest hands its callback. In Newman the error is Node's, carried over the
// sandbox bridge: only its own enumerable fields arrive, so the callback gets a plain object, not an
// Error — `{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 1 }`,
// without `name`, `message` or `stack` (`String(err)` is '[object Object]'); an empty URL's error is `{}`.
// The engine's reasons (engine/http.ts) are mapped back to those shapes where they tell the kind.

/** The engine's reason a request got no response (SendRequestOutcome.error). */
export interface SendFailure {
  name: string;
  message: string;
}

/** Node's errno and syscall for the codes a connection failure reports. */
const NODE_CODES: Record<string, [errno: number, syscall: string]> = {
  ECONNREFUSED: [-111, "connect"],
  ECONNRESET: [-104, "read"],
  EHOSTUNREACH: [-113, "connect"],
  ENETUNREACH: [-101, "connect"],
  ETIMEDOUT: [-110, "connect"],
  ENOTFOUND: [-3008, "getaddrinfo"],
  EAI_AGAIN: [-3001, "getaddrinfo"],
};

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The host and port of `could not reach <host[:port]>: …` (the URL's host as the engine wrote it). */
function target(message: string, https: boolean): { host: string; port: number } | undefined {
  const m = /^could not reach (\[[^\]]*\]|[^\s:]+)(?::(\d+))?: /.exec(message);
  if (!m) return undefined;
  const host = (m[1] as string).replace(/^\[|\]$/g, "");
  return { host, port: m[2] ? Number(m[2]) : https ? 443 : 80 };
}

/** The Node error code a connection failure's text names, or the one its kind implies. */
function codeOf(detail: string, host: string): string | undefined {
  const named = /\((E[A-Z_]+)\)\s*$/.exec(detail)?.[1];
  if (named && Object.hasOwn(NODE_CODES, named)) return named;
  if (/connection lost|refused/i.test(detail)) return "ECONNREFUSED";
  // workerd says "internal error" for a name that does not resolve and for a refused connection alike:
  // an address cannot fail to resolve, a name most likely did.
  if (/host not found|internal error/i.test(detail))
    return IPV4.test(host) || host.includes(":") ? "ECONNREFUSED" : "ENOTFOUND";
  return undefined;
}

/**
 * The error object a script's pm.sendRequest callback gets for `failure`, shaped as Newman's: Node's
 * fields for a connection failure or a timeout, `{}` for an empty URL. A reason Newman has no Node
 * error for (edgerun's target policy, a limit) keeps its `name` and `message` as fields.
 */
export function scriptSendError(failure: SendFailure, https: boolean): Record<string, unknown> {
  const { name, message } = failure;
  if (name === "TimeoutError") return { code: "ESOCKETTIMEDOUT", connect: false };
  if (message === "runtime:extensions~request: request url is empty") return {};
  const at = name === "RequestError" ? target(message, https) : undefined;
  const code = at ? codeOf(message.slice(message.indexOf(": ") + 2), at.host) : undefined;
  if (!at || !code) return { name, message };
  const [errno, syscall] = NODE_CODES[code] as [number, string];
  return syscall === "getaddrinfo"
    ? { errno, code, syscall, hostname: at.host }
    : { errno, code, syscall, address: at.host, port: at.port };
}
