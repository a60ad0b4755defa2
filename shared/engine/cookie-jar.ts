/**
 * The run's cookie jar (RFC 6265 essentials: host-only vs domain cookies, path match, expiry via
 * Expires/Max-Age, Secure). Workers' fetch has no jar, so the engine keeps this one and checkpoints it
 * as plain JSON with the run state.
 */
import type { Cookie } from "./types";

/**
 * Caps (browser limits, RFC 6265 §6.1 minimums): a target flooding Set-Cookie must not grow the run
 * state without bound or make the next request's Cookie header too large for any server. Oldest cookies
 * are evicted first; a cookie larger than MAX_COOKIE_BYTES is ignored.
 */
export const COOKIE_LIMITS = { perDomain: 180, total: 3000, cookieBytes: 4096 } as const;

function defaultPath(pathname: string): string {
  if (!pathname.startsWith("/")) return "/";
  const i = pathname.lastIndexOf("/");
  return i <= 0 ? "/" : pathname.slice(0, i);
}

function domainMatch(host: string, cookie: Cookie): boolean {
  if (cookie.hostOnly) return host === cookie.domain;
  return host === cookie.domain || host.endsWith(`.${cookie.domain}`);
}

function pathMatch(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}

/** Parses one Set-Cookie header for a response from `url`; null if it must be ignored. */
export function parseSetCookie(header: string, url: URL, now: number): Cookie | null {
  const [pair = "", ...attrs] = header.split(";");
  const eq = pair.indexOf("=");
  if (eq < 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (!name || name.length + value.length > COOKIE_LIMITS.cookieBytes) return null;
  const cookie: Cookie = {
    name,
    value,
    domain: url.hostname.toLowerCase(),
    path: defaultPath(url.pathname),
    hostOnly: true,
  };
  let maxAge: number | undefined;
  for (const attr of attrs) {
    const i = attr.indexOf("=");
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? "" : attr.slice(i + 1).trim();
    if (key === "domain" && val) {
      const d = val.replace(/^\./, "").toLowerCase();
      const host = url.hostname.toLowerCase();
      if (host !== d && !host.endsWith(`.${d}`)) return null;
      cookie.domain = d;
      cookie.hostOnly = false;
    } else if (key === "path" && val.startsWith("/")) cookie.path = val;
    else if (key === "expires") {
      const t = Date.parse(val);
      if (Number.isFinite(t)) cookie.expires = t;
    } else if (key === "max-age") {
      const n = Number(val);
      if (Number.isFinite(n)) maxAge = n;
    } else if (key === "secure") cookie.secure = true;
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "samesite") cookie.sameSite = val;
  }
  if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? 0 : now + maxAge * 1000;
  return cookie;
}

export class CookieJar {
  #cookies: Cookie[];
  readonly #now: () => number;

  constructor(cookies: Cookie[] = [], now: () => number = Date.now) {
    this.#cookies = cookies.map((c) => ({ ...c }));
    this.#now = now;
  }

  /** Cookies that would be sent to `url`, most specific path first. */
  cookiesFor(url: string): Cookie[] {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return [];
    }
    const now = this.#now();
    const host = u.hostname.toLowerCase();
    return this.#cookies
      .filter(
        (c) =>
          (c.expires === undefined || c.expires > now) &&
          domainMatch(host, c) &&
          pathMatch(u.pathname || "/", c.path) &&
          (!c.secure || u.protocol === "https:"),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }

  headerFor(url: string): string {
    return this.cookiesFor(url)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  storeFromResponse(url: string, setCookie: string[]): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return;
    }
    for (const header of setCookie) {
      const cookie = parseSetCookie(header, u, this.#now());
      if (cookie) this.#put(cookie);
    }
  }

  /** `pm.cookies.jar().set(url, name|cookie, value?)`. */
  set(url: string, cookie: Partial<Cookie> & { name: string; value: string }): void {
    const u = new URL(url);
    this.#put({
      domain: (cookie.domain ?? u.hostname).replace(/^\./, "").toLowerCase(),
      path: cookie.path ?? "/",
      hostOnly: cookie.domain === undefined,
      ...cookie,
    } as Cookie);
  }

  unset(url: string, name: string): void {
    const matching = new Set(this.cookiesFor(url).filter((c) => c.name === name));
    this.#cookies = this.#cookies.filter((c) => !matching.has(c));
  }

  clear(url: string): void {
    const matching = new Set(this.cookiesFor(url));
    this.#cookies = this.#cookies.filter((c) => !matching.has(c));
  }

  toJSON(): Cookie[] {
    const now = this.#now();
    return this.#cookies.filter((c) => c.expires === undefined || c.expires > now);
  }

  #put(cookie: Cookie): void {
    this.#cookies = this.#cookies.filter(
      (c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path),
    );
    if (cookie.expires !== undefined && cookie.expires <= this.#now()) return;
    if (cookie.name.length + cookie.value.length > COOKIE_LIMITS.cookieBytes) return;
    let sameDomain = 0;
    for (const c of this.#cookies) if (c.domain === cookie.domain) sameDomain++;
    if (sameDomain >= COOKIE_LIMITS.perDomain) {
      const oldest = this.#cookies.findIndex((c) => c.domain === cookie.domain);
      this.#cookies.splice(oldest, 1);
    }
    this.#cookies.push(cookie);
    if (this.#cookies.length > COOKIE_LIMITS.total) this.#cookies.shift();
  }
}
