/**
 * The run's cookie jar, on tough-cookie (the library postman-runtime uses): RFC 6265 parsing, host-only
 * vs domain cookies, path and domain matching, expiry, Secure/HttpOnly, and public-suffix rules (a
 * target cannot set a cookie for `com` that the run would then send to every other `.com` host).
 * Workers' fetch has no jar, so the engine keeps this one; the run state checkpoints it as a plain JSON
 * list of `Cookie` (the format of earlier checkpoints), converted through tough-cookie's
 * `serializeSync`/`deserializeSync`.
 */
import {
  MemoryCookieStore,
  type SerializedCookie,
  type SerializedCookieJar,
  Cookie as ToughCookie,
  CookieJar as ToughJar,
} from "tough-cookie";
import type { Cookie } from "./types";

/**
 * Caps (browser limits, RFC 6265 §6.1 minimums): a target flooding Set-Cookie must not grow the run
 * state without bound or make the next request's Cookie header too large for any server. The oldest
 * cookie (of the domain, or of the jar) is evicted first; a cookie whose name and value exceed
 * `cookieBytes` is ignored.
 */
export const COOKIE_LIMITS = { perDomain: 180, total: 3000, cookieBytes: 4096 } as const;

const SAME_SITE: Record<string, string> = { lax: "lax", strict: "strict", none: "none" };

function toSerialized(c: Cookie, now: number): SerializedCookie {
  return {
    key: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    ...(c.expires !== undefined ? { expires: new Date(c.expires).toISOString() } : {}),
    ...(c.httpOnly ? { httpOnly: true } : {}),
    ...(c.secure ? { secure: true } : {}),
    hostOnly: c.hostOnly === true,
    ...(c.sameSite && SAME_SITE[c.sameSite.toLowerCase()]
      ? { sameSite: SAME_SITE[c.sameSite.toLowerCase()] }
      : {}),
    creation: new Date(now).toISOString(),
  };
}

/** Epoch ms of expiry (Max-Age over Expires), 0 if already expired, undefined for a session cookie. */
function expiresOf(c: ToughCookie): number | undefined {
  const t = c.expiryTime();
  if (t === undefined || t === Number.POSITIVE_INFINITY) return undefined;
  return t === Number.NEGATIVE_INFINITY ? 0 : t;
}

function fromTough(c: ToughCookie): Cookie {
  const expires = expiresOf(c);
  return {
    name: c.key,
    value: c.value,
    domain: c.domain ?? "",
    path: c.path ?? "/",
    ...(expires !== undefined ? { expires } : {}),
    ...(c.httpOnly ? { httpOnly: true } : {}),
    ...(c.secure ? { secure: true } : {}),
    hostOnly: c.hostOnly === true,
    ...(c.sameSite && c.sameSite !== "none" ? { sameSite: c.sameSite } : {}),
  };
}

const idOf = (domain: string, path: string, name: string) => `${domain}\u0000${path}\u0000${name}`;

const tooLarge = (name: string, value: string) => name.length + value.length > COOKIE_LIMITS.cookieBytes;

/** The name=value part of a Set-Cookie header, for the size cap before parsing. */
function pairOf(header: string): { name: string; value: string } {
  const pair = header.split(";", 1)[0] ?? "";
  const eq = pair.indexOf("=");
  return eq < 0 ? { name: "", value: pair } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
}

export class CookieJar {
  readonly #store = new MemoryCookieStore();
  /** Built on first use: most runs never hold a cookie, and a step builds one jar per lane. */
  #tough: ToughJar | undefined;
  readonly #initial: Cookie[];
  readonly #now: () => number;
  /**
   * Insertion order of stored cookies, keyed by domain, path and name: for evicting the oldest. Every
   * cookie enters the store through the constructor or `#track`, so an empty map means an empty store
   * (the map may still list a cookie tough-cookie has since expired).
   */
  readonly #order = new Map<string, { domain: string; path: string; name: string }>();

  constructor(cookies: Cookie[] = [], now: () => number = Date.now) {
    this.#now = now;
    const t = cookies.length ? now() : 0;
    this.#initial = cookies.filter((c) => c.expires === undefined || c.expires > t);
    for (const c of this.#initial) this.#order.set(idOf(c.domain, c.path, c.name), c);
  }

  get #jar(): ToughJar {
    if (this.#tough) return this.#tough;
    const t = this.#now();
    const serialized: SerializedCookieJar = {
      version: "tough-cookie",
      storeType: "MemoryCookieStore",
      rejectPublicSuffixes: true,
      cookies: this.#initial.map((c) => toSerialized(c, t)),
    };
    this.#tough = ToughJar.deserializeSync(serialized, this.#store);
    return this.#tough;
  }

  /** Cookies that would be sent to `url`, most specific path first. */
  cookiesFor(url: string): Cookie[] {
    if (this.#order.size === 0) return [];
    try {
      return this.#jar.getCookiesSync(url, { http: true, sort: true }).map(fromTough);
    } catch {
      return [];
    }
  }

  /** Whether the jar holds no cookie at all (then nothing needs a URL to look cookies up for). */
  get empty(): boolean {
    return this.#order.size === 0;
  }

  headerFor(url: string): string {
    if (this.#order.size === 0) return "";
    return this.cookiesFor(url)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  storeFromResponse(url: string, setCookie: string[]): void {
    for (const header of setCookie) {
      const { name, value } = pairOf(header);
      if (tooLarge(name.trim(), value.trim())) continue;
      try {
        const stored = this.#jar.setCookieSync(header, url, {
          ignoreError: true,
          now: new Date(this.#now()),
        });
        if (stored) this.#track(stored);
      } catch {
        // an unusable URL or header stores nothing, as in postman-runtime
      }
    }
  }

  /** `pm.cookies.jar().set(url, name|cookie, value?)`; throws (to the script) what tough-cookie refuses. */
  set(url: string, cookie: Partial<Cookie> & { name: string; value: string }): void {
    if (tooLarge(cookie.name, cookie.value)) return;
    const c = new ToughCookie({
      key: cookie.name,
      value: cookie.value,
      path: cookie.path ?? "/",
      ...(cookie.domain !== undefined ? { domain: cookie.domain.replace(/^\./, "") } : {}),
      ...(cookie.expires !== undefined ? { expires: new Date(cookie.expires) } : {}),
      ...(cookie.httpOnly ? { httpOnly: true } : {}),
      ...(cookie.secure ? { secure: true } : {}),
    });
    const stored = this.#jar.setCookieSync(c, url, { now: new Date(this.#now()) });
    if (stored) this.#track(stored);
  }

  unset(url: string, name: string): void {
    for (const c of this.cookiesFor(url)) if (c.name === name) this.#remove(c.domain, c.path, c.name);
  }

  clear(url: string): void {
    for (const c of this.cookiesFor(url)) this.#remove(c.domain, c.path, c.name);
  }

  toJSON(): Cookie[] {
    if (this.#order.size === 0) return [];
    const now = this.#now();
    const cookies = this.#jar.serializeSync()?.cookies ?? [];
    return cookies
      .map((s) => ToughCookie.fromJSON(s))
      .filter((c): c is ToughCookie => c !== undefined)
      .map(fromTough)
      .filter((c) => c.expires === undefined || c.expires > now);
  }

  #remove(domain: string, path: string, name: string): void {
    // MemoryCookieStore removes synchronously; the callback form returns nothing to await.
    this.#store.removeCookie(domain, path, name, () => undefined);
    this.#order.delete(idOf(domain, path, name));
  }

  /** Records a stored cookie as the newest and evicts the oldest beyond the caps. */
  #track(c: ToughCookie): void {
    const entry = { domain: c.domain ?? "", path: c.path ?? "/", name: c.key };
    const id = idOf(entry.domain, entry.path, entry.name);
    this.#order.delete(id);
    // A Set-Cookie that expires now deletes the cookie (tough-cookie keeps it until read): drop it.
    const expires = expiresOf(c);
    if (expires !== undefined && expires <= this.#now()) {
      this.#remove(entry.domain, entry.path, entry.name);
      return;
    }
    this.#order.set(id, entry);
    let sameDomain = 0;
    for (const e of this.#order.values()) if (e.domain === entry.domain) sameDomain++;
    if (sameDomain > COOKIE_LIMITS.perDomain) {
      for (const e of this.#order.values()) {
        if (e.domain !== entry.domain) continue;
        this.#remove(e.domain, e.path, e.name);
        break;
      }
    }
    if (this.#order.size > COOKIE_LIMITS.total) {
      const oldest = this.#order.values().next().value;
      if (oldest) this.#remove(oldest.domain, oldest.path, oldest.name);
    }
  }
}

/** A cookie of a jar file, in tough-cookie's serialisation (shared/schemas/api.ts `JarCookieSchema`). */
export interface JarCookieInput {
  key: string;
  value: string;
  domain: string;
  path?: string | undefined;
  expires?: string | number | undefined;
  httpOnly?: boolean | undefined;
  secure?: boolean | undefined;
  hostOnly?: boolean | undefined;
  sameSite?: string | undefined;
}

/**
 * A jar file's cookies (Newman's `--cookie-jar`) as the run's starting `Cookie` list: expired ones and
 * ones past the size cap dropped, at most `COOKIE_LIMITS.total`, as the jar would hold them.
 */
export function cookiesFromJar(input: readonly JarCookieInput[], now: number): Cookie[] {
  const out: Cookie[] = [];
  for (const c of input) {
    const expires =
      typeof c.expires === "number"
        ? c.expires
        : c.expires && c.expires !== "Infinity"
          ? Date.parse(c.expires)
          : NaN;
    if (!Number.isNaN(expires) && expires <= now) continue;
    if (tooLarge(c.key, c.value) || out.length >= COOKIE_LIMITS.total) continue;
    out.push({
      name: c.key,
      value: c.value,
      domain: c.domain.replace(/^\./, "").toLowerCase(),
      path: c.path || "/",
      ...(Number.isNaN(expires) ? {} : { expires }),
      ...(c.httpOnly ? { httpOnly: true } : {}),
      ...(c.secure ? { secure: true } : {}),
      hostOnly: c.hostOnly === true,
      ...(c.sameSite ? { sameSite: c.sameSite } : {}),
    });
  }
  return out;
}

/** The run's cookies in tough-cookie's serialisation, as Newman's `--export-cookie-jar` writes them. */
export function cookiesToJar(cookies: readonly Cookie[], now: number): SerializedCookie[] {
  return cookies.filter((c) => c.expires === undefined || c.expires > now).map((c) => toSerialized(c, now));
}
