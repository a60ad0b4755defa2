/**
 * The headers the runtime adds to a request as postman-runtime does: Postman's system headers (unless
 * the user set or disabled them), and the marking of what auth or a handshake added, which Newman's
 * report lists as `system`.
 */
import type { PreparedRequest } from "./http";
import type { ProtocolProfile } from "./types";

export const USER_AGENT = "PostmanRuntime/7.43.0 edgerun/0.1";

/** Whether a header of this lower-case name is present. */
export const hasHeader = (headers: PreparedRequest["headers"], name: string): boolean =>
  headers.some((h) => h.key.toLowerCase() === name);
/** The headers without those of this lower-case name. */
export const dropHeader = (headers: PreparedRequest["headers"], name: string): PreparedRequest["headers"] =>
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
export function withSystemHeaders(
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
export function markAdded(before: PreparedRequest, after: PreparedRequest): PreparedRequest {
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
