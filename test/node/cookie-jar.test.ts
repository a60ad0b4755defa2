/**
 * The run's cookie jar: RFC 6265 matching and the caps that keep a hostile target from growing the
 * run state or the next request's Cookie header without bound.
 */
import { describe, expect, it } from "vitest";
import { COOKIE_LIMITS, CookieJar, cookiesFromJar, cookiesToJar } from "../../shared/engine/cookie-jar";

const flood = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => `${prefix}${i}=v; Path=/`);

describe("cookie jar caps", () => {
  it("keeps the newest per-domain cap of 5000 Set-Cookie headers", () => {
    const jar = new CookieJar();
    jar.storeFromResponse("http://a.example/", flood(5000));
    const sent = jar.headerFor("http://a.example/").split("; ");
    expect(sent).toHaveLength(COOKIE_LIMITS.perDomain);
    expect(sent).toContain("c4999=v");
    expect(sent).not.toContain("c0=v");
    expect(jar.toJSON()).toHaveLength(COOKIE_LIMITS.perDomain);
  });

  it("caps the whole jar across domains, evicting the oldest", () => {
    const jar = new CookieJar();
    const domains = Math.ceil(COOKIE_LIMITS.total / COOKIE_LIMITS.perDomain) + 2;
    for (let d = 0; d < domains; d++)
      jar.storeFromResponse(`http://d${d}.example/`, flood(COOKIE_LIMITS.perDomain));
    expect(jar.toJSON()).toHaveLength(COOKIE_LIMITS.total);
    expect(jar.headerFor("http://d0.example/")).toBe("");
    expect(jar.headerFor(`http://d${domains - 1}.example/`).split("; ")).toHaveLength(
      COOKIE_LIMITS.perDomain,
    );
  });

  it("ignores a cookie over the per-cookie size, from a target or a script", () => {
    const jar = new CookieJar();
    const big = "x".repeat(COOKIE_LIMITS.cookieBytes);
    jar.storeFromResponse("http://a.example/", [`big=${big}`, "small=1"]);
    jar.set("http://a.example/", { name: "big2", value: big });
    expect(jar.headerFor("http://a.example/")).toBe("small=1");
  });

  it("replaces a cookie of the same name, domain and path without counting it twice", () => {
    const jar = new CookieJar();
    for (let i = 0; i < COOKIE_LIMITS.perDomain * 2; i++)
      jar.storeFromResponse("http://a.example/", [`same=${i}`]);
    expect(jar.headerFor("http://a.example/")).toBe(`same=${COOKIE_LIMITS.perDomain * 2 - 1}`);
  });
});

describe("cookie jar semantics (tough-cookie)", () => {
  it("refuses a Domain attribute that is a public suffix, keeps a registrable one", () => {
    const jar = new CookieJar();
    jar.storeFromResponse("http://evil.example.com/", ["a=1; Domain=com", "b=2; Domain=example.com"]);
    expect(jar.headerFor("http://bank.com/")).toBe("");
    expect(jar.headerFor("http://other.example.com/")).toBe("b=2");
    expect(jar.headerFor("http://evil.example.com/")).toBe("b=2");
  });

  it("matches host-only cookies, paths and Secure like a browser, most specific path first", () => {
    const jar = new CookieJar();
    jar.storeFromResponse("https://a.example/app/page", [
      "host=1",
      "root=1; Path=/",
      "deep=1; Path=/app/x",
      "sec=1; Path=/; Secure",
    ]);
    expect(jar.headerFor("http://sub.a.example/app/y")).toBe("");
    expect(jar.headerFor("https://a.example/app/x/z")).toBe("deep=1; host=1; root=1; sec=1");
    expect(jar.headerFor("http://a.example/other")).toBe("root=1");
  });

  it("expires by Max-Age and deletes with Max-Age=0", () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const jar = new CookieJar([], () => now);
    jar.storeFromResponse("http://a.example/", ["short=1; Max-Age=60", "gone=1", "gone=2; Max-Age=0"]);
    expect(jar.toJSON().map((c) => c.name)).toEqual(["short"]);
    expect(jar.toJSON()[0]!.expires).toBe(now + 60_000);
    now += 61_000;
    expect(jar.toJSON()).toEqual([]);
  });

  it("round-trips through the checkpoint format (plain JSON) unchanged", () => {
    const jar = new CookieJar();
    jar.storeFromResponse("https://a.example/p/q", [
      "s=1; Path=/p; Secure; HttpOnly; SameSite=Lax",
      "d=2; Domain=a.example; Expires=Wed, 01 Jan 2098 00:00:00 GMT",
    ]);
    const saved = JSON.parse(JSON.stringify(jar.toJSON()));
    const restored = new CookieJar(saved);
    expect(restored.toJSON()).toEqual(saved);
    expect(restored.headerFor("https://x.a.example/p/z")).toBe("d=2");
    expect(restored.headerFor("https://a.example/p/z")).toBe("s=1; d=2");
  });

  it("pm.cookies.jar(): set, unset and clear for a URL; a cookie for another domain is refused", () => {
    const jar = new CookieJar();
    jar.set("http://a.example/", { name: "x", value: "1" });
    jar.set("http://a.example/", { name: "y", value: "2", domain: "a.example" });
    expect(jar.cookiesFor("http://a.example/").map((c) => [c.name, c.hostOnly])).toEqual([
      ["x", true],
      ["y", false],
    ]);
    expect(() => jar.set("http://a.example/", { name: "z", value: "3", domain: "b.example" })).toThrow();
    jar.unset("http://a.example/", "x");
    expect(jar.headerFor("http://a.example/")).toBe("y=2");
    jar.clear("http://a.example/");
    expect(jar.toJSON()).toEqual([]);
  });
});

describe("cookie jar emptiness (no tough-cookie work for a run without cookies)", () => {
  it("is empty until a cookie is stored, and empty again once the last one is gone", () => {
    const jar = new CookieJar();
    expect(jar.empty).toBe(true);
    expect(jar.headerFor("http://a.example/")).toBe("");
    expect(jar.toJSON()).toEqual([]);
    jar.storeFromResponse("http://a.example/", ["a=1; Path=/"]);
    expect(jar.empty).toBe(false);
    expect(jar.headerFor("http://a.example/")).toBe("a=1");
    jar.storeFromResponse("http://a.example/", ["a=; Max-Age=0; Path=/"]);
    expect(jar.empty).toBe(true);
    expect(jar.toJSON()).toEqual([]);
  });

  it("restored from a checkpoint: expired cookies leave it empty, live ones are sent", () => {
    const now = Date.now();
    const expired = {
      name: "old",
      value: "1",
      domain: "a.example",
      path: "/",
      hostOnly: true,
      expires: now - 1,
    };
    expect(new CookieJar([expired]).empty).toBe(true);
    const live = { ...expired, name: "new", expires: now + 60_000 };
    const jar = new CookieJar([expired, live]);
    expect(jar.empty).toBe(false);
    expect(jar.headerFor("http://a.example/x")).toBe("new=1");
    expect(jar.toJSON()).toEqual([live]);
  });
});

describe("jar files (Newman's --cookie-jar / --export-cookie-jar, tough-cookie's serialisation)", () => {
  const now = Date.parse("2026-06-01T00:00:00.000Z");
  const base = { key: "k", value: "v", domain: "a.example", path: "/", hostOnly: true };

  it("reads expiry as ISO, Infinity or epoch ms, drops expired and oversized cookies", () => {
    const cookies = cookiesFromJar(
      [
        { ...base, key: "session", expires: "Infinity" },
        { ...base, key: "later", expires: "2027-01-01T00:00:00.000Z" },
        { ...base, key: "ms", expires: now + 1000 },
        { ...base, key: "gone", expires: "2020-01-01T00:00:00.000Z" },
        { ...base, key: "big", value: "x".repeat(COOKIE_LIMITS.cookieBytes) },
        { key: "dot", value: "1", domain: ".B.Example", httpOnly: true, secure: true },
      ],
      now,
    );
    expect(cookies.map((c) => c.name)).toEqual(["session", "later", "ms", "dot"]);
    expect(cookies[0]).not.toHaveProperty("expires");
    expect(cookies[1]?.expires).toBe(Date.parse("2027-01-01T00:00:00.000Z"));
    expect(cookies[3]).toEqual({
      name: "dot",
      value: "1",
      domain: "b.example",
      path: "/",
      httpOnly: true,
      secure: true,
      hostOnly: false,
    });
  });

  it("round-trips through a jar: what it sends and what it exports", () => {
    const seeded = cookiesFromJar([{ ...base, key: "seed", value: "s1" }], Date.now());
    const jar = new CookieJar(seeded);
    expect(jar.headerFor("http://a.example/x")).toBe("seed=s1");
    expect(cookiesToJar(jar.toJSON(), now)).toEqual([
      {
        key: "seed",
        value: "s1",
        domain: "a.example",
        path: "/",
        hostOnly: true,
        creation: new Date(now).toISOString(),
      },
    ]);
  });
});
